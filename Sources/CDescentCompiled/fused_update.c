// Optimizer updates whose gradient is an outer product, applied without materialising it.
//
// In a training step on one sample, a Linear layer's weight gradient is ∂W[i, j] = u[i]·x[j]
// (u: the gradient at the layer's output, x: its input). The unfused step writes that product
// into a gradient buffer (one pass over rows·columns scalars) and the optimizer reads it back
// (a second pass, beside the weights and its state). Here each element's gradient is formed in a
// register, g = u[i]·x[j], and the optimizer's rule is applied to it at once.
//
// The rules are those of CDescentKernels' update_rules.h, the definitions optimizers.c uses too,
// so every element gets exactly the operations of the optimizer's own loop, in the same order,
// with separate multiplies and adds (no FMA contraction): the weights and the state are
// bit-identical to "write ∂W, then step"; only the vector width changes. `kind` (with c0…c5):
//   0 DESCENT_SGD (r)   1 DESCENT_SGD_FIRST (r)   2 DESCENT_SGD_MOMENTUM (r, μ, 1 − τ)
//   3 DESCENT_ADAM (w1, β₂, w2, step, root, ε)
//
// Rows are updated last to first: the forward pass that follows reads the weights first to last,
// so it starts on the rows touched most recently, which a cache a little smaller than the
// weights still holds (walking both passes in the same order evicts each row just before its
// next use). Rows are independent, so the order changes no result.
#pragma STDC FP_CONTRACT OFF
#include "CDescentCompiled.h"
#include <CDescentKernels.h>
#include "../CDescentKernels/update_rules.h"  // the per-element rules, shared with optimizers.c

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define DESCENT_X86 1
#endif

// One group of lanes of a row: the rules of update_rules.h with the gradient g = u[i]·x[j]
// formed in a register. LD/ST load and store a vector at a pointer; the arithmetic macros are
// the vector (or scalar) operations. `gi` is u[i] broadcast; c0…c5 are the rule's constants.
#define OUTER_GRADIENT(LD, MUL, j) MUL(gi, LD(x + (j)))
#define OUTER_SGD(LD, ST, MUL, ADD, j) DESCENT_SGD(LD, ST, MUL, ADD, OUTER_GRADIENT(LD, MUL, j), pr + (j), c0)
#define OUTER_SGD_FIRST(LD, ST, MUL, ADD, j)                                                       \
    DESCENT_SGD_FIRST(LD, ST, MUL, ADD, OUTER_GRADIENT(LD, MUL, j), pr + (j), br + (j), c0)
#define OUTER_SGD_MOMENTUM(LD, ST, MUL, ADD, j)                                                    \
    DESCENT_SGD_MOMENTUM(LD, ST, MUL, ADD, OUTER_GRADIENT(LD, MUL, j), pr + (j), br + (j), c0, c1, c2)
#define OUTER_ADAM(LD, ST, MUL, ADD, SUB, DIV, SQRT, j)                                            \
    DESCENT_ADAM(LD, ST, MUL, ADD, SUB, DIV, SQRT, OUTER_GRADIENT(LD, MUL, j), pr + (j), mr + (j), vr + (j), \
                 c0, c1, c2, c3, c4, c5)

// Row pointers for row i of the block.
#define ROW_POINTERS(T)                                                                            \
    T *pr = p + i * columns;                                                                       \
    T *br = s1 ? s1 + i * columns : 0;                                                             \
    T *mr = br;                                                                                    \
    T *vr = s2 ? s2 + i * columns : 0;                                                             \
    (void)br; (void)mr; (void)vr;

// The scalar loop over columns [start, columns) of one row, for every kind.
#define SCALAR_ROW(SQRT, start)                                                                    \
    switch (kind) {                                                                                \
    case 0: for (long j = (start); j < columns; j++) OUTER_SGD(S_LD, S_ST, S_MUL, S_ADD, j) break; \
    case 1: for (long j = (start); j < columns; j++) OUTER_SGD_FIRST(S_LD, S_ST, S_MUL, S_ADD, j) break; \
    case 2: for (long j = (start); j < columns; j++) OUTER_SGD_MOMENTUM(S_LD, S_ST, S_MUL, S_ADD, j) break; \
    default: for (long j = (start); j < columns; j++) OUTER_ADAM(S_LD, S_ST, S_MUL, S_ADD, S_SUB, S_DIV, SQRT, j) break; \
    }

static void outer_f32_portable(int kind, float *p, const float *u, const float *x, long rows, long columns,
                               float *s1, float *s2, float c0, float c1, float c2, float c3, float c4, float c5) {
    for (long i = rows - 1; i >= 0; i--) {
        ROW_POINTERS(float)
        float gi = u[i];
        SCALAR_ROW(S_SQRTF, 0)
    }
}

static void outer_f64_portable(int kind, double *p, const double *u, const double *x, long rows, long columns,
                               double *s1, double *s2, double c0, double c1, double c2, double c3, double c4, double c5) {
    for (long i = rows - 1; i >= 0; i--) {
        ROW_POINTERS(double)
        double gi = u[i];
        SCALAR_ROW(S_SQRT, 0)
    }
}

#ifdef DESCENT_X86
// The vector row loop: full vectors of W lanes, then TAIL for the remaining columns. The kind is
// switched on outside the column loop.
// The full vectors of a row for every kind, with AFTER(j) run after each (the look-ahead's dot).
#define KIND_LOOP(W, LD, ST, MUL, ADD, SUB, DIV, SQRT, AFTER)                                       \
    switch (kind) {                                                                                \
    case 0: for (long j = 0; j < full; j += (W)) { OUTER_SGD(LD, ST, MUL, ADD, j) AFTER(j) } break; \
    case 1: for (long j = 0; j < full; j += (W)) { OUTER_SGD_FIRST(LD, ST, MUL, ADD, j) AFTER(j) } break; \
    case 2: for (long j = 0; j < full; j += (W)) { OUTER_SGD_MOMENTUM(LD, ST, MUL, ADD, j) AFTER(j) } break; \
    default: for (long j = 0; j < full; j += (W)) { OUTER_ADAM(LD, ST, MUL, ADD, SUB, DIV, SQRT, j) AFTER(j) } break; \
    }
#define NOTHING_AFTER(j)
#define VECTOR_ROW(W, LD, ST, MUL, ADD, SUB, DIV, SQRT, TAIL)                                      \
    long full = columns - columns % (W);                                                           \
    KIND_LOOP(W, LD, ST, MUL, ADD, SUB, DIV, SQRT, NOTHING_AFTER)                                  \
    TAIL

#define AVX2 __attribute__((target("avx2")))
#define AVX512 __attribute__((target("avx512f")))

// One definition per element type (T, its 256-bit vector VT, W lanes, intrinsic suffix SFX,
// the scalar square root for the tail).
#define DEFINE_OUTER_AVX2(NAME, T, VT, W, SFX, SCALAR_SQRT)                                         \
    AVX2 static void NAME(int kind, T *p, const T *u, const T *x, long rows, long columns, T *s1, T *s2,  \
                          T c0s, T c1s, T c2s, T c3s, T c4s, T c5s) {                              \
        for (long i = rows - 1; i >= 0; i--) {                                                     \
            ROW_POINTERS(T)                                                                        \
            {                                                                                      \
                const VT gi = _mm256_set1_##SFX(u[i]);                                             \
                const VT c0 = _mm256_set1_##SFX(c0s), c1 = _mm256_set1_##SFX(c1s), c2 = _mm256_set1_##SFX(c2s); \
                const VT c3 = _mm256_set1_##SFX(c3s), c4 = _mm256_set1_##SFX(c4s), c5 = _mm256_set1_##SFX(c5s); \
                VECTOR_ROW(W, _mm256_loadu_##SFX, _mm256_storeu_##SFX, _mm256_mul_##SFX, _mm256_add_##SFX, \
                           _mm256_sub_##SFX, _mm256_div_##SFX, _mm256_sqrt_##SFX, )                \
            }                                                                                      \
            {                                                                                      \
                const T gi = u[i], c0 = c0s, c1 = c1s, c2 = c2s, c3 = c3s, c4 = c4s, c5 = c5s;     \
                SCALAR_ROW(SCALAR_SQRT, columns - columns % (W))                                   \
            }                                                                                      \
        }                                                                                          \
    }

DEFINE_OUTER_AVX2(outer_f32_avx2, float, __m256, 8, ps, S_SQRTF)
DEFINE_OUTER_AVX2(outer_f64_avx2, double, __m256d, 4, pd, S_SQRT)

// AVX-512: the ragged end of a row goes through masked loads and stores (the masked-off lanes
// compute on zeros and are never stored).
#define M512_LDF(ptr) _mm512_maskz_loadu_ps(tail, (ptr))
#define M512_STF(ptr, value) _mm512_mask_storeu_ps((ptr), tail, (value))
#define M512_LDD(ptr) _mm512_maskz_loadu_pd(tail, (ptr))
#define M512_STD(ptr, value) _mm512_mask_storeu_pd((ptr), tail, (value))
#define MASKED_TAIL(W, LD, ST, MUL, ADD, SUB, DIV, SQRT)                                           \
    if (full < columns) {                                                                          \
        long j = full;                                                                             \
        switch (kind) {                                                                            \
        case 0: OUTER_SGD(LD, ST, MUL, ADD, j) break;                                              \
        case 1: OUTER_SGD_FIRST(LD, ST, MUL, ADD, j) break;                                        \
        case 2: OUTER_SGD_MOMENTUM(LD, ST, MUL, ADD, j) break;                                     \
        default: OUTER_ADAM(LD, ST, MUL, ADD, SUB, DIV, SQRT, j) break;                            \
        }                                                                                          \
    }

// One definition per element type (T, its 512-bit vector VT, W lanes, the tail mask type M,
// intrinsic suffix SFX, the masked load and store macros above).
#define DEFINE_OUTER_AVX512(NAME, T, VT, W, M, SFX, MASKED_LD, MASKED_ST)                           \
    AVX512 static void NAME(int kind, T *p, const T *u, const T *x, long rows, long columns, T *s1, T *s2, \
                            T c0s, T c1s, T c2s, T c3s, T c4s, T c5s) {                            \
        const VT c0 = _mm512_set1_##SFX(c0s), c1 = _mm512_set1_##SFX(c1s), c2 = _mm512_set1_##SFX(c2s); \
        const VT c3 = _mm512_set1_##SFX(c3s), c4 = _mm512_set1_##SFX(c4s), c5 = _mm512_set1_##SFX(c5s); \
        const M tail = (M)((1u << (columns % (W))) - 1);                                           \
        for (long i = rows - 1; i >= 0; i--) {                                                     \
            ROW_POINTERS(T)                                                                        \
            const VT gi = _mm512_set1_##SFX(u[i]);                                                 \
            VECTOR_ROW(W, _mm512_loadu_##SFX, _mm512_storeu_##SFX, _mm512_mul_##SFX, _mm512_add_##SFX, \
                       _mm512_sub_##SFX, _mm512_div_##SFX, _mm512_sqrt_##SFX,                      \
                       MASKED_TAIL(W, MASKED_LD, MASKED_ST, _mm512_mul_##SFX, _mm512_add_##SFX,     \
                                   _mm512_sub_##SFX, _mm512_div_##SFX, _mm512_sqrt_##SFX))         \
        }                                                                                          \
    }

DEFINE_OUTER_AVX512(outer_f32_avx512, float, __m512, 16, __mmask16, ps, M512_LDF, M512_STF)
DEFINE_OUTER_AVX512(outer_f64_avx512, double, __m512d, 8, __mmask8, pd, M512_LDD, M512_STD)
#endif

// MARK: - The update followed by the next sample's dot products (Float, AVX2 / AVX-512)
//
// With the next sample known, the first layer's update also computes that sample's outputs
// z[i] = b[i] + Σⱼ W′[i, j]·x′[j] from each row W′[i, ·] just written, while it is in registers
// and L1, instead of reading the 800 KB of weights again in the next forward pass. The dot
// product is the one the forward pass would compute (gemm.c, `small_dot8_*`, the batch-1 path):
// one accumulator of W lanes per row with FMA, the ragged end through a masked load of zeros,
// for AVX-512 the two 8-lane halves added, then ((h0+h1)+(h2+h3)) + ((h4+h5)+(h6+h7)) as the
// horizontal adds do, then `alpha·s + beta·c` with alpha = beta = 1 (the bias copied into the
// output first). So z is bit-identical to the next forward pass's.
#ifdef DESCENT_X86

// The horizontal sum of eight lanes in small_dot8_store's order.
AVX2 static inline float dot_tree8(__m256 h) {
    float lanes[8];
    _mm256_storeu_ps(lanes, h);
    return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

AVX2 static inline __m256i lanes_below(long width) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)width), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// One row's output from its accumulator (1·s, then + 1·b when there is a bias).
#define STORE_OUTPUT(sum)                                                                          \
    { float s_ = 1.0f * (sum);                                                                     \
      z[i] = bias ? s_ + 1.0f * bias[i] : s_; }

// Rows go four at a time, their column loops interleaved: a row's dot product is one chain of
// dependent FMAs (the forward kernel's arithmetic, which the look-ahead must reproduce), so one
// row at a time waits on FMA latency (49 in a row for 784 columns) with the load and store units
// idle; four rows give four independent chains. Each row still gets exactly its own operations
// in its own order.
#define ROWS_AT_ONCE 4
// The group's row pointers, broadcast u[row] and zeroed accumulators (vector type VT, SET1 and
// ZERO its intrinsics), for rows i, i − 1, …, i − 3.
#define GROUP_SETUP(VT, SET1, ZERO)                                                                \
    float *prs[ROWS_AT_ONCE], *brs[ROWS_AT_ONCE], *vrs[ROWS_AT_ONCE];                              \
    VT gis[ROWS_AT_ONCE], accs[ROWS_AT_ONCE];                                                      \
    for (int r = 0; r < ROWS_AT_ONCE; r++) {                                                       \
        long row = i - r;                                                                          \
        prs[r] = p + row * columns;                                                                \
        brs[r] = s1 ? s1 + row * columns : 0;                                                      \
        vrs[r] = s2 ? s2 + row * columns : 0;                                                      \
        gis[r] = SET1(u[row]);                                                                     \
        accs[r] = ZERO();                                                                          \
    }

// The scalar tail, the tail's dot lanes and the output of one row `i` with accumulator `acc`.
#define FINISH_ROW_AVX2(acc)                                                                       \
    if (full < columns) {                                                                          \
        const float gi = u[i], c0 = c0s, c1 = c1s, c2 = c2s, c3 = c3s, c4 = c4s, c5 = c5s;         \
        SCALAR_ROW(S_SQRTF, full)                                                                  \
        acc = _mm256_fmadd_ps(_mm256_maskload_ps(next + full, tailMask), _mm256_maskload_ps(pr + full, tailMask), acc); \
    }                                                                                              \
    STORE_OUTPUT(dot_tree8(acc))

__attribute__((target("avx2,fma"))) static void outer_dot_f32_avx2(int kind, float *p, const float *u, const float *x, long rows, long columns,
                                    float *s1, float *s2, float c0s, float c1s, float c2s, float c3s, float c4s,
                                    float c5s, const float *next, const float *bias, float *z) {
    const long full = columns - columns % 8;
    const __m256i tailMask = lanes_below(columns % 8);
    long i = rows - 1;
    // Four rows at a time (SGD kinds only; see the AVX-512 kernel for why not Adam).
    for (; kind != 3 && i >= ROWS_AT_ONCE - 1; i -= ROWS_AT_ONCE) {
        GROUP_SETUP(__m256, _mm256_set1_ps, _mm256_setzero_ps)
        {
            const __m256 c0 = _mm256_set1_ps(c0s), c1 = _mm256_set1_ps(c1s), c2 = _mm256_set1_ps(c2s);
#define ROW8(r, OUTER, j)                                                                          \
    { float *pr = prs[r], *br = brs[r];                                                            \
      const __m256 gi = gis[r];                                                                    \
      (void)br;                                                                                    \
      OUTER(_mm256_loadu_ps, _mm256_storeu_ps, _mm256_mul_ps, _mm256_add_ps, j)                    \
      accs[r] = _mm256_fmadd_ps(_mm256_loadu_ps(next + (j)), _mm256_loadu_ps(pr + (j)), accs[r]); }
#define LOOP8(OUTER)                                                                               \
    for (long j = 0; j < full; j += 8) { ROW8(0, OUTER, j) ROW8(1, OUTER, j) ROW8(2, OUTER, j) ROW8(3, OUTER, j) }
            switch (kind) {
            case 0: LOOP8(OUTER_SGD) break;
            case 1: LOOP8(OUTER_SGD_FIRST) break;
            default: LOOP8(OUTER_SGD_MOMENTUM) break;
            }
#undef LOOP8
#undef ROW8
        }
        for (int r = 0; r < ROWS_AT_ONCE; r++) {
            const long member = i - r;
            {
                const long i = member;  // the names FINISH_ROW_AVX2 uses, for member r
                ROW_POINTERS(float)
                __m256 acc = accs[r];
                FINISH_ROW_AVX2(acc)
            }
        }
    }
    // The remaining rows (and Adam's) one at a time.
    for (; i >= 0; i--) {
        ROW_POINTERS(float)
        __m256 acc = _mm256_setzero_ps();
        {
            const __m256 gi = _mm256_set1_ps(u[i]);
            const __m256 c0 = _mm256_set1_ps(c0s), c1 = _mm256_set1_ps(c1s), c2 = _mm256_set1_ps(c2s);
            const __m256 c3 = _mm256_set1_ps(c3s), c4 = _mm256_set1_ps(c4s), c5 = _mm256_set1_ps(c5s);
#define DOT8(j) acc = _mm256_fmadd_ps(_mm256_loadu_ps(next + (j)), _mm256_loadu_ps(pr + (j)), acc);
            KIND_LOOP(8, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_mul_ps, _mm256_add_ps, _mm256_sub_ps, _mm256_div_ps,
                      _mm256_sqrt_ps, DOT8)
#undef DOT8
        }
        FINISH_ROW_AVX2(acc)
    }
}

// Row r of the group: rebinds the names the OUTER_* macros use, applies `OUTER(j)`, then adds
// the updated lanes to the row's dot product.
#define GROUP_ROW(r, OUTER, j)                                                                     \
    { float *pr = prs[r], *br = brs[r], *mr = brs[r], *vr = vrs[r];                                \
      const __m512 gi = gis[r];                                                                    \
      (void)br; (void)mr; (void)vr;                                                                \
      OUTER(j)                                                                                     \
      accs[r] = _mm512_fmadd_ps(_mm512_loadu_ps(next + (j)), _mm512_loadu_ps(pr + (j)), accs[r]); }
#define GROUP_LOOP(OUTER)                                                                          \
    for (long j = 0; j < full; j += 16) {                                                          \
        GROUP_ROW(0, OUTER, j) GROUP_ROW(1, OUTER, j) GROUP_ROW(2, OUTER, j) GROUP_ROW(3, OUTER, j) \
    }
#define G_SGD(j) OUTER_SGD(_mm512_loadu_ps, _mm512_storeu_ps, _mm512_mul_ps, _mm512_add_ps, j)
#define G_SGD_FIRST(j) OUTER_SGD_FIRST(_mm512_loadu_ps, _mm512_storeu_ps, _mm512_mul_ps, _mm512_add_ps, j)
#define G_SGD_MOMENTUM(j) OUTER_SGD_MOMENTUM(_mm512_loadu_ps, _mm512_storeu_ps, _mm512_mul_ps, _mm512_add_ps, j)

// The masked tail, the tail's dot lanes and the output of one row `i` with accumulator `acc`.
#define FINISH_ROW_AVX512(acc)                                                                     \
    MASKED_TAIL(16, M512_LDF, M512_STF, _mm512_mul_ps, _mm512_add_ps, _mm512_sub_ps, _mm512_div_ps, _mm512_sqrt_ps) \
    if (full < columns)                                                                            \
        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail, next + full), _mm512_maskz_loadu_ps(tail, pr + full), acc); \
    {                                                                                              \
        __m256 half = _mm256_add_ps(_mm512_castps512_ps256(acc),                                  \
                                    _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(acc), 1))); \
        STORE_OUTPUT(dot_tree8(half))                                                              \
    }

AVX512 static void outer_dot_f32_avx512(int kind, float *p, const float *u, const float *x, long rows, long columns,
                                        float *s1, float *s2, float c0s, float c1s, float c2s, float c3s, float c4s,
                                        float c5s, const float *next, const float *bias, float *z) {
    const __m512 c0 = _mm512_set1_ps(c0s), c1 = _mm512_set1_ps(c1s), c2 = _mm512_set1_ps(c2s);
    const __m512 c3 = _mm512_set1_ps(c3s), c4 = _mm512_set1_ps(c4s), c5 = _mm512_set1_ps(c5s);
    const __mmask16 tail = (__mmask16)((1u << (columns % 16)) - 1);
    const long full = columns - columns % 16;
    long i = rows - 1;
    // Groups of four rows, last to first (rows i, i − 1, i − 2, i − 3). Not for Adam, whose
    // divisions and square roots, not the chain, set the pace: grouping made its rows slower
    // while SGD's got faster (BENCHMARKS.md, "Design measurements", "Look-ahead row groups").
    for (; kind != 3 && i >= ROWS_AT_ONCE - 1; i -= ROWS_AT_ONCE) {
        GROUP_SETUP(__m512, _mm512_set1_ps, _mm512_setzero_ps)
        switch (kind) {
        case 0: GROUP_LOOP(G_SGD) break;
        case 1: GROUP_LOOP(G_SGD_FIRST) break;
        case 2: GROUP_LOOP(G_SGD_MOMENTUM) break;
        default: break;  // Adam: one row at a time (below)
        }
        for (int r = 0; r < ROWS_AT_ONCE; r++) {
            const long member = i - r;
            {
                const long i = member;  // the names FINISH_ROW_AVX512 uses, for group member r
                float *pr = prs[r], *br = brs[r], *mr = brs[r], *vr = vrs[r];
                const __m512 gi = gis[r];
                (void)br; (void)mr; (void)vr;
                __m512 acc = accs[r];
                FINISH_ROW_AVX512(acc)
            }
        }
    }
    // The remaining rows one at a time.
    for (; i >= 0; i--) {
        ROW_POINTERS(float)
        const __m512 gi = _mm512_set1_ps(u[i]);
        __m512 acc = _mm512_setzero_ps();
#define DOT16(j) acc = _mm512_fmadd_ps(_mm512_loadu_ps(next + (j)), _mm512_loadu_ps(pr + (j)), acc);
        KIND_LOOP(16, _mm512_loadu_ps, _mm512_storeu_ps, _mm512_mul_ps, _mm512_add_ps, _mm512_sub_ps, _mm512_div_ps,
                  _mm512_sqrt_ps, DOT16)
#undef DOT16
        FINISH_ROW_AVX512(acc)
    }
}
#undef STORE_OUTPUT
#endif

int descent_outer_update_dot_f32(int isa, int kind, float *p, const float *u, const float *x, long rows, long columns,
                                 float *s1, float *s2, float c0, float c1, float c2, float c3, float c4, float c5,
                                 const float *next, const float *bias, float *z) {
#ifdef DESCENT_X86
    if (isa > descent_isa_supported()) isa = descent_isa_supported();
    if (isa >= DESCENT_ISA_AVX512) {
        outer_dot_f32_avx512(kind, p, u, x, rows, columns, s1, s2, c0, c1, c2, c3, c4, c5, next, bias, z);
        return 1;
    }
    if (isa >= DESCENT_ISA_AVX2) {
        outer_dot_f32_avx2(kind, p, u, x, rows, columns, s1, s2, c0, c1, c2, c3, c4, c5, next, bias, z);
        return 1;
    }
#endif
    (void)isa, (void)kind, (void)p, (void)u, (void)x, (void)rows, (void)columns, (void)s1, (void)s2;
    (void)c0, (void)c1, (void)c2, (void)c3, (void)c4, (void)c5, (void)next, (void)bias, (void)z;
    return 0;
}

void descent_outer_update_f32(int isa, int kind, float *p, const float *u, const float *x, long rows, long columns,
                              float *s1, float *s2, float c0, float c1, float c2, float c3, float c4, float c5) {
#ifdef DESCENT_X86
    if (isa > descent_isa_supported()) isa = descent_isa_supported();
    if (isa >= DESCENT_ISA_AVX512) { outer_f32_avx512(kind, p, u, x, rows, columns, s1, s2, c0, c1, c2, c3, c4, c5); return; }
    if (isa >= DESCENT_ISA_AVX2) { outer_f32_avx2(kind, p, u, x, rows, columns, s1, s2, c0, c1, c2, c3, c4, c5); return; }
#endif
    outer_f32_portable(kind, p, u, x, rows, columns, s1, s2, c0, c1, c2, c3, c4, c5);
}

void descent_outer_update_f64(int isa, int kind, double *p, const double *u, const double *x, long rows, long columns,
                              double *s1, double *s2, double c0, double c1, double c2, double c3, double c4, double c5) {
#ifdef DESCENT_X86
    if (isa > descent_isa_supported()) isa = descent_isa_supported();
    if (isa >= DESCENT_ISA_AVX512) { outer_f64_avx512(kind, p, u, x, rows, columns, s1, s2, c0, c1, c2, c3, c4, c5); return; }
    if (isa >= DESCENT_ISA_AVX2) { outer_f64_avx2(kind, p, u, x, rows, columns, s1, s2, c0, c1, c2, c3, c4, c5); return; }
#endif
    outer_f64_portable(kind, p, u, x, rows, columns, s1, s2, c0, c1, c2, c3, c4, c5);
}
