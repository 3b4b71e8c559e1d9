// Fused and branch-free elementwise kernels for the training step.
//
// ReLU's derivative `x > 0 ? g : 0` compiled to a branch per element in Swift; on a layer's
// pre-activations that branch is unpredictable (about half the units are active), so the pass
// was a sizeable share of a large-batch MLP step (BENCHMARKS.md, "Design measurements",
// "Branch-free ReLU derivative"). Here it is a compare and an AND
// (eight or sixteen lanes), and the bias gradient of the layer below (the column sums of the
// result) is taken in the same pass. Every element gets exactly the arithmetic of the unfused
// kernels, in the same order, so results are bit-identical:
//   out[i] = x[i] > 0 ? g[i] : +0   (NaN x gives 0, as `x > 0` is false)
//   sums[j] = out[0, j] + out[1, j] + … + out[rows−1, j], added row by row from the first.
#include "CDescentKernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define DESCENT_X86 1
#endif

static inline float relu_gate_f32(float x, float g) { return x > 0.0f ? g : 0.0f; }
static inline double relu_gate_f64(double x, double g) { return x > 0.0 ? g : 0.0; }

#ifdef DESCENT_X86
#define AVX2 __attribute__((target("avx2,fma")))

AVX2 static void relu_backward_row_f32_avx2(const float *x, const float *g, float *out, float *sums, long n, int mode) {
    // mode 0: no sums; 1: sums = out; 2: sums += out.
    const __m256 zero = _mm256_setzero_ps();
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 mask = _mm256_cmp_ps(_mm256_loadu_ps(x + i), zero, _CMP_GT_OQ);
        __m256 v = _mm256_and_ps(mask, _mm256_loadu_ps(g + i));
        _mm256_storeu_ps(out + i, v);
        if (mode == 1) _mm256_storeu_ps(sums + i, v);
        else if (mode == 2) _mm256_storeu_ps(sums + i, _mm256_add_ps(_mm256_loadu_ps(sums + i), v));
    }
    for (; i < n; i++) {
        float v = relu_gate_f32(x[i], g[i]);
        out[i] = v;
        if (mode == 1) sums[i] = v;
        else if (mode == 2) sums[i] += v;
    }
}

AVX2 static void relu_backward_row_f64_avx2(const double *x, const double *g, double *out, double *sums, long n, int mode) {
    const __m256d zero = _mm256_setzero_pd();
    long i = 0;
    for (; i + 4 <= n; i += 4) {
        __m256d mask = _mm256_cmp_pd(_mm256_loadu_pd(x + i), zero, _CMP_GT_OQ);
        __m256d v = _mm256_and_pd(mask, _mm256_loadu_pd(g + i));
        _mm256_storeu_pd(out + i, v);
        if (mode == 1) _mm256_storeu_pd(sums + i, v);
        else if (mode == 2) _mm256_storeu_pd(sums + i, _mm256_add_pd(_mm256_loadu_pd(sums + i), v));
    }
    for (; i < n; i++) {
        double v = relu_gate_f64(x[i], g[i]);
        out[i] = v;
        if (mode == 1) sums[i] = v;
        else if (mode == 2) sums[i] += v;
    }
}
#define USE_AVX2 (descent_isa_current() >= DESCENT_ISA_AVX2)
#endif

static void relu_backward_row_f32_portable(const float *x, const float *g, float *out, float *sums, long n, int mode) {
    for (long i = 0; i < n; i++) {
        float v = relu_gate_f32(x[i], g[i]);
        out[i] = v;
        if (mode == 1) sums[i] = v;
        else if (mode == 2) sums[i] += v;
    }
}

static void relu_backward_row_f64_portable(const double *x, const double *g, double *out, double *sums, long n, int mode) {
    for (long i = 0; i < n; i++) {
        double v = relu_gate_f64(x[i], g[i]);
        out[i] = v;
        if (mode == 1) sums[i] = v;
        else if (mode == 2) sums[i] += v;
    }
}

void descent_relu_backward_f32(const float *x, const float *g, float *out, long n) {
#ifdef DESCENT_X86
    if (USE_AVX2) { relu_backward_row_f32_avx2(x, g, out, 0, n, 0); return; }
#endif
    relu_backward_row_f32_portable(x, g, out, 0, n, 0);
}

void descent_relu_backward_f64(const double *x, const double *g, double *out, long n) {
#ifdef DESCENT_X86
    if (USE_AVX2) { relu_backward_row_f64_avx2(x, g, out, 0, n, 0); return; }
#endif
    relu_backward_row_f64_portable(x, g, out, 0, n, 0);
}

// The column-sums kernels on a block whose rows are `ld` apart (columns of a wider matrix: a
// thread of ParallelKernels takes a range of columns, so each column is still summed from row 0).
#ifdef DESCENT_X86
#define RELU_ROW_AVX2(T) if (USE_AVX2) { relu_backward_row_##T##_avx2(x + o, g + o, out + o, sums, columns, r == 0 ? 1 : 2); continue; }
#else
#define RELU_ROW_AVX2(T)
#endif
#define DEFINE_COLUMN_SUMS(T, TYPE)                                                                \
    void descent_relu_backward_column_sums_strided_##T(const TYPE *x, const TYPE *g, TYPE *out, long rows, \
                                                       long columns, long ld, TYPE *sums) {        \
        if (rows <= 0) { for (long j = 0; j < columns; j++) sums[j] = 0; return; }                 \
        for (long r = 0; r < rows; r++) {                                                          \
            long o = r * ld;                                                                       \
            RELU_ROW_AVX2(T)                                                                       \
            relu_backward_row_##T##_portable(x + o, g + o, out + o, sums, columns, r == 0 ? 1 : 2); \
        }                                                                                          \
    }                                                                                              \
    void descent_relu_backward_column_sums_##T(const TYPE *x, const TYPE *g, TYPE *out, long rows, long columns, \
                                               TYPE *sums) {                                       \
        descent_relu_backward_column_sums_strided_##T(x, g, out, rows, columns, columns, sums);    \
    }

DEFINE_COLUMN_SUMS(f32, float)
DEFINE_COLUMN_SUMS(f64, double)
