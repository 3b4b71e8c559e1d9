// Vectorised optimizer loops: the per-element rules of update_rules.h (written once, shared with
// the fused updates of CDescentCompiled) over a gradient read from memory. Each element gets
// exactly the operations of DescentOptim's general Swift loops, in the same order and with
// separate multiplies and adds (no FMA contraction), so updates are bit-identical; only the
// vector width changes (AVX2: 8 Floats, 4 Doubles; AVX-512 for Adam: 16, 8; instead of the 4 / 2
// of the baseline SSE2 code Swift emits without CPU flags). Each Float / Double pair comes from
// one definition (the DEFINE_* macros).
#pragma STDC FP_CONTRACT OFF
#include "CDescentKernels.h"
#include "update_rules.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define DESCENT_X86 1
#define AVX2 __attribute__((target("avx2")))
#define AVX512 __attribute__((target("avx512f")))
#define IF_X86(...) __VA_ARGS__
#else
#define IF_X86(...)
#endif

// MARK: - SGD

// The SGD loop over [i, n), W elements (or lanes) at a time, the gradient loaded from g, for
// `mode` 1 (the first momentum step), 2 (momentum) or any other (plain): the mode is switched on
// once, outside the loop.
#define SGD_LOOP(W, LD, ST, MUL, ADD, rate, momentum, oneMinusDampening)                           \
    switch (mode) {                                                                                \
    case 1: for (; i + (W) <= n; i += (W)) DESCENT_SGD_FIRST(LD, ST, MUL, ADD, LD(g + i), p + i, b + i, rate) break; \
    case 2:                                                                                        \
        for (; i + (W) <= n; i += (W))                                                             \
            DESCENT_SGD_MOMENTUM(LD, ST, MUL, ADD, LD(g + i), p + i, b + i, rate, momentum, oneMinusDampening) \
        break;                                                                                     \
    default: for (; i + (W) <= n; i += (W)) DESCENT_SGD(LD, ST, MUL, ADD, LD(g + i), p + i, rate) break; \
    }
#define SCALAR_SGD_LOOP SGD_LOOP(1, S_LD, S_ST, S_MUL, S_ADD, rate, momentum, oneMinusDampening)

// The AVX2 loop of one element type (T, its 256-bit vector VT of W lanes, intrinsic suffix SFX),
// then the scalar tail.
#define DEFINE_SGD_AVX2(NAME, T, VT, W, SFX)                                                        \
    AVX2 static void NAME(T *p, const T *g, T *b, long n, T rate, T momentum, T oneMinusDampening, int mode) { \
        const VT r = _mm256_set1_##SFX(rate), m = _mm256_set1_##SFX(momentum), d = _mm256_set1_##SFX(oneMinusDampening); \
        long i = 0;                                                                                \
        SGD_LOOP(W, _mm256_loadu_##SFX, _mm256_storeu_##SFX, _mm256_mul_##SFX, _mm256_add_##SFX, r, m, d) \
        SCALAR_SGD_LOOP                                                                            \
    }
// The entry point: AVX2 when the current level has it, else the scalar loop.
#define DEFINE_SGD(NAME, T, AVX2_NAME)                                                              \
    void NAME(T *p, const T *g, T *b, long n, T rate, T momentum, T oneMinusDampening, int mode) { \
        IF_X86(if (descent_isa_current() >= DESCENT_ISA_AVX2) {                                    \
            AVX2_NAME(p, g, b, n, rate, momentum, oneMinusDampening, mode);                        \
            return;                                                                                \
        })                                                                                         \
        long i = 0;                                                                                \
        SCALAR_SGD_LOOP                                                                            \
    }

#ifdef DESCENT_X86
DEFINE_SGD_AVX2(sgd_f32_avx2, float, __m256, 8, ps)
DEFINE_SGD_AVX2(sgd_f64_avx2, double, __m256d, 4, pd)
#endif
DEFINE_SGD(descent_sgd_f32, float, sgd_f32_avx2)
DEFINE_SGD(descent_sgd_f64, double, sgd_f64_avx2)

// MARK: - Adam

// One plain-Adam step of the element (or lanes) at i (no weight decay, AMSGrad or maximize;
// |1 − β₁| < 0.5, the form of ATen's lerp that DESCENT_ADAM computes). The gradient is loaded from g.
#define ADAM_STEP(LD, ST, MUL, ADD, SUB, DIV, SQRT, w1, beta2, w2, negativeStep, root, epsilon)    \
    DESCENT_ADAM(LD, ST, MUL, ADD, SUB, DIV, SQRT, LD(g + i), p + i, m + i, v + i, w1, beta2, w2, negativeStep, root, epsilon)
#define SCALAR_ADAM_LOOP(SQRT)                                                                     \
    for (; i < n; i++) ADAM_STEP(S_LD, S_ST, S_MUL, S_ADD, S_SUB, S_DIV, SQRT, w1, beta2, w2, negativeStep, root, epsilon)
#define ADAM_PARAMETERS(T) T *p, const T *g, T *m, T *v, long n, T w1, T beta2, T w2, T negativeStep, T root, T epsilon
#define ADAM_ARGUMENTS p, g, m, v, n, w1, beta2, w2, negativeStep, root, epsilon
// The constants broadcast to vectors of type VT by SET1.
#define ADAM_VECTOR_CONSTANTS(VT, SET1)                                                            \
    const VT W1 = SET1(w1), B2 = SET1(beta2), W2 = SET1(w2);                                       \
    const VT S = SET1(negativeStep), R = SET1(root), E = SET1(epsilon);

#ifdef DESCENT_X86
// AVX2: full vectors of W lanes, then the scalar tail (SCALAR_SQRT the scalar square root).
#define DEFINE_ADAM_AVX2(NAME, T, VT, W, SFX, SCALAR_SQRT)                                          \
    AVX2 static void NAME(ADAM_PARAMETERS(T)) {                                                    \
        ADAM_VECTOR_CONSTANTS(VT, _mm256_set1_##SFX)                                               \
        long i = 0;                                                                                \
        for (; i + (W) <= n; i += (W))                                                             \
            ADAM_STEP(_mm256_loadu_##SFX, _mm256_storeu_##SFX, _mm256_mul_##SFX, _mm256_add_##SFX, \
                      _mm256_sub_##SFX, _mm256_div_##SFX, _mm256_sqrt_##SFX, W1, B2, W2, S, R, E)  \
        SCALAR_ADAM_LOOP(SCALAR_SQRT)                                                              \
    }

// AVX-512: W lanes at a time, the last group through masked loads and stores (k: the lanes
// below n; masked-off lanes compute on zeros and are never stored). Adam's two divisions and
// square root per element set its pace, not memory (with AVX2 it took several times as long as SGD
// on the same parameters; BENCHMARKS.md, "Design measurements", "Adam loops").
#define K512_LDF(ptr) _mm512_maskz_loadu_ps(k, (ptr))
#define K512_STF(ptr, value) _mm512_mask_storeu_ps((ptr), k, (value))
#define K512_LDD(ptr) _mm512_maskz_loadu_pd(k, (ptr))
#define K512_STD(ptr, value) _mm512_mask_storeu_pd((ptr), k, (value))
#define DEFINE_ADAM_AVX512(NAME, T, VT, W, M, SFX, MASKED_LD, MASKED_ST)                            \
    AVX512 static void NAME(ADAM_PARAMETERS(T)) {                                                  \
        ADAM_VECTOR_CONSTANTS(VT, _mm512_set1_##SFX)                                               \
        for (long i = 0; i < n; i += (W)) {                                                        \
            const M k = n - i >= (W) ? (M)-1 : (M)((1u << (n - i)) - 1);                           \
            ADAM_STEP(MASKED_LD, MASKED_ST, _mm512_mul_##SFX, _mm512_add_##SFX, _mm512_sub_##SFX,  \
                      _mm512_div_##SFX, _mm512_sqrt_##SFX, W1, B2, W2, S, R, E)                    \
        }                                                                                          \
    }

DEFINE_ADAM_AVX2(adam_f32_avx2, float, __m256, 8, ps, S_SQRTF)
DEFINE_ADAM_AVX2(adam_f64_avx2, double, __m256d, 4, pd, S_SQRT)
DEFINE_ADAM_AVX512(adam_f32_avx512, float, __m512, 16, __mmask16, ps, K512_LDF, K512_STF)
DEFINE_ADAM_AVX512(adam_f64_avx512, double, __m512d, 8, __mmask8, pd, K512_LDD, K512_STD)
#endif

// Portable: the compiler's generic vectors of 32 bytes (8 Floats, 4 Doubles: two SSE2 or NEON
// registers, the lanes of the SIMD8<Float> / SIMD4<Double> Swift loop this replaces), then the
// scalar tail. The scalar loop alone does not vectorise: `__builtin_sqrt` keeps its errno
// fallback, a libm call. LANES is the function's vector type (a local typedef).
#if defined(__has_builtin)
#if __has_builtin(__builtin_elementwise_sqrt)
#define PORTABLE_VECTORS 1
#endif
#endif
#ifdef PORTABLE_VECTORS
#define LANES_COUNT(T) ((long)(32 / sizeof(T)))
#define LANES_LD(ptr) ({ LANES loaded_; __builtin_memcpy(&loaded_, (ptr), sizeof loaded_); loaded_; })
#define LANES_ST(ptr, value) ({ LANES stored_ = (value); __builtin_memcpy((ptr), &stored_, sizeof stored_); })
// Every lane set to x exactly (not 0 + x, which would turn −0 into +0).
#define LANES_BROADCAST(x)                                                                         \
    ({ LANES splat_;                                                                               \
       for (unsigned lane_ = 0; lane_ < sizeof splat_ / sizeof splat_[0]; lane_++) splat_[lane_] = (x); \
       splat_; })
#define PORTABLE_ADAM_VECTORS(T)                                                                   \
    typedef T LANES __attribute__((vector_size(32)));                                              \
    ADAM_VECTOR_CONSTANTS(LANES, LANES_BROADCAST)                                                  \
    for (; i + LANES_COUNT(T) <= n; i += LANES_COUNT(T))                                           \
        ADAM_STEP(LANES_LD, LANES_ST, S_MUL, S_ADD, S_SUB, S_DIV, __builtin_elementwise_sqrt, W1, B2, W2, S, R, E)
#else
#define PORTABLE_ADAM_VECTORS(T)
#endif

// The entry point: AVX-512, else AVX2, else the portable loop.
#define DEFINE_ADAM(NAME, T, AVX512_NAME, AVX2_NAME, SCALAR_SQRT)                                   \
    int NAME(ADAM_PARAMETERS(T)) {                                                                 \
        IF_X86(if (descent_isa_current() >= DESCENT_ISA_AVX512) { AVX512_NAME(ADAM_ARGUMENTS); return 1; } \
               if (descent_isa_current() >= DESCENT_ISA_AVX2) { AVX2_NAME(ADAM_ARGUMENTS); return 1; }) \
        long i = 0;                                                                                \
        PORTABLE_ADAM_VECTORS(T)                                                                   \
        SCALAR_ADAM_LOOP(SCALAR_SQRT)                                                              \
        return 1;                                                                                  \
    }

DEFINE_ADAM(descent_adam_f32, float, adam_f32_avx512, adam_f32_avx2, S_SQRTF)
DEFINE_ADAM(descent_adam_f64, double, adam_f64_avx512, adam_f64_avx2, S_SQRT)
