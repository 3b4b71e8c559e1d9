#ifndef CDESCENT_KERNELS_H
#define CDESCENT_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// Returns 1 when the CPU supports AVX2 and FMA (checked once at run time).
int descent_cpu_has_avx2_fma(void);

// MARK: - Instruction-set levels

/// Portable C (compiled for the baseline target, SSE2 on x86-64).
#define DESCENT_ISA_PORTABLE 0
/// AVX2 + FMA, 256-bit vectors.
#define DESCENT_ISA_AVX2 1
/// AVX-512F, 512-bit vectors (used only by the matrix-multiply micro-kernels).
#define DESCENT_ISA_AVX512 2

/// The best level this CPU supports (checked once).
int descent_isa_supported(void);
/// The level the kernels use now. Defaults to `descent_isa_supported()`, lowered by the
/// environment variable `DESCENT_ISA` (`portable`, `avx2`, `avx512`).
int descent_isa_current(void);
/// A cheap monotonic tick count for timing work on one thread (x86: the time-stamp counter;
/// elsewhere nanoseconds). Only differences on the same thread are meaningful.
unsigned long long descent_ticks(void);
/// Sets the level the kernels use, clamped to what the CPU supports. Returns the level set.
int descent_isa_set(int level);
/// The level set for the calling thread only by `descent_isa_set_thread_override`, or -1.
int descent_isa_thread_override(void);
/// Sets a level for the calling thread only (lowered to the supported one), which
/// `descent_isa_current` returns on this thread and in the worker-pool parts it starts;
/// -1 removes it. Returns the level set.
int descent_isa_set_thread_override(int level);

// MARK: - Threads and workspaces

/// Threads GEMM may use. Defaults to the processors this process may run on, or to the
/// environment variable `DESCENT_NUM_THREADS` when it is a positive integer.
int descent_gemm_thread_count(void);
/// Sets the thread count (values below 1 become 1).
void descent_gemm_set_thread_count(int count);
/// The thread count set for the calling thread only by `descent_gemm_set_thread_count_override`,
/// or 0 when there is none.
int descent_gemm_thread_count_override(void);
/// Sets a thread count for the calling thread only, which `descent_gemm_thread_count` returns on
/// this thread (so the products and worker-pool jobs it starts use it) without changing it for
/// other threads; 0 or less removes it. Returns the previous override (0: none).
int descent_gemm_set_thread_count_override(int count);
/// A tuning setting overridden for the calling thread only (`descent_set_thread_setting`), or -1
/// when it is not. `setting` is 0 to 7; the meaning of each is the caller's (DescentKernels'
/// `ThreadSetting`).
long descent_thread_setting(int setting);
/// Overrides `setting` for the calling thread (-1 removes the override). Returns the previous value.
long descent_set_thread_setting(int setting, long value);
/// The processors this process may run on (its CPU affinity), whatever the thread count.
int descent_processor_count(void);

/// A 64-byte-aligned buffer of at least `bytes` bytes owned by the calling thread.
/// `slot` (0..<4) picks one of several independent buffers. The buffer is reused by later
/// calls on the same thread (grown when needed) and freed when the thread exits.
void *descent_workspace(int slot, size_t bytes);

// MARK: - Worker pool (gemm3: persistent fork-join threads)

/// Body of one part of `descent_parallel_run`.
typedef void (*descent_part_body)(void *context, long part);

/// Runs `body(context, part)` once for each `part` in `0..<parts` on up to
/// `descent_gemm_thread_count()` threads: the caller and persistent pool workers claim parts
/// in increasing order (a part is claimed only after every lower part has been claimed by a
/// running thread), and the call returns when all parts have finished. Workers spin briefly
/// after a job (`DESCENT_POOL_SPIN` pauses, default 4096), then sleep. A call made while the
/// pool runs another job (another thread's, or from inside a part) runs its parts in order on
/// the calling thread. At most 2^20 − 1 parts use the pool.
void descent_parallel_run(long parts, descent_part_body body, void *context);
/// Spins (with `pause`, yielding now and then) until `*counter >= value`; `*counter` is
/// increased with atomic builtins by other parts of the same job. A part may wait for lower
/// parts this way, never for higher ones (they may not have been claimed).
void descent_parallel_wait_until(const long *counter, long value);
/// Marks the calling thread as one whose `descent_parallel_run` calls always run their parts
/// serially (1) or not (0); returns the previous value. For background threads (a data loader's
/// prefetch), which must not take the pool from the training thread.
int descent_parallel_set_serial_only(int value);
/// The number of parts of the calling thread's `descent_parallel_run` jobs that pool workers (not
/// the calling thread) ran, since the thread started. For tests that must prove a second thread
/// took part; parts run serially (one thread, a busy pool) do not count.
long descent_parallel_parts_run_by_workers(void);

// MARK: - Packed GEMM driver (gemm3)

/// `C = alpha·op(A)·op(B) + beta·C` (row-major, m, n, k ≥ 1) with the BLIS-style blocked and
/// packed algorithm: A blocks of `mc×kc`, B blocks of `kc×nc` (rounded to whole micro-tiles),
/// the micro-kernels of `isa`, and up to `threads` threads of the worker pool, which split
/// output tiles (never the k sum), so the result does not depend on `threads`.
/// `epilogue` 1 applies ReLU (`c > 0 ? c : (c is NaN ? c : 0)`) to each block of C right after
/// its last k block, while it is in cache; 0 applies nothing.
void descent_sgemm_packed(int isa, int transposeA, int transposeB, long m, long n, long k, float alpha,
                          const float *a, long lda, const float *b, long ldb, float beta, float *c, long ldc,
                          long mc, long kc, long nc, long threads, int epilogue);
/// Double version of `descent_sgemm_packed`.
void descent_dgemm_packed(int isa, int transposeA, int transposeB, long m, long n, long k, double alpha,
                          const double *a, long lda, const double *b, long ldb, double beta, double *c, long ldc,
                          long mc, long kc, long nc, long threads, int epilogue);
/// ReLU in place over a `rows × columns` block of a row-major matrix with row stride `ld`, with
/// the epilogue's rule (NaN kept, −0 and negatives become +0).
void descent_relu_block_f32(float *c, long ld, long rows, long columns);
/// Double version of `descent_relu_block_f32`.
void descent_relu_block_f64(double *c, long ld, long rows, long columns);

// MARK: - End of worker pool and packed GEMM driver

// MARK: - Tensor storage

/// A 64-byte-aligned buffer of at least `bytes` bytes (never NULL unless out of memory), reusing
/// a cached buffer of the same rounded size when one was freed with `descent_buffer_free`.
/// Large buffers (≥ 64 KiB) are cached, up to 32 buffers and 64 MiB in all, so that a training
/// loop does not page-fault its gradients in again every step.
void *descent_buffer_allocate(size_t bytes);
/// Frees a buffer from `descent_buffer_allocate` of the same `bytes`, or keeps it for reuse.
void descent_buffer_free(void *buffer, size_t bytes);
/// The bytes held by the cache now.
size_t descent_buffer_pool_bytes(void);
/// Frees every cached buffer.
void descent_buffer_pool_clear(void);

// MARK: - GEMM micro-tiles

/// Rows of a packed A micro-panel (MR) for the Float kernels at `isa`.
int descent_sgemm_mr(int isa);
/// Columns of a packed B micro-panel (NR) for the Float kernels at `isa`.
int descent_sgemm_nr(int isa);
/// Rows of a packed A micro-panel (MR) for the Double kernels at `isa`.
int descent_dgemm_mr(int isa);
/// Columns of a packed B micro-panel (NR) for the Double kernels at `isa`.
int descent_dgemm_nr(int isa);

/// Macro-kernel: `C[0..<mc, 0..<nc] = alpha·Ã·B̃ + beta·C` where `Ã` is `mc×kc` packed in
/// micro-panels of MR rows (`kc·MR` values each, zero-padded) and `B̃` is `kc×nc` packed in
/// micro-panels of NR columns. `beta == 0` never reads C.
void descent_sgemm_macro(int isa, long mc, long nc, long kc, const float *packedA, const float *packedB,
                         float *c, long ldc, float alpha, float beta);
/// Double version of `descent_sgemm_macro`.
void descent_dgemm_macro(int isa, long mc, long nc, long kc, const double *packedA, const double *packedB,
                         double *c, long ldc, double alpha, double beta);

/// Direct (unpacked) GEMM for tiny products: `C = alpha·op(A)·op(B) + beta·C`, row-major.
void descent_sgemm_small(int transposeA, int transposeB, long m, long n, long k, float alpha,
                         const float *a, long lda, const float *b, long ldb, float beta, float *c, long ldc);
/// Double version of `descent_sgemm_small`.
void descent_dgemm_small(int transposeA, int transposeB, long m, long n, long k, double alpha,
                         const double *a, long lda, const double *b, long ldb, double beta, double *c, long ldc);

// MARK: - Row gather (gather.c)

/// Copies rows `indices[0..<count]` (each `rowBytes` bytes) of `source` into consecutive rows of
/// `destination`, prefetching the rows ahead. Indices must be valid; the buffers must not overlap.
void descent_gather_rows(void *destination, const void *source, size_t rowBytes, const intptr_t *indices,
                         long count);
/// Prefetches the cache lines of rows `indices[0..<count]` of `source` (each `rowBytes` bytes), at
/// most `limitBytes` in all, without waiting for them. Indices must be valid.
void descent_prefetch_rows(const void *source, size_t rowBytes, const intptr_t *indices, long count, size_t limitBytes);

// MARK: - Elementwise Float kernels (AVX2 + FMA when available, else scalar libm)

/// `y[i] = exp(x[i])`, within 2 ulp of the correctly rounded result.
void descent_exp_f32(const float *x, float *y, long n);
/// `y[i] = log(x[i])`.
void descent_log_f32(const float *x, float *y, long n);
/// `y[i] = tanh(x[i])`.
void descent_tanh_f32(const float *x, float *y, long n);
/// `y[i] = 1 / (1 + exp(-x[i]))`.
void descent_sigmoid_f32(const float *x, float *y, long n);
/// Sum of `x[0..<n]`: eight-lane partial sums over blocks, blocks added in Double.
float descent_sum_f32(const float *x, long n);
/// Sum of `x[0..<n]` in Double with four independent accumulators.
double descent_sum_f64(const double *x, long n);

// MARK: - Fused training-step kernels (bit-identical to the unfused Swift kernels)

/// ReLU's derivative: `out[i] = x[i] > 0 ? g[i] : 0` (NaN gives 0), branch-free.
void descent_relu_backward_f32(const float *x, const float *g, float *out, long n);
/// Double version of `descent_relu_backward_f32`.
void descent_relu_backward_f64(const double *x, const double *g, double *out, long n);
/// `descent_relu_backward_f32` on a `rows × columns` block, plus the column sums of `out` in
/// `sums` (`columns` values), added row by row from row 0 as the sum reduction does.
void descent_relu_backward_column_sums_f32(const float *x, const float *g, float *out, long rows, long columns, float *sums);
/// Double version of `descent_relu_backward_column_sums_f32`.
void descent_relu_backward_column_sums_f64(const double *x, const double *g, double *out, long rows, long columns, double *sums);
/// `descent_relu_backward_column_sums_f32` on `rows × columns` values whose rows are `ld` apart
/// (in x, g and out); `sums` holds `columns` values.
void descent_relu_backward_column_sums_strided_f32(const float *x, const float *g, float *out, long rows, long columns, long ld, float *sums);
/// Double version of `descent_relu_backward_column_sums_strided_f32`.
void descent_relu_backward_column_sums_strided_f64(const double *x, const double *g, double *out, long rows, long columns, long ld, double *sums);

// MARK: - Optimizer loops (bit-identical to DescentOptim's Swift loops)
//
// The per-element rules are written once, in the private header update_rules.h, which the fused
// updates of CDescentCompiled use as well.

/// Plain SGD without weight decay or maximize: `p[i] = p[i] + rate·s` where `s = g[i]` (`mode`
/// 0), or with a momentum buffer `b`: `b[i] = g[i]` on the first step (`mode` 1), else
/// `b[i] = b[i]·momentum + oneMinusDampening·g[i]` (`mode` 2), then `s = b[i]`. `rate` is the
/// negative learning rate. Separate multiplies and adds (no FMA), as in Swift.
void descent_sgd_f32(float *p, const float *g, float *b, long n, float rate, float momentum, float oneMinusDampening, int mode);
/// Double version of `descent_sgd_f32`.
void descent_sgd_f64(double *p, const double *g, double *b, long n, double rate, double momentum, double oneMinusDampening, int mode);
/// Plain Adam over `n` Floats (no weight decay, AMSGrad or maximize; |w1| < 0.5), as
/// DescentOptim's general loop: `m = m + w1·(g − m)`, `v = v·β₂ + (w2·g)·g`,
/// `p = p + (negativeStep·m) / (√v / root + ε)`. AVX-512, AVX2 or portable vectors by
/// `descent_isa_current()`. Returns 1 (before the portable path existed it returned 0, doing
/// nothing, without AVX2).
int descent_adam_f32(float *p, const float *g, float *m, float *v, long n, float w1, float beta2, float w2,
                     float negativeStep, float root, float epsilon);
/// Double version of `descent_adam_f32`.
int descent_adam_f64(double *p, const double *g, double *m, double *v, long n, double w1, double beta2, double w2,
                     double negativeStep, double root, double epsilon);

// MARK: - Floating-point control (cpu.c)

/// The calling thread's floating-point control word (x86 MXCSR: rounding, subnormal flushing),
/// or 0 elsewhere.
unsigned descent_fp_control(void);
/// Sets the calling thread's floating-point control word (from `descent_fp_control`).
void descent_set_fp_control(unsigned control);

// MARK: - Convolution and pooling helpers (convolution.c)

/// The window of a 2-D convolution or pooling over one image of one group: `channels` input planes
/// of `height × width` (NCHW), a `kernelHeight × kernelWidth` kernel with the given strides,
/// zero padding and dilations, and the `outputHeight × outputWidth` result. All sizes ≥ 1 (padding
/// ≥ 0), validated by the Swift caller (`Convolution2DGeometry`).
typedef struct {
    long channels, height, width;
    long kernelHeight, kernelWidth;
    long strideHeight, strideWidth;
    long paddingHeight, paddingWidth;
    long dilationHeight, dilationWidth;
    long outputHeight, outputWidth;
} descent_window_t;

/// im2col: `col[(c·kh + i)·kw + j][oh·OW + ow] = x[c][oh·sh − ph + i·dh][ow·sw − pw + j·dw]`, 0 in
/// the padding. `x` is `channels × height × width`, `col` is `channels·kh·kw × OH·OW`.
void descent_im2col_f32(const float *x, const descent_window_t *window, float *col);
/// The adjoint of `descent_im2col_f32`: adds each `col` element into the input pixel it was read
/// from (`dx` must be initialised; taps are added in the order c, i, j, oh, ow).
void descent_col2im_add_f32(const float *col, const descent_window_t *window, float *dx);
/// `y[c][p] = bias[c]` for `c < channels`, `p < pixels` (the rows a convolution's GEMM adds onto).
void descent_conv_bias_rows_f32(const float *bias, long channels, long pixels, float *y);
/// Max pooling of `planes` planes of `window->height × width` (`window->channels` unused): each
/// output is the maximum of its window's taps inside the input (PyTorch's rule: a NaN wins, the
/// first of equal maxima otherwise), `indices` the winner's offset in its plane (`ih·W + iw`).
void descent_max_pool_forward_f32(const float *x, const descent_window_t *window, long planes, float *y, long *indices);
/// Max pooling's backward pass: `dx` (`planes × inputPixels`) set to zero, then each `dy` added at its
/// index, in output order.
void descent_max_pool_backward_f32(const float *dy, const long *indices, long planes, long inputPixels,
                                   long outputPixels, float *dx);

#endif
