// Fused training-step kernels (DescentCompiled): optimizer updates whose gradient is an outer
// product, applied without materialising it. The only C entry points of the speed module; the
// kernels every path shares (GEMM, elementwise, optimizer loops) stay in CDescentKernels.
#ifndef CDESCENTCOMPILED_H
#define CDESCENTCOMPILED_H

/// `descent_outer_update_f32` followed, row by row, by the next sample's outputs of the updated
/// rows: `z[i] = Σⱼ p[i, j]·next[j]` (plus `bias[i]` unless `bias` is NULL), bit-identical to
/// the batch-1 forward product of `descent_sgemm_small` at the same `isa` (alpha 1, beta 1 over
/// the copied bias). Returns 0, doing nothing, when `isa` is below AVX2 (no such kernel).
int descent_outer_update_dot_f32(int isa, int kind, float *p, const float *u, const float *x, long rows, long columns,
                                 float *s1, float *s2, float c0, float c1, float c2, float c3, float c4, float c5,
                                 const float *next, const float *bias, float *z);

/// Applies an optimizer update to the `rows × columns` parameters `p` (row-major) whose gradient
/// is the outer product `g[i, j] = u[i]·x[j]`, formed per element and never stored. `kind` 0:
/// SGD, `p = p + c0·g`; 1: SGD momentum, first step, `b = g; p = p + c0·b` (`b` = `s1`); 2: SGD
/// momentum, `b = b·c1 + c2·g; p = p + c0·b`; 3: plain Adam (`m` = `s1`, `v` = `s2`),
/// `m = m + c0·(g − m); v = v·c1 + (c2·g)·g; p = p + (c3·m) / (√v / c4 + c5)`. The same
/// operations per element as `descent_sgd_f32` / `descent_adam_f32` (no FMA), so bit-identical
/// to writing the product and then stepping. `s1`/`s2` are `rows × columns` like `p` (or NULL
/// when the kind has no state). `isa` picks the code path (`descent_isa_current()` normally;
/// lowered to the supported level).
void descent_outer_update_f32(int isa, int kind, float *p, const float *u, const float *x, long rows, long columns,
                              float *s1, float *s2, float c0, float c1, float c2, float c3, float c4, float c5);
/// Double version of `descent_outer_update_f32`.
void descent_outer_update_f64(int isa, int kind, double *p, const double *u, const double *x, long rows, long columns,
                              double *s1, double *s2, double c0, double c1, double c2, double c3, double c4, double c5);
#endif
