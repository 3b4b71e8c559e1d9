// The system OpenBLAS's CBLAS interface, for the package trait `OpenBLAS`.
//
// When <cblas.h> is absent (libopenblas-dev not installed) the two functions GEMM.swift calls are
// declared here instead, with CBLAS's own enumerators, so that the module still compiles: the
// documentation build (swift-docc-plugin) extracts symbol graphs with every trait enabled, and
// must not need the library. Linking a program with the trait still needs libopenblas.
#if __has_include(<cblas.h>)
#include <cblas.h>
#else
enum CBLAS_ORDER { CblasRowMajor = 101, CblasColMajor = 102 };
enum CBLAS_TRANSPOSE { CblasNoTrans = 111, CblasTrans = 112, CblasConjTrans = 113 };
void cblas_sgemm(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE transA, const enum CBLAS_TRANSPOSE transB,
                 const int m, const int n, const int k, const float alpha, const float *a, const int lda,
                 const float *b, const int ldb, const float beta, float *c, const int ldc);
void cblas_dgemm(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE transA, const enum CBLAS_TRANSPOSE transB,
                 const int m, const int n, const int k, const double alpha, const double *a, const int lda,
                 const double *b, const int ldb, const double beta, double *c, const int ldc);
#endif
