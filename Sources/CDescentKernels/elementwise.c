// Vectorised Float math for the elementwise kernels.
//
// libm's expf/logf/tanhf are far slower than memory (BENCHMARKS.md, "Design measurements",
// "Vectorised exp"). These versions
// process eight Floats at a time with AVX2 + FMA, or sixteen with AVX-512 for exp, tanh and
// sigmoid (`target` attributes plus a run-time check, so the package needs no compiler flags), using Cephes-style range reduction and polynomials
// (S. L. Moshier, Cephes Math Library, `expf.c`, `logf.c`, `tanhf.c`): about 1 ulp, and IEEE
// results for ±0, ±inf, NaN, overflow and underflow. Without AVX2 they fall back to libm.
// The last n mod 8 elements go through the same vector code via a small buffer, so a value
// gives the same result wherever it sits in the array.
#include "CDescentKernels.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define DESCENT_X86 1
#endif

#ifdef DESCENT_X86
#define AVX2 __attribute__((target("avx2,fma")))

// exp(x) for eight lanes: x = n·ln2 + r with |r| ≤ ln2/2, exp(r) by a degree-7 polynomial,
// then 2^n applied as two factors so that n down to -150 (subnormal results) and up to 128
// never builds an out-of-range exponent.
AVX2 static inline __m256 exp8(__m256 x) {
    const __m256 maxInput = _mm256_set1_ps(88.72283172607421875f);  // largest x with finite expf
    const __m256 minInput = _mm256_set1_ps(-103.97208404541015625f);  // below: expf rounds to 0
    __m256 isNaN = _mm256_cmp_ps(x, x, _CMP_UNORD_Q);
    __m256 overflow = _mm256_cmp_ps(x, maxInput, _CMP_GT_OQ);
    __m256 underflow = _mm256_cmp_ps(x, minInput, _CMP_LT_OQ);
    __m256 v = _mm256_min_ps(_mm256_max_ps(x, minInput), maxInput);

    __m256 n = _mm256_round_ps(_mm256_mul_ps(v, _mm256_set1_ps(1.44269504088896341f)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    // ln2 split in a part with few significant bits (n·hi is exact) and the rest.
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), v);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);

    __m256 p = _mm256_set1_ps(1.9875691500E-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507E-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073E-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894E-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459E-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201E-1f));
    __m256 r2 = _mm256_mul_ps(r, r);
    p = _mm256_fmadd_ps(p, r2, r);
    p = _mm256_add_ps(p, _mm256_set1_ps(1.0f));

    __m256i ni = _mm256_cvtps_epi32(n);
    __m256i half = _mm256_srai_epi32(ni, 1);
    __m256i rest = _mm256_sub_epi32(ni, half);
    const __m256i bias = _mm256_set1_epi32(127);
    __m256 scale1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(half, bias), 23));
    __m256 scale2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(rest, bias), 23));
    __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, scale1), scale2);

    y = _mm256_blendv_ps(y, _mm256_set1_ps(INFINITY), overflow);
    y = _mm256_blendv_ps(y, _mm256_setzero_ps(), underflow);
    return _mm256_blendv_ps(y, x, isNaN);
}

// log(x) for eight lanes: x = 2^e·m with m in [√½, √2), log(1+f) = f − f²/2 + f³·P(f).
AVX2 static inline __m256 log8(__m256 x) {
    const __m256 one = _mm256_set1_ps(1.0f);
    __m256 isNaNOrNegative = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_NGE_UQ);  // x < 0 or NaN
    __m256 isZero = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_EQ_OQ);
    __m256 isInfinite = _mm256_cmp_ps(x, _mm256_set1_ps(INFINITY), _CMP_EQ_OQ);

    // Subnormal inputs are scaled by 2^23 first so the exponent field is meaningful.
    __m256 subnormal = _mm256_cmp_ps(x, _mm256_set1_ps(1.17549435e-38f), _CMP_LT_OQ);
    __m256 v = _mm256_blendv_ps(x, _mm256_mul_ps(x, _mm256_set1_ps(8388608.0f)), subnormal);
    __m256 exponentShift = _mm256_and_ps(subnormal, _mm256_set1_ps(23.0f));

    __m256i bits = _mm256_castps_si256(v);
    __m256i exponentBits = _mm256_srli_epi32(bits, 23);
    __m256 e = _mm256_sub_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(exponentBits, _mm256_set1_epi32(127))),
                             exponentShift);
    __m256 m = _mm256_castsi256_ps(
        _mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x007FFFFF)), _mm256_set1_epi32(0x3F800000)));
    __m256 large = _mm256_cmp_ps(m, _mm256_set1_ps(1.41421356237309505f), _CMP_GT_OQ);
    m = _mm256_blendv_ps(m, _mm256_mul_ps(m, _mm256_set1_ps(0.5f)), large);
    e = _mm256_add_ps(e, _mm256_and_ps(large, one));
    __m256 f = _mm256_sub_ps(m, one);

    __m256 p = _mm256_set1_ps(7.0376836292E-2f);
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(-1.1514610310E-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(1.1676998740E-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(-1.2420140846E-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(1.4249322787E-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(-1.6668057665E-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(2.0000714765E-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(-2.4999993993E-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(3.3333331174E-1f));
    __m256 z = _mm256_mul_ps(f, f);
    __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, z), f);
    y = _mm256_fmadd_ps(e, _mm256_set1_ps(-2.12194440e-4f), y);
    y = _mm256_fnmadd_ps(z, _mm256_set1_ps(0.5f), y);
    y = _mm256_add_ps(f, y);
    y = _mm256_fmadd_ps(e, _mm256_set1_ps(0.693359375f), y);

    y = _mm256_blendv_ps(y, _mm256_set1_ps(INFINITY), isInfinite);
    y = _mm256_blendv_ps(y, _mm256_set1_ps(-INFINITY), isZero);
    return _mm256_blendv_ps(y, _mm256_set1_ps(NAN), isNaNOrNegative);
}

// tanh(x): an odd polynomial for |x| < 0.625, else sign(x)·(1 − 2/(e^{2|x|} + 1)).
AVX2 static inline __m256 tanh8(__m256 x) {
    const __m256 signMask = _mm256_set1_ps(-0.0f);
    __m256 sign = _mm256_and_ps(x, signMask);
    __m256 ax = _mm256_andnot_ps(signMask, x);
    __m256 small = _mm256_cmp_ps(ax, _mm256_set1_ps(0.625f), _CMP_LT_OQ);

    __m256 z = _mm256_mul_ps(x, x);
    __m256 p = _mm256_set1_ps(-5.70498872745E-3f);
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(2.06390887954E-2f));
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(-5.37397155531E-2f));
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(1.33314422036E-1f));
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(-3.33332819422E-1f));
    // OR-ing the sign keeps tanh(−0) = −0 (the sum x + x·z·P(z) would round it to +0).
    __m256 polynomial = _mm256_or_ps(_mm256_fmadd_ps(_mm256_mul_ps(p, z), x, x), sign);

    __m256 e = exp8(_mm256_add_ps(ax, ax));
    __m256 large = _mm256_sub_ps(_mm256_set1_ps(1.0f),
                                 _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, _mm256_set1_ps(1.0f))));
    large = _mm256_or_ps(large, sign);
    return _mm256_blendv_ps(large, polynomial, small);
}

// sigmoid(x) = 1/(1+e^{−x}) for x ≥ 0 and e^{x}/(1+e^{x}) for x < 0, with e = exp(−|x|) ≤ 1,
// so neither form overflows or cancels; one division keeps the error near 2 ulp.
AVX2 static inline __m256 sigmoid8(__m256 x) {
    const __m256 signMask = _mm256_set1_ps(-0.0f);
    __m256 e = exp8(_mm256_or_ps(x, signMask));  // exp(−|x|); NaN stays NaN
    __m256 negative = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
    __m256 numerator = _mm256_blendv_ps(_mm256_set1_ps(1.0f), e, negative);
    return _mm256_div_ps(numerator, _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

#define DEFINE_MAP_AVX2(NAME, FUNCTION)                                                            \
    AVX2 static void NAME(const float *x, float *y, long n) {                                      \
        long i = 0;                                                                                \
        for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, FUNCTION(_mm256_loadu_ps(x + i)));      \
        if (i < n) {                                                                               \
            float buffer[8] = {0};                                                                 \
            memcpy(buffer, x + i, (size_t)(n - i) * sizeof(float));                                \
            _mm256_storeu_ps(buffer, FUNCTION(_mm256_loadu_ps(buffer)));                           \
            memcpy(y + i, buffer, (size_t)(n - i) * sizeof(float));                                \
        }                                                                                          \
    }

DEFINE_MAP_AVX2(exp_avx2, exp8)
DEFINE_MAP_AVX2(log_avx2, log8)
DEFINE_MAP_AVX2(tanh_avx2, tanh8)
DEFINE_MAP_AVX2(sigmoid_avx2, sigmoid8)

// MARK: AVX-512 versions (sixteen lanes, the same algorithms; masks replace blends)

#define AVX512 __attribute__((target("avx512f")))

AVX512 static inline __m512 exp16(__m512 x) {
    const __m512 maxInput = _mm512_set1_ps(88.72283172607421875f);
    const __m512 minInput = _mm512_set1_ps(-103.97208404541015625f);
    __mmask16 isNaN = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
    __mmask16 overflow = _mm512_cmp_ps_mask(x, maxInput, _CMP_GT_OQ);
    __mmask16 underflow = _mm512_cmp_ps_mask(x, minInput, _CMP_LT_OQ);
    __m512 v = _mm512_min_ps(_mm512_max_ps(x, minInput), maxInput);
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(v, _mm512_set1_ps(1.44269504088896341f)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), v);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.9875691500E-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507E-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073E-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894E-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459E-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201E-1f));
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r);
    p = _mm512_add_ps(p, _mm512_set1_ps(1.0f));
    __m512i ni = _mm512_cvtps_epi32(n);
    __m512i half = _mm512_srai_epi32(ni, 1);
    __m512i rest = _mm512_sub_epi32(ni, half);
    const __m512i bias = _mm512_set1_epi32(127);
    __m512 scale1 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(half, bias), 23));
    __m512 scale2 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(rest, bias), 23));
    __m512 y = _mm512_mul_ps(_mm512_mul_ps(p, scale1), scale2);
    y = _mm512_mask_mov_ps(y, overflow, _mm512_set1_ps(INFINITY));
    y = _mm512_mask_mov_ps(y, underflow, _mm512_setzero_ps());
    return _mm512_mask_mov_ps(y, isNaN, x);
}

AVX512 static inline __m512 sigmoid16(__m512 x) {
    __m512 e = exp16(_mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(x), _mm512_set1_epi32((int)0x80000000))));
    __mmask16 negative = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
    __m512 numerator = _mm512_mask_mov_ps(_mm512_set1_ps(1.0f), negative, e);
    return _mm512_div_ps(numerator, _mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

AVX512 static inline __m512 tanh16(__m512 x) {
    const __m512i signMask = _mm512_set1_epi32((int)0x80000000);
    __m512i sign = _mm512_and_si512(_mm512_castps_si512(x), signMask);
    __m512 ax = _mm512_castsi512_ps(_mm512_andnot_si512(signMask, _mm512_castps_si512(x)));
    __mmask16 small = _mm512_cmp_ps_mask(ax, _mm512_set1_ps(0.625f), _CMP_LT_OQ);
    __m512 z = _mm512_mul_ps(x, x);
    __m512 p = _mm512_set1_ps(-5.70498872745E-3f);
    p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(2.06390887954E-2f));
    p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(-5.37397155531E-2f));
    p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(1.33314422036E-1f));
    p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(-3.33332819422E-1f));
    __m512 polynomial = _mm512_fmadd_ps(_mm512_mul_ps(p, z), x, x);
    __m512 e = exp16(_mm512_add_ps(ax, ax));
    __m512 large = _mm512_sub_ps(_mm512_set1_ps(1.0f),
                                 _mm512_div_ps(_mm512_set1_ps(2.0f), _mm512_add_ps(e, _mm512_set1_ps(1.0f))));
    __m512 y = _mm512_mask_mov_ps(large, small, polynomial);
    return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(y), sign));
}

#define DEFINE_MAP_AVX512(NAME, FUNCTION)                                                          \
    AVX512 static void NAME(const float *x, float *y, long n) {                                    \
        long i = 0;                                                                                \
        for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, FUNCTION(_mm512_loadu_ps(x + i)));    \
        if (i < n) {                                                                               \
            __mmask16 tail = (__mmask16)((1u << (n - i)) - 1);                                     \
            _mm512_mask_storeu_ps(y + i, tail, FUNCTION(_mm512_maskz_loadu_ps(tail, x + i)));      \
        }                                                                                          \
    }

DEFINE_MAP_AVX512(exp_avx512, exp16)
DEFINE_MAP_AVX512(tanh_avx512, tanh16)
DEFINE_MAP_AVX512(sigmoid_avx512, sigmoid16)

// Sum: four eight-lane accumulators over blocks of 1024 values, each block total added in Double,
// so the error grows with the number of blocks rather than with n.
AVX2 static float sum_avx2(const float *x, long n) {
    double total = 0;
    long i = 0;
    while (i + 32 <= n) {
        long end = i + 1024 <= n ? i + 1024 : n - (n - i) % 32;
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        for (; i < end; i += 32) {
            a0 = _mm256_add_ps(a0, _mm256_loadu_ps(x + i));
            a1 = _mm256_add_ps(a1, _mm256_loadu_ps(x + i + 8));
            a2 = _mm256_add_ps(a2, _mm256_loadu_ps(x + i + 16));
            a3 = _mm256_add_ps(a3, _mm256_loadu_ps(x + i + 24));
        }
        __m256 s = _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3));
        __m256d wide = _mm256_add_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(s)),
                                     _mm256_cvtps_pd(_mm256_extractf128_ps(s, 1)));
        double lanes[4];
        _mm256_storeu_pd(lanes, wide);
        total += (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    }
    for (; i < n; i++) total += x[i];
    return (float)total;
}
#endif

static float sigmoid_scalar(float v) {
    if (v >= 0) return 1.0f / (1.0f + expf(-v));
    float e = expf(v);
    return e / (1.0f + e);
}

#ifdef DESCENT_X86
#define USE_AVX2 (descent_isa_current() >= DESCENT_ISA_AVX2)
#define USE_AVX512 (descent_isa_current() >= DESCENT_ISA_AVX512)
#else
#define USE_AVX512 0
#define exp_avx512(x, y, n)
#define tanh_avx512(x, y, n)
#define sigmoid_avx512(x, y, n)
#define USE_AVX2 0
#define exp_avx2(x, y, n)
#define log_avx2(x, y, n)
#define tanh_avx2(x, y, n)
#define sigmoid_avx2(x, y, n)
#endif

void descent_exp_f32(const float *x, float *y, long n) {
    if (USE_AVX512) { exp_avx512(x, y, n); return; }
    if (USE_AVX2) { exp_avx2(x, y, n); return; }
    for (long i = 0; i < n; i++) y[i] = expf(x[i]);
}

void descent_log_f32(const float *x, float *y, long n) {
    if (USE_AVX2) { log_avx2(x, y, n); return; }
    for (long i = 0; i < n; i++) y[i] = logf(x[i]);
}

void descent_tanh_f32(const float *x, float *y, long n) {
    if (USE_AVX512) { tanh_avx512(x, y, n); return; }
    if (USE_AVX2) { tanh_avx2(x, y, n); return; }
    for (long i = 0; i < n; i++) y[i] = tanhf(x[i]);
}

void descent_sigmoid_f32(const float *x, float *y, long n) {
    if (USE_AVX512) { sigmoid_avx512(x, y, n); return; }
    if (USE_AVX2) { sigmoid_avx2(x, y, n); return; }
    for (long i = 0; i < n; i++) y[i] = sigmoid_scalar(x[i]);
}

float descent_sum_f32(const float *x, long n) {
#ifdef DESCENT_X86
    if (USE_AVX2) return sum_avx2(x, n);
#endif
    // Eight partial sums per block of 1024, block totals in Double (the same scheme as AVX2).
    double total = 0;
    long i = 0;
    while (i < n) {
        long end = i + 1024 <= n ? i + 1024 : n;
        float lanes[8] = {0};
        for (; i + 8 <= end; i += 8)
            for (int l = 0; l < 8; l++) lanes[l] += x[i + l];
        for (; i < end; i++) lanes[0] += x[i];
        double block = 0;
        for (int l = 0; l < 8; l++) block += lanes[l];
        total += block;
    }
    return (float)total;
}

double descent_sum_f64(const double *x, long n) {
    double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    long i = 0;
    for (; i + 4 <= n; i += 4) {
        a0 += x[i];
        a1 += x[i + 1];
        a2 += x[i + 2];
        a3 += x[i + 3];
    }
    for (; i < n; i++) a0 += x[i];
    return (a0 + a1) + (a2 + a3);
}
