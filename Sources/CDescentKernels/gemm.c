// GEMM micro-kernels and the direct path for tiny products.
//
// Why hand-written C: a fast micro-kernel needs AVX2/FMA (or AVX-512) code generation. Swift
// emits those only with CPU flags (`-Xcc -mavx2`, `-target-cpu`), and `unsafeFlags` make a
// package unusable as a versioned dependency; without them `SIMD8.addProduct` becomes `fmaf`
// calls, a small fraction of the FMA units' rate (BENCHMARKS.md, "Design measurements",
// "Hand-written micro-kernels"). No package available here provides such kernels without
// unsafe flags (see shared/native-deps.md). Clang's `__attribute__((target(...)))` compiles
// just these functions for the wider ISA, and a run-time CPU check (`descent_isa_current`)
// picks them.
// The Swift side (DescentKernels/GEMM.swift) does the BLIS-style blocking and packing.
#include "CDescentKernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define DESCENT_X86 1
#endif

// MARK: - Tile sizes

// Portable and AVX2 kernels share tile sizes: 6×16 Float (12 ymm accumulators), 6×8 Double.
// AVX-512 (32 zmm registers): 12×32 Float and 12×16 Double keep 24 accumulators.
int descent_sgemm_mr(int isa) { return isa == DESCENT_ISA_AVX512 ? 12 : 6; }
int descent_sgemm_nr(int isa) { return isa == DESCENT_ISA_AVX512 ? 32 : 16; }
int descent_dgemm_mr(int isa) { return isa == DESCENT_ISA_AVX512 ? 12 : 6; }
int descent_dgemm_nr(int isa) { return isa == DESCENT_ISA_AVX512 ? 16 : 8; }

// Writes an `MR×NR` tile `t` (row stride NR) into the `mr×nr` corner of C.
#define WRITE_EDGE(T, t, NR)                                                                       \
    for (long r = 0; r < mr; r++)                                                                  \
        for (long j = 0; j < nr; j++) {                                                            \
            T v = alpha * t[r * NR + j];                                                           \
            c[r * ldc + j] = beta == 0 ? v : v + beta * c[r * ldc + j];                            \
        }

// MARK: - Portable micro-kernels (baseline ISA; the compiler vectorises the j loops with SSE2)

static void sgemm_portable(long kc, const float *restrict a, const float *restrict b, float *restrict c,
                           long ldc, float alpha, float beta, long mr, long nr) {
    float t[6 * 16] = {0};
    for (long p = 0; p < kc; p++, a += 6, b += 16)
        for (int r = 0; r < 6; r++)
            for (int j = 0; j < 16; j++) t[r * 16 + j] += a[r] * b[j];
    WRITE_EDGE(float, t, 16)
}

static void dgemm_portable(long kc, const double *restrict a, const double *restrict b, double *restrict c,
                           long ldc, double alpha, double beta, long mr, long nr) {
    double t[6 * 8] = {0};
    for (long p = 0; p < kc; p++, a += 6, b += 8)
        for (int r = 0; r < 6; r++)
            for (int j = 0; j < 8; j++) t[r * 8 + j] += a[r] * b[j];
    WRITE_EDGE(double, t, 8)
}

#ifdef DESCENT_X86

// MARK: - Vector micro-kernels (AVX2 + FMA, AVX-512)

// One micro-kernel body for every ISA and type: an MR×(NH·LANES) tile of C from a packed A
// micro-panel (row stride APAD, the ISA's mr) and a packed B micro-panel (row stride BPAD, its
// nr). Per k step: NH B loads, MR broadcasts, MR·NH FMAs. MR and NH are constants, so a tile
// at the bottom or right edge (mr < MR rows, nr < NH·LANES columns) gets a smaller kernel
// instead of computing the full tile: m = 32 with mr = 12 runs 12 + 12 + 8 rows, not 36.
// Every element of C is written as fma(beta, C, alpha·acc) (or alpha·acc when beta = 0), with
// masked loads and stores at the right edge, so a value does not depend on which tile holds it.
// Fully unrolled loops keep the accumulators in registers (the dispatcher inlines six tiles
// into one function, past the size where the compiler unrolls on its own).
#define UNROLL _Pragma("clang loop unroll(full)")
#define TILE_BODY(T, V, LANES, APAD, BPAD, MR, NH, ZERO, LOADB, BROADCAST, FMA, FINISH)            \
    V acc[MR][NH];                                                                                 \
    UNROLL for (int r = 0; r < MR; r++)                                                            \
        UNROLL for (int h = 0; h < NH; h++) acc[r][h] = ZERO();                                           \
    for (long p = 0; p < kc; p++, a += APAD, b += BPAD) {                                          \
        V bv[NH];                                                                                  \
        UNROLL for (int h = 0; h < NH; h++) bv[h] = LOADB(b + h * LANES);                                 \
        UNROLL for (int r = 0; r < MR; r++) {                                                             \
            V ar = BROADCAST(a + r);                                                               \
            UNROLL for (int h = 0; h < NH; h++) acc[r][h] = FMA(ar, bv[h], acc[r][h]);                    \
        }                                                                                          \
    }                                                                                              \
    UNROLL for (int r = 0; r < MR; r++)                                                            \
        if (r < mr)                                                                                \
            UNROLL for (int h = 0; h < NH; h++) FINISH(c + r * ldc + h * LANES, acc[r][h], nr - h * LANES, alpha, beta);

// One tile kernel NAME_MR_NH with literal sizes (array sizes must be constants: with a constant
// parameter the arrays would be variable-length, kept on the stack).
#define DEFINE_TILE(NAME, ATTR, T, V, LANES, APAD, MR, NH, ZERO, LOADB, BROADCAST, FMA, FINISH)    \
    ATTR __attribute__((always_inline)) static inline void NAME##_##MR##_##NH(                     \
        long kc, const T *restrict a, const T *restrict b, T *restrict c, long ldc, T alpha, T beta, \
        long mr, long nr) {                                                                        \
        TILE_BODY(T, V, LANES, APAD, 2 * LANES, MR, NH, ZERO, LOADB, BROADCAST, FMA, FINISH)       \
    }

// Declares NAME(kc, a, b, c, ldc, alpha, beta, mr, nr), which picks the tile kernel for mr×nr:
// R1 (the full height), R2 or R3 rows (R1 > R2 > R3); NH = 2 or 1 vectors of columns.
#define DEFINE_TILE_KERNELS(NAME, ATTR, T, V, LANES, R1, R2, R3, ...)                              \
    DEFINE_TILE(NAME, ATTR, T, V, LANES, R1, R1, 2, __VA_ARGS__)                                   \
    DEFINE_TILE(NAME, ATTR, T, V, LANES, R1, R2, 2, __VA_ARGS__)                                   \
    DEFINE_TILE(NAME, ATTR, T, V, LANES, R1, R3, 2, __VA_ARGS__)                                   \
    DEFINE_TILE(NAME, ATTR, T, V, LANES, R1, R1, 1, __VA_ARGS__)                                   \
    DEFINE_TILE(NAME, ATTR, T, V, LANES, R1, R2, 1, __VA_ARGS__)                                   \
    DEFINE_TILE(NAME, ATTR, T, V, LANES, R1, R3, 1, __VA_ARGS__)                                   \
    ATTR static void NAME(long kc, const T *restrict a, const T *restrict b, T *restrict c, long ldc, \
                          T alpha, T beta, long mr, long nr) {                                     \
        if (nr > LANES) {                                                                          \
            if (mr > R2) NAME##_##R1##_2(kc, a, b, c, ldc, alpha, beta, mr, nr);                   \
            else if (mr > R3) NAME##_##R2##_2(kc, a, b, c, ldc, alpha, beta, mr, nr);              \
            else NAME##_##R3##_2(kc, a, b, c, ldc, alpha, beta, mr, nr);                           \
        } else {                                                                                   \
            if (mr > R2) NAME##_##R1##_1(kc, a, b, c, ldc, alpha, beta, mr, nr);                   \
            else if (mr > R3) NAME##_##R2##_1(kc, a, b, c, ldc, alpha, beta, mr, nr);              \
            else NAME##_##R3##_1(kc, a, b, c, ldc, alpha, beta, mr, nr);                           \
        }                                                                                          \
    }

// The write-back of one vector of a row: `valid` (may be ≤ 0 or ≥ LANES) columns of C.
__attribute__((target("avx2,fma"), always_inline)) static inline void finish_f32_avx2(
    float *q, __m256 acc, long valid, float alpha, float beta) {
    if (valid <= 0) return;
    __m256 v = _mm256_mul_ps(_mm256_set1_ps(alpha), acc);
    if (valid >= 8) {
        if (beta != 0) v = _mm256_fmadd_ps(_mm256_set1_ps(beta), _mm256_loadu_ps(q), v);
        _mm256_storeu_ps(q, v);
    } else {
        __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)valid), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        if (beta != 0) v = _mm256_fmadd_ps(_mm256_set1_ps(beta), _mm256_maskload_ps(q, mask), v);
        _mm256_maskstore_ps(q, mask, v);
    }
}

__attribute__((target("avx2,fma"), always_inline)) static inline void finish_f64_avx2(
    double *q, __m256d acc, long valid, double alpha, double beta) {
    if (valid <= 0) return;
    __m256d v = _mm256_mul_pd(_mm256_set1_pd(alpha), acc);
    if (valid >= 4) {
        if (beta != 0) v = _mm256_fmadd_pd(_mm256_set1_pd(beta), _mm256_loadu_pd(q), v);
        _mm256_storeu_pd(q, v);
    } else {
        __m256i mask = _mm256_cmpgt_epi64(_mm256_set1_epi64x(valid), _mm256_setr_epi64x(0, 1, 2, 3));
        if (beta != 0) v = _mm256_fmadd_pd(_mm256_set1_pd(beta), _mm256_maskload_pd(q, mask), v);
        _mm256_maskstore_pd(q, mask, v);
    }
}

__attribute__((target("avx512f"), always_inline)) static inline void finish_f32_avx512(
    float *q, __m512 acc, long valid, float alpha, float beta) {
    if (valid <= 0) return;
    __mmask16 mask = valid >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << valid) - 1);
    __m512 v = _mm512_mul_ps(_mm512_set1_ps(alpha), acc);
    if (beta != 0) v = _mm512_fmadd_ps(_mm512_set1_ps(beta), _mm512_maskz_loadu_ps(mask, q), v);
    _mm512_mask_storeu_ps(q, mask, v);
}

__attribute__((target("avx512f"), always_inline)) static inline void finish_f64_avx512(
    double *q, __m512d acc, long valid, double alpha, double beta) {
    if (valid <= 0) return;
    __mmask8 mask = valid >= 8 ? (__mmask8)0xFF : (__mmask8)((1u << valid) - 1);
    __m512d v = _mm512_mul_pd(_mm512_set1_pd(alpha), acc);
    if (beta != 0) v = _mm512_fmadd_pd(_mm512_set1_pd(beta), _mm512_maskz_loadu_pd(mask, q), v);
    _mm512_mask_storeu_pd(q, mask, v);
}

#define BROADCAST_F32_512(p) _mm512_set1_ps(*(p))
#define BROADCAST_F64_512(p) _mm512_set1_pd(*(p))

// AVX2: 6×16 Float (12 ymm accumulators), 6×8 Double; edge tiles of 4 or 2 rows.
DEFINE_TILE_KERNELS(sgemm_avx2, __attribute__((target("avx2,fma"))), float, __m256, 8, 6, 4, 2,
                    _mm256_setzero_ps, _mm256_load_ps, _mm256_broadcast_ss, _mm256_fmadd_ps, finish_f32_avx2)
DEFINE_TILE_KERNELS(dgemm_avx2, __attribute__((target("avx2,fma"))), double, __m256d, 4, 6, 4, 2,
                    _mm256_setzero_pd, _mm256_load_pd, _mm256_broadcast_sd, _mm256_fmadd_pd, finish_f64_avx2)
// AVX-512 (32 zmm registers): 12×32 Float and 12×16 Double (24 accumulators); edges of 8 or 4 rows.
DEFINE_TILE_KERNELS(sgemm_avx512, __attribute__((target("avx512f"))), float, __m512, 16, 12, 8, 4,
                    _mm512_setzero_ps, _mm512_load_ps, BROADCAST_F32_512, _mm512_fmadd_ps, finish_f32_avx512)
DEFINE_TILE_KERNELS(dgemm_avx512, __attribute__((target("avx512f"))), double, __m512d, 8, 12, 8, 4,
                    _mm512_setzero_pd, _mm512_load_pd, BROADCAST_F64_512, _mm512_fmadd_pd, finish_f64_avx512)
#endif

// MARK: - Macro-kernels

// Loops over the micro-tiles of one packed block. The B micro-panel (kc×NR) stays in L1 while
// the ir loop streams the A micro-panels of the block from L2.
#define MACRO_LOOP(T, KERNEL, MR, NR)                                                              \
    for (long j = 0; j < nc; j += NR) {                                                            \
        long nr = nc - j < NR ? nc - j : NR;                                                       \
        const T *pb = packedB + j * kc;                                                            \
        for (long i = 0; i < mc; i += MR) {                                                        \
            long mr = mc - i < MR ? mc - i : MR;                                                   \
            KERNEL(kc, packedA + i * kc, pb, c + i * ldc + j, ldc, alpha, beta, mr, nr);           \
        }                                                                                          \
    }

void descent_sgemm_macro(int isa, long mc, long nc, long kc, const float *packedA, const float *packedB,
                         float *c, long ldc, float alpha, float beta) {
#ifdef DESCENT_X86
    if (isa == DESCENT_ISA_AVX512) { MACRO_LOOP(float, sgemm_avx512, 12, 32) return; }
    if (isa == DESCENT_ISA_AVX2) { MACRO_LOOP(float, sgemm_avx2, 6, 16) return; }
#endif
    MACRO_LOOP(float, sgemm_portable, 6, 16)
}

void descent_dgemm_macro(int isa, long mc, long nc, long kc, const double *packedA, const double *packedB,
                         double *c, long ldc, double alpha, double beta) {
#ifdef DESCENT_X86
    if (isa == DESCENT_ISA_AVX512) { MACRO_LOOP(double, dgemm_avx512, 12, 16) return; }
    if (isa == DESCENT_ISA_AVX2) { MACRO_LOOP(double, dgemm_avx2, 6, 8) return; }
#endif
    MACRO_LOOP(double, dgemm_portable, 6, 8)
}

// MARK: - Direct path for tiny products

// Row i of C when B is not transposed: c[i, :] = Σ_p A(i,p)·B[p, :]. The row of C is built in
// blocks of up to 64 columns held in registers, so each B row segment is read once per C row.
#define SMALL_ROWS_BODY(T, W)                                                                      \
    for (long i = 0; i < m; i++) {                                                                 \
        for (long j0 = 0; j0 < n; j0 += W) {                                                       \
            long w = n - j0 < W ? n - j0 : W;                                                      \
            T acc[W] = {0};                                                                        \
            for (long p = 0; p < k; p++) {                                                         \
                T av = transposeA ? a[p * lda + i] : a[i * lda + p];                               \
                const T *brow = b + p * ldb + j0;                                                  \
                if (w == W)                                                                        \
                    for (long j = 0; j < W; j++) acc[j] += av * brow[j];                           \
                else                                                                               \
                    for (long j = 0; j < w; j++) acc[j] += av * brow[j];                           \
            }                                                                                      \
            T *crow = c + i * ldc + j0;                                                            \
            for (long j = 0; j < w; j++)                                                           \
                crow[j] = beta == 0 ? alpha * acc[j] : alpha * acc[j] + beta * crow[j];            \
        }                                                                                          \
    }

// C when B is transposed: dot products of rows of op(A) with rows of B, with several lanes.
#define SMALL_DOT_BODY(T, L)                                                                       \
    for (long i = 0; i < m; i++)                                                                   \
        for (long j = 0; j < n; j++) {                                                             \
            const T *brow = b + j * ldb;                                                           \
            T acc[L] = {0};                                                                        \
            long p = 0;                                                                            \
            if (!transposeA) {                                                                     \
                const T *arow = a + i * lda;                                                       \
                for (; p + L <= k; p += L)                                                         \
                    for (int l = 0; l < L; l++) acc[l] += arow[p + l] * brow[p + l];               \
            }                                                                                      \
            T s = 0;                                                                               \
            for (int l = 0; l < L; l++) s += acc[l];                                               \
            for (; p < k; p++) s += (transposeA ? a[p * lda + i] : a[i * lda + p]) * brow[p];      \
            c[i * ldc + j] = beta == 0 ? alpha * s : alpha * s + beta * c[i * ldc + j];            \
        }

#define SMALL_DEFINE(NAME, T, ATTR, W, L)                                                          \
    ATTR static void NAME(int transposeA, int transposeB, long m, long n, long k, T alpha,         \
                          const T *restrict a, long lda, const T *restrict b, long ldb, T beta,    \
                          T *restrict c, long ldc) {                                               \
        if (!transposeB) { SMALL_ROWS_BODY(T, W) }                                                 \
        else { SMALL_DOT_BODY(T, L) }                                                              \
    }

SMALL_DEFINE(sgemm_small_portable, float, , 32, 16)
SMALL_DEFINE(dgemm_small_portable, double, , 16, 8)
#ifdef DESCENT_X86
SMALL_DEFINE(dgemm_small_avx2, double, __attribute__((target("avx2,fma"))), 16, 16)

// Lane masks for the first `width` (0...8) of eight Float lanes.
__attribute__((target("avx2"))) static inline __m256i lane_mask(long width) {
    __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)width), index);
}

// One C row block of NH·8 columns for the rows path of `sgemm_small_avx2`: NH accumulators per
// k phase, U phases (k unrolled by U) so that U·NH independent FMA chains hide FMA latency.
#define SMALL_ROW_BLOCK(NAME, NH, U)                                                               \
    __attribute__((target("avx2,fma"))) static inline void NAME(                                   \
        int transposeA, long i, long j0, long k, float alpha, const float *restrict a, long lda,   \
        const float *restrict b, long ldb, float beta, float *restrict c, long ldc, long w) {      \
        __m256i mask[NH];                                                                          \
        for (int h = 0; h < NH; h++) {                                                             \
            long lanes = w - 8 * h;                                                                \
            mask[h] = lane_mask(lanes > 8 ? 8 : lanes);                                            \
        }                                                                                          \
        __m256 acc[U][NH];                                                                         \
        for (int u = 0; u < U; u++)                                                                \
            for (int h = 0; h < NH; h++) acc[u][h] = _mm256_setzero_ps();                          \
        long p = 0;                                                                                \
        for (; p + U <= k; p += U)                                                                 \
            for (int u = 0; u < U; u++) {                                                          \
                __m256 av = _mm256_set1_ps(transposeA ? a[(p + u) * lda + i] : a[i * lda + p + u]); \
                const float *brow = b + (p + u) * ldb + j0;                                        \
                for (int h = 0; h < NH; h++)                                                       \
                    acc[u][h] = _mm256_fmadd_ps(av, _mm256_maskload_ps(brow + 8 * h, mask[h]), acc[u][h]); \
            }                                                                                      \
        for (; p < k; p++) {                                                                       \
            __m256 av = _mm256_set1_ps(transposeA ? a[p * lda + i] : a[i * lda + p]);              \
            const float *brow = b + p * ldb + j0;                                                  \
            for (int h = 0; h < NH; h++)                                                           \
                acc[0][h] = _mm256_fmadd_ps(av, _mm256_maskload_ps(brow + 8 * h, mask[h]), acc[0][h]); \
        }                                                                                          \
        float *crow = c + i * ldc + j0;                                                            \
        __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);                              \
        for (int h = 0; h < NH; h++) {                                                             \
            __m256 sum = acc[0][h];                                                                \
            for (int u = 1; u < U; u++) sum = _mm256_add_ps(sum, acc[u][h]);                       \
            __m256 v = _mm256_mul_ps(va, sum);                                                     \
            if (beta != 0) v = _mm256_fmadd_ps(vb, _mm256_maskload_ps(crow + 8 * h, mask[h]), v);  \
            _mm256_maskstore_ps(crow + 8 * h, mask[h], v);                                         \
        }                                                                                          \
    }

SMALL_ROW_BLOCK(small_row_block1, 1, 4)
SMALL_ROW_BLOCK(small_row_block2, 2, 4)
SMALL_ROW_BLOCK(small_row_block3, 3, 2)
SMALL_ROW_BLOCK(small_row_block4, 4, 2)

// Two full 32-column blocks of the rows path at once with AVX-512 (64 columns, four 16-lane
// accumulators per k phase): every lane gets exactly the operations `small_row_block4` gives it
// (U = 2 phases by the parity of p, the odd last p into phase 0, the phases added in order, then
// alpha and beta), so the results are the same bits; half the loads and FMAs are issued, which
// speeds up the batch-1 input gradient 1×128·128×256 (BENCHMARKS.md, "Design measurements",
// "AVX-512 rows block").
__attribute__((target("avx512f,avx2,fma"))) static inline void small_row_block64_avx512(
    int transposeA, long i, long j0, long k, float alpha, const float *restrict a, long lda,
    const float *restrict b, long ldb, float beta, float *restrict c, long ldc) {
    __m512 acc[2][4];
    for (int u = 0; u < 2; u++)
        for (int h = 0; h < 4; h++) acc[u][h] = _mm512_setzero_ps();
    long p = 0;
    for (; p + 2 <= k; p += 2)
        for (int u = 0; u < 2; u++) {
            __m512 av = _mm512_set1_ps(transposeA ? a[(p + u) * lda + i] : a[i * lda + p + u]);
            const float *brow = b + (p + u) * ldb + j0;
            for (int h = 0; h < 4; h++) acc[u][h] = _mm512_fmadd_ps(av, _mm512_loadu_ps(brow + 16 * h), acc[u][h]);
        }
    for (; p < k; p++) {
        __m512 av = _mm512_set1_ps(transposeA ? a[p * lda + i] : a[i * lda + p]);
        const float *brow = b + p * ldb + j0;
        for (int h = 0; h < 4; h++) acc[0][h] = _mm512_fmadd_ps(av, _mm512_loadu_ps(brow + 16 * h), acc[0][h]);
    }
    float *crow = c + i * ldc + j0;
    __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    for (int h = 0; h < 4; h++) {
        __m512 v = _mm512_mul_ps(va, _mm512_add_ps(acc[0][h], acc[1][h]));
        if (beta != 0) v = _mm512_fmadd_ps(vb, _mm512_loadu_ps(crow + 16 * h), v);
        _mm512_storeu_ps(crow + 16 * h, v);
    }
}

// Eight dot products of one row of op(A) with eight rows of B (the batch-1 forward pass y = x·Wᵀ),
// written to c[0..<rows]. Eight accumulators: eight independent FMA chains, enough to cover the
// FMA latency on two pipes (four chains, as before, left half the FMA throughput unused).
// The eight sums are reduced together with horizontal adds and stored with one masked store.
__attribute__((target("avx2,fma"))) static inline void small_dot8_store(
    __m256 acc[8], int rows, float alpha, float beta, float *restrict c) {
    __m256 s01 = _mm256_hadd_ps(acc[0], acc[1]), s23 = _mm256_hadd_ps(acc[2], acc[3]);
    __m256 s45 = _mm256_hadd_ps(acc[4], acc[5]), s67 = _mm256_hadd_ps(acc[6], acc[7]);
    __m256 s0123 = _mm256_hadd_ps(s01, s23), s4567 = _mm256_hadd_ps(s45, s67);
    __m256 sums = _mm256_add_ps(_mm256_permute2f128_ps(s0123, s4567, 0x20), _mm256_permute2f128_ps(s0123, s4567, 0x31));
    __m256i mask = lane_mask(rows);
    __m256 v = _mm256_mul_ps(_mm256_set1_ps(alpha), sums);
    if (beta != 0) v = _mm256_add_ps(v, _mm256_mul_ps(_mm256_set1_ps(beta), _mm256_maskload_ps(c, mask)));
    _mm256_maskstore_ps(c, mask, v);
}

__attribute__((target("avx2,fma"))) static void small_dot8_avx2(
    const float *restrict arow, const float *brow[8], long k, int rows, float alpha, float beta, float *restrict c) {
    __m256 acc[8];
    for (int r = 0; r < 8; r++) acc[r] = _mm256_setzero_ps();
    long kFull = k - k % 8, p = 0;
    for (; p < kFull; p += 8) {
        __m256 av = _mm256_loadu_ps(arow + p);
        for (int r = 0; r < 8; r++) acc[r] = _mm256_fmadd_ps(av, _mm256_loadu_ps(brow[r] + p), acc[r]);
    }
    if (kFull < k) {
        __m256i tail = lane_mask(k % 8);
        __m256 av = _mm256_maskload_ps(arow + kFull, tail);
        for (int r = 0; r < 8; r++) acc[r] = _mm256_fmadd_ps(av, _mm256_maskload_ps(brow[r] + kFull, tail), acc[r]);
    }
    small_dot8_store(acc, rows, alpha, beta, c);
}

__attribute__((target("avx512f,avx2,fma"))) static void small_dot8_avx512(
    const float *restrict arow, const float *brow[8], long k, int rows, float alpha, float beta, float *restrict c) {
    __m512 acc[8];
    for (int r = 0; r < 8; r++) acc[r] = _mm512_setzero_ps();
    long kFull = k - k % 16, p = 0;
    for (; p < kFull; p += 16) {
        __m512 av = _mm512_loadu_ps(arow + p);
        for (int r = 0; r < 8; r++) acc[r] = _mm512_fmadd_ps(av, _mm512_loadu_ps(brow[r] + p), acc[r]);
    }
    if (kFull < k) {
        __mmask16 tail = (__mmask16)((1u << (k % 16)) - 1);
        __m512 av = _mm512_maskz_loadu_ps(tail, arow + kFull);
        for (int r = 0; r < 8; r++) acc[r] = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(tail, brow[r] + kFull), acc[r]);
    }
    // Fold each 16-lane sum to 8 lanes, then reduce as the AVX2 path does.
    __m256 half[8];
    for (int r = 0; r < 8; r++)
        half[r] = _mm256_add_ps(_mm512_castps512_ps256(acc[r]),
                                _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(acc[r]), 1)));
    small_dot8_store(half, rows, alpha, beta, c);
}

// Tiny Float products with explicit AVX2 (the batch-1 training step lives here, e.g. 1×784·784×10).
// Rows path (B not transposed): each block of up to 32 columns of a C row stays in registers
// while k runs; ragged columns use masked loads and stores.
// Dot path (B transposed): eight rows of B at a time against one row of op(A) (AVX-512 when available).
__attribute__((target("avx2,fma"))) static void sgemm_small_avx2(
    int transposeA, int transposeB, long m, long n, long k, float alpha, const float *restrict a, long lda,
    const float *restrict b, long ldb, float beta, float *restrict c, long ldc) {
    if (!transposeB) {
        int wide = descent_isa_current() >= DESCENT_ISA_AVX512;
        for (long j0 = 0; j0 < n; j0 += 32) {
            if (wide && n - j0 >= 64) {
                for (long i = 0; i < m; i++) small_row_block64_avx512(transposeA, i, j0, k, alpha, a, lda, b, ldb, beta, c, ldc);
                j0 += 32;  // two blocks done
                continue;
            }
            long w = n - j0 < 32 ? n - j0 : 32;
            for (long i = 0; i < m; i++) {
                switch ((w + 7) / 8) {
                case 1: small_row_block1(transposeA, i, j0, k, alpha, a, lda, b, ldb, beta, c, ldc, w); break;
                case 2: small_row_block2(transposeA, i, j0, k, alpha, a, lda, b, ldb, beta, c, ldc, w); break;
                case 3: small_row_block3(transposeA, i, j0, k, alpha, a, lda, b, ldb, beta, c, ldc, w); break;
                default: small_row_block4(transposeA, i, j0, k, alpha, a, lda, b, ldb, beta, c, ldc, w); break;
                }
            }
        }
        return;
    }
    // Dot path. A transposed (its row i strided) is first gathered into a contiguous buffer.
    float *gathered = transposeA ? descent_workspace(2, (size_t)k * sizeof(float)) : NULL;
    int wide = descent_isa_current() >= DESCENT_ISA_AVX512;
    for (long i = 0; i < m; i++) {
        const float *arow = a + i * lda;
        if (transposeA) {
            for (long p = 0; p < k; p++) gathered[p] = a[p * lda + i];
            arow = gathered;
        }
        float *crow = c + i * ldc;
        for (long j = 0; j < n; j += 8) {
            int rows = n - j < 8 ? (int)(n - j) : 8;
            const float *brow[8];
            for (int r = 0; r < 8; r++) brow[r] = b + (j + (r < rows ? r : 0)) * ldb;
            if (wide) small_dot8_avx512(arow, brow, k, rows, alpha, beta, crow + j);
            else small_dot8_avx2(arow, brow, k, rows, alpha, beta, crow + j);
        }
    }
}
#endif

void descent_sgemm_small(int transposeA, int transposeB, long m, long n, long k, float alpha, const float *a,
                         long lda, const float *b, long ldb, float beta, float *c, long ldc) {
#ifdef DESCENT_X86
    if (descent_isa_current() >= DESCENT_ISA_AVX2) {
        sgemm_small_avx2(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
#endif
    sgemm_small_portable(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void descent_dgemm_small(int transposeA, int transposeB, long m, long n, long k, double alpha, const double *a,
                         long lda, const double *b, long ldb, double beta, double *c, long ldc) {
#ifdef DESCENT_X86
    if (descent_isa_current() >= DESCENT_ISA_AVX2) {
        dgemm_small_avx2(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
#endif
    dgemm_small_portable(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
