// Vectorised optimizer loops. Each element gets exactly the operations of the Swift loops in
// DescentOptim, in the same order and with separate multiplies and adds (no FMA contraction),
// so updates are bit-identical; only the vector width changes (AVX2: 8 Floats, 4 Doubles,
// instead of the 4 / 2 of the baseline SSE2 code Swift emits without CPU flags).
#pragma STDC FP_CONTRACT OFF
#include "CDescentKernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define DESCENT_X86 1
#define AVX2 __attribute__((target("avx2")))
#define USE_AVX2 (descent_isa_current() >= DESCENT_ISA_AVX2)

AVX2 static void sgd_f32_avx2(float *p, const float *g, float *b, long n, float rate, float momentum, float oneMinusDampening, int mode) {
    const __m256 r = _mm256_set1_ps(rate), m = _mm256_set1_ps(momentum), d = _mm256_set1_ps(oneMinusDampening);
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 gi = _mm256_loadu_ps(g + i);
        __m256 step = gi;
        if (mode == 1) { _mm256_storeu_ps(b + i, gi); }
        else if (mode == 2) {
            step = _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(b + i), m), _mm256_mul_ps(d, gi));
            _mm256_storeu_ps(b + i, step);
        }
        _mm256_storeu_ps(p + i, _mm256_add_ps(_mm256_loadu_ps(p + i), _mm256_mul_ps(r, step)));
    }
    for (; i < n; i++) {
        float step = g[i];
        if (mode == 1) b[i] = step;
        else if (mode == 2) { float bm = b[i] * momentum; float dg = oneMinusDampening * step; step = bm + dg; b[i] = step; }
        float rs = rate * step;
        p[i] = p[i] + rs;
    }
}

AVX2 static void sgd_f64_avx2(double *p, const double *g, double *b, long n, double rate, double momentum, double oneMinusDampening, int mode) {
    const __m256d r = _mm256_set1_pd(rate), m = _mm256_set1_pd(momentum), d = _mm256_set1_pd(oneMinusDampening);
    long i = 0;
    for (; i + 4 <= n; i += 4) {
        __m256d gi = _mm256_loadu_pd(g + i);
        __m256d step = gi;
        if (mode == 1) { _mm256_storeu_pd(b + i, gi); }
        else if (mode == 2) {
            step = _mm256_add_pd(_mm256_mul_pd(_mm256_loadu_pd(b + i), m), _mm256_mul_pd(d, gi));
            _mm256_storeu_pd(b + i, step);
        }
        _mm256_storeu_pd(p + i, _mm256_add_pd(_mm256_loadu_pd(p + i), _mm256_mul_pd(r, step)));
    }
    for (; i < n; i++) {
        double step = g[i];
        if (mode == 1) b[i] = step;
        else if (mode == 2) { double bm = b[i] * momentum; double dg = oneMinusDampening * step; step = bm + dg; b[i] = step; }
        double rs = rate * step;
        p[i] = p[i] + rs;
    }
}
#endif

void descent_sgd_f32(float *p, const float *g, float *b, long n, float rate, float momentum, float oneMinusDampening, int mode) {
#ifdef DESCENT_X86
    if (USE_AVX2) { sgd_f32_avx2(p, g, b, n, rate, momentum, oneMinusDampening, mode); return; }
#endif
    for (long i = 0; i < n; i++) {
        float step = g[i];
        if (mode == 1) b[i] = step;
        else if (mode == 2) { float bm = b[i] * momentum; float dg = oneMinusDampening * step; step = bm + dg; b[i] = step; }
        float rs = rate * step;
        p[i] = p[i] + rs;
    }
}

void descent_sgd_f64(double *p, const double *g, double *b, long n, double rate, double momentum, double oneMinusDampening, int mode) {
#ifdef DESCENT_X86
    if (USE_AVX2) { sgd_f64_avx2(p, g, b, n, rate, momentum, oneMinusDampening, mode); return; }
#endif
    for (long i = 0; i < n; i++) {
        double step = g[i];
        if (mode == 1) b[i] = step;
        else if (mode == 2) { double bm = b[i] * momentum; double dg = oneMinusDampening * step; step = bm + dg; b[i] = step; }
        double rs = rate * step;
        p[i] = p[i] + rs;
    }
}

// Plain Adam (no weight decay, AMSGrad or maximize; |1 − β₁| < 0.5), as DescentOptim's SIMD loop:
//   m = m + w1·(g − m);  v = v·β₂ + (w2·g)·g;  p = p + (negativeStep·m) / (√v / root + ε)
#ifdef DESCENT_X86
AVX2 static void adam_f32_avx2(float *p, const float *g, float *m, float *v, long n, float w1, float beta2, float w2,
                               float negativeStep, float root, float epsilon) {
    const __m256 W1 = _mm256_set1_ps(w1), B2 = _mm256_set1_ps(beta2), W2 = _mm256_set1_ps(w2);
    const __m256 S = _mm256_set1_ps(negativeStep), R = _mm256_set1_ps(root), E = _mm256_set1_ps(epsilon);
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 gi = _mm256_loadu_ps(g + i), m0 = _mm256_loadu_ps(m + i), v0 = _mm256_loadu_ps(v + i);
        __m256 mi = _mm256_add_ps(m0, _mm256_mul_ps(W1, _mm256_sub_ps(gi, m0)));
        __m256 vi = _mm256_add_ps(_mm256_mul_ps(v0, B2), _mm256_mul_ps(_mm256_mul_ps(W2, gi), gi));
        _mm256_storeu_ps(m + i, mi);
        _mm256_storeu_ps(v + i, vi);
        __m256 denominator = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(vi), R), E);
        _mm256_storeu_ps(p + i, _mm256_add_ps(_mm256_loadu_ps(p + i), _mm256_div_ps(_mm256_mul_ps(S, mi), denominator)));
    }
    for (; i < n; i++) {
        float gi = g[i];
        float d = gi - m[i]; float wd = w1 * d; float mi = m[i] + wd; m[i] = mi;
        float vb = v[i] * beta2; float wg = w2 * gi; float wgg = wg * gi; float vi = vb + wgg; v[i] = vi;
        float q = __builtin_sqrtf(vi) / root; float den = q + epsilon; float num = negativeStep * mi;
        float upd = num / den; p[i] = p[i] + upd;
    }
}

// The same operations on sixteen lanes (the tail through masked loads and stores): Adam's two
// divisions and square root per element set its pace, not memory (with AVX2 it took several
// times as long as SGD on the same parameters; BENCHMARKS.md, "Design measurements", "Adam
// loops").
__attribute__((target("avx512f"))) static void adam_f32_avx512(float *p, const float *g, float *m, float *v, long n,
                                                             float w1, float beta2, float w2, float negativeStep,
                                                             float root, float epsilon) {
    const __m512 W1 = _mm512_set1_ps(w1), B2 = _mm512_set1_ps(beta2), W2 = _mm512_set1_ps(w2);
    const __m512 S = _mm512_set1_ps(negativeStep), R = _mm512_set1_ps(root), E = _mm512_set1_ps(epsilon);
    for (long i = 0; i < n; i += 16) {
        __mmask16 k = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1);
        __m512 gi = _mm512_maskz_loadu_ps(k, g + i), m0 = _mm512_maskz_loadu_ps(k, m + i), v0 = _mm512_maskz_loadu_ps(k, v + i);
        __m512 mi = _mm512_add_ps(m0, _mm512_mul_ps(W1, _mm512_sub_ps(gi, m0)));
        __m512 vi = _mm512_add_ps(_mm512_mul_ps(v0, B2), _mm512_mul_ps(_mm512_mul_ps(W2, gi), gi));
        _mm512_mask_storeu_ps(m + i, k, mi);
        _mm512_mask_storeu_ps(v + i, k, vi);
        __m512 denominator = _mm512_add_ps(_mm512_div_ps(_mm512_sqrt_ps(vi), R), E);
        __m512 update = _mm512_div_ps(_mm512_mul_ps(S, mi), denominator);
        _mm512_mask_storeu_ps(p + i, k, _mm512_add_ps(_mm512_maskz_loadu_ps(k, p + i), update));
    }
}
#endif

int descent_adam_f32(float *p, const float *g, float *m, float *v, long n, float w1, float beta2, float w2,
                     float negativeStep, float root, float epsilon) {
#ifdef DESCENT_X86
    if (descent_isa_current() >= DESCENT_ISA_AVX512) {
        adam_f32_avx512(p, g, m, v, n, w1, beta2, w2, negativeStep, root, epsilon);
        return 1;
    }
    if (USE_AVX2) { adam_f32_avx2(p, g, m, v, n, w1, beta2, w2, negativeStep, root, epsilon); return 1; }
#endif
    return 0;
}
