#ifndef CDESCENT_KERNELS_H
#define CDESCENT_KERNELS_H
/// Returns 1 when the CPU supports AVX2 and FMA (checked once at run time).
int descent_cpu_has_avx2_fma(void);
#endif
