// The BLIS-style GEMM driver (Goto & van de Geijn, 2008): cache blocking, packing and the
// thread split, around the micro-kernels of gemm.c. This file is compiled once and includes
// itself twice, for Float and Double (the template part is between `#else` and `#endif`).
//
// Threads: one product is one `descent_parallel_run` job per nc-column block (one job for
// every product of the MLP). Threads split output tiles, never the k summation, so each element
// of C is summed in the same order whatever the thread count. With a row split, every part
// needs all of B: the job's first parts pack B (all its kc blocks) into a shared buffer, and
// the compute parts (claimed after every packing part) wait for them with a spin. With a
// column split, each part packs just its own B panels and no part waits for another.
#ifndef GEMM_T

#include "CDescentKernels.h"


#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define DESCENT_X86 1
#endif

// Part `part` of `parts` nearly equal parts of [0, count): [*lower, *upper).
static inline void split_range(long count, long part, long parts, long *lower, long *upper) {
    *lower = count * part / parts;
    *upper = count * (part + 1) / parts;
}

#ifdef DESCENT_X86
// Transposes eight rows of eight Floats in place: afterwards r[j][i] is the old r[i][j].
__attribute__((target("avx2"))) static inline void transpose8x8(__m256 r[8]) {
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    r[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
    r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
    r[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
    r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
    r[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
    r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
    r[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
    r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

// dst[p·R + r] = src[r·ld + p] for r < valid, 0 for valid ≤ r < R, p < kc, with R (6, 12, 16
// or 32) a constant after inlining. Eight rows by eight columns at a time go through registers
// and one transpose; a group of fewer than eight rows (the last 4 of 12, or 6) stores only its
// lanes, and rows past `valid` are zero registers.
__attribute__((target("avx2"), always_inline)) static inline void pack_rows_f32_avx2(
    const float *restrict src, long ld, long kc, float *restrict dst, long valid, const int R) {
    long p = 0;
    for (; p + 8 <= kc; p += 8) {
        for (int g = 0; g < R; g += 8) {
            int count = R - g < 8 ? R - g : 8;
            long loaded = valid - g < 0 ? 0 : (valid - g < count ? valid - g : count);
            __m256 r[8];
            for (int i = 0; i < 8; i++)
                r[i] = i < loaded ? _mm256_loadu_ps(src + (g + i) * ld + p) : _mm256_setzero_ps();
            transpose8x8(r);
            float *out = dst + p * R + g;
            for (int j = 0; j < 8; j++, out += R) {
                if (count == 8) {
                    _mm256_storeu_ps(out, r[j]);
                } else if (count == 4) {
                    _mm_storeu_ps(out, _mm256_castps256_ps128(r[j]));
                } else {  // 6
                    __m128 high = _mm256_extractf128_ps(r[j], 1);
                    _mm_storeu_ps(out, _mm256_castps256_ps128(r[j]));
                    _mm_storel_pi((__m64 *)(out + 4), high);
                }
            }
        }
    }
    for (; p < kc; p++)
        for (int i = 0; i < R; i++) dst[p * R + i] = i < valid ? src[i * ld + p] : 0;
}

// For a pack routine NAME_f32_avx2(src, ld, kc, dst, valid, W) with W a constant: one
// specialised copy per micro-tile width (6, 12, 16, 32) and NAME_fast_f32, which calls the
// one for `width` and returns 1, or returns 0 when there is none (or no AVX2).
#define DEFINE_WIDTH_DISPATCH(NAME)                                                                \
    __attribute__((target("avx2"))) static void NAME##_f32_avx2_w(const float *s, long ld, long kc, float *d, \
                                                                  long v, long w) {                \
        switch (w) {                                                                               \
        case 6: NAME##_f32_avx2(s, ld, kc, d, v, 6); break;                                        \
        case 12: NAME##_f32_avx2(s, ld, kc, d, v, 12); break;                                      \
        case 16: NAME##_f32_avx2(s, ld, kc, d, v, 16); break;                                      \
        default: NAME##_f32_avx2(s, ld, kc, d, v, 32); break;                                      \
        }                                                                                          \
    }                                                                                              \
    static int NAME##_fast_f32(int isa, const float *src, long ld, long kc, float *dst, long width, long valid) { \
        if (isa < DESCENT_ISA_AVX2 || (width != 6 && width != 12 && width != 16 && width != 32)) return 0; \
        NAME##_f32_avx2_w(src, ld, kc, dst, valid, width);                                         \
        return 1;                                                                                  \
    }

DEFINE_WIDTH_DISPATCH(pack_rows)

// dst[p·W + j] = src[p·ld + j] for j < valid, 0 for valid ≤ j < W, p < kc (W a constant after
// inlining): the contiguous-run packs (op(B) not transposed, op(A) transposed), with 256-bit
// moves; a partial run uses masked loads (which never touch memory past the run).
__attribute__((target("avx2"), always_inline)) static inline void copy_runs_f32_avx2(
    const float *restrict src, long ld, long kc, float *restrict dst, long valid, const int W) {
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (long p = 0; p < kc; p++, src += ld, dst += W) {
        int j = 0;
        for (; j + 8 <= W; j += 8) {
            __m256 v;
            if (j + 8 <= valid) v = _mm256_loadu_ps(src + j);
            else if (j < valid) v = _mm256_maskload_ps(src + j, _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(valid - j)), lanes));
            else v = _mm256_setzero_ps();
            _mm256_storeu_ps(dst + j, v);
        }
        if (W - j >= 4) {
            __m128 v;
            if (j + 4 <= valid) v = _mm_loadu_ps(src + j);
            else if (j < valid)
                v = _mm_maskload_ps(src + j, _mm256_castsi256_si128(_mm256_cmpgt_epi32(_mm256_set1_epi32((int)(valid - j)), lanes)));
            else v = _mm_setzero_ps();
            _mm_storeu_ps(dst + j, v);
            j += 4;
        }
        for (; j < W; j++) dst[j] = j < valid ? src[j] : 0;
    }
}

DEFINE_WIDTH_DISPATCH(copy_runs)
#else
static int pack_rows_fast_f32(int isa, const float *src, long ld, long kc, float *dst, long rows, long valid) {
    (void)isa, (void)src, (void)ld, (void)kc, (void)dst, (void)rows, (void)valid;
    return 0;
}
static int copy_runs_fast_f32(int isa, const float *src, long ld, long kc, float *dst, long width, long valid) {
    (void)isa, (void)src, (void)ld, (void)kc, (void)dst, (void)width, (void)valid;
    return 0;
}
#endif

static int pack_rows_fast_f64(int isa, const double *src, long ld, long kc, double *dst, long rows, long valid) {
    (void)isa, (void)src, (void)ld, (void)kc, (void)dst, (void)rows, (void)valid;
    return 0;
}
static int copy_runs_fast_f64(int isa, const double *src, long ld, long kc, double *dst, long width, long valid) {
    (void)isa, (void)src, (void)ld, (void)kc, (void)dst, (void)width, (void)valid;
    return 0;
}

#define GEMM_T float
#define GEMM_FN(name) name##_f32
#define GEMM_PUBLIC descent_sgemm_packed
#define GEMM_MACRO descent_sgemm_macro
#define GEMM_MR descent_sgemm_mr
#define GEMM_NR descent_sgemm_nr
#include "gemmdriver.c"
#undef T
#undef GEMM_T
#undef GEMM_FN
#undef GEMM_PUBLIC
#undef GEMM_MACRO
#undef GEMM_MR
#undef GEMM_NR

#define GEMM_T double
#define GEMM_FN(name) name##_f64
#define GEMM_PUBLIC descent_dgemm_packed
#define GEMM_MACRO descent_dgemm_macro
#define GEMM_MR descent_dgemm_mr
#define GEMM_NR descent_dgemm_nr
#include "gemmdriver.c"

#else  // MARK: - Template (GEMM_T is float or double)

#define T GEMM_T

// Gathers a panel of `rows` rows of a row-major matrix, `valid` of them read and the rest zero:
// dst[p·rows + r] = src[r·ld + p] for r < valid.
static void GEMM_FN(pack_rows)(int isa, const T *restrict src, long ld, long kc, T *restrict dst, long rows,
                               long valid) {
    if (GEMM_FN(pack_rows_fast)(isa, src, ld, kc, dst, rows, valid)) return;
    if (valid == rows) {
        for (long p = 0; p < kc; p++, dst += rows)
            for (long r = 0; r < rows; r++) dst[r] = src[r * ld + p];
        return;
    }
    // Ragged: walk each row once, writing with stride `rows`, then zero the rest.
    for (long r = 0; r < valid; r++)
        for (long p = 0; p < kc; p++) dst[p * rows + r] = src[r * ld + p];
    for (long r = valid; r < rows; r++)
        for (long p = 0; p < kc; p++) dst[p * rows + r] = 0;
}

// Copies kc runs of `width` values, `valid` of them read and the rest zero:
// dst[p·width + j] = src[p·ld + j] for j < valid.
static void GEMM_FN(copy_runs)(int isa, const T *restrict src, long ld, long kc, T *restrict dst, long width,
                               long valid) {
    if (GEMM_FN(copy_runs_fast)(isa, src, ld, kc, dst, width, valid)) return;
    for (long p = 0; p < kc; p++, src += ld, dst += width) {
        for (long j = 0; j < valid; j++) dst[j] = src[j];
        for (long j = valid; j < width; j++) dst[j] = 0;
    }
}

// Packs op(A)[row..<row+mc, depth..<depth+kc] into micro-panels of mr rows: panel q holds, for
// each p, the mr values of column p (zero past the last row).
static void GEMM_FN(pack_a)(int isa, int transposed, const T *a, long lda, long row, long depth, long mc,
                            long kc, long mr, T *restrict packed) {
    for (long panel = 0; panel < mc; panel += mr) {
        long height = mc - panel < mr ? mc - panel : mr;
        T *dst = packed + panel * kc;
        if (transposed) {
            // A is stored k×m: column p of op(A) is a contiguous run of `height` values.
            GEMM_FN(copy_runs)(isa, a + depth * lda + row + panel, lda, kc, dst, mr, height);
        } else {
            GEMM_FN(pack_rows)(isa, a + (row + panel) * lda + depth, lda, kc, dst, mr, height);
        }
    }
}

// Packs the micro-panels q0..<q1 (nr columns each) of op(B)[depth..<depth+kc, column..<column+
// columns] into `packed` (panel q at (q − q0)·nr·kc): for each p, nr values of row p.
static void GEMM_FN(pack_b)(int isa, int transposed, const T *b, long ldb, long depth, long column, long kc,
                            long q0, long q1, long columns, long nr, T *restrict packed) {
    for (long q = q0; q < q1; q++) {
        long j0 = q * nr;
        long width = columns - j0 < nr ? columns - j0 : nr;
        T *dst = packed + (q - q0) * nr * kc;
        if (transposed) {
            // B is stored n×k, so a panel of op(B) is nr stored rows read side by side.
            GEMM_FN(pack_rows)(isa, b + (column + j0) * ldb + depth, ldb, kc, dst, nr, width);
        } else {
            GEMM_FN(copy_runs)(isa, b + depth * ldb + column + j0, ldb, kc, dst, nr, width);
        }
    }
}

typedef struct {
    int isa, transposeA, transposeB;
    long m, n, k;
    T alpha, beta;
    const T *a, *b;
    T *c;
    long lda, ldb, ldc;
    long mr, nr, mc, kc;
    long jc, columns, panels;  // the nc-column block of this job
    // Shared B (row split): packParts parts pack it, packed counts the finished ones.
    T *sharedB;
    long packParts;
    long packed;
    // Compute parts: rowParts × columnParts.
    long rowParts, columnParts;
    int epilogue;  // 1: ReLU on each block of C after its last k block
} GEMM_FN(job_t);

void GEMM_FN(descent_relu_block)(T *c, long ld, long rows, long columns) {
    for (long i = 0; i < rows; i++) {
        T *row = c + i * ld;
        // The rule of ElementKernels' relu; written so that the compiler vectorises it.
        for (long j = 0; j < columns; j++) row[j] = (row[j] > 0 || row[j] != row[j]) ? row[j] : 0;
    }
}

static void GEMM_FN(run_part)(void *context, long part) {
    GEMM_FN(job_t) *job = context;
    long kc = job->kc, nr = job->nr, mr = job->mr, panels = job->panels;
    if (part < job->packParts) {
        long q0, q1;
        split_range(panels, part, job->packParts, &q0, &q1);
        for (long pc = 0; pc < job->k; pc += kc) {
            long depth = job->k - pc < kc ? job->k - pc : kc;
            T *block = job->sharedB + pc * panels * nr;
            GEMM_FN(pack_b)(job->isa, job->transposeB, job->b, job->ldb, pc, job->jc, depth, q0, q1,
                            job->columns, nr, block + q0 * nr * depth);
        }
        __atomic_fetch_add(&job->packed, 1, __ATOMIC_RELEASE);
        return;
    }
    part -= job->packParts;
    long rowPart = part / job->columnParts, columnPart = part % job->columnParts;
    long tiles = (job->m + mr - 1) / mr, t0, t1, q0, q1;
    split_range(tiles, rowPart, job->rowParts, &t0, &t1);
    split_range(panels, columnPart, job->columnParts, &q0, &q1);
    long row0 = t0 * mr, row1 = t1 * mr < job->m ? t1 * mr : job->m;
    long column0 = q0 * nr, column1 = q1 * nr < job->columns ? q1 * nr : job->columns;
    if (row0 >= row1 || column0 >= column1) return;
    long blockRows = job->mc < (row1 - row0 + mr - 1) / mr * mr ? job->mc : (row1 - row0 + mr - 1) / mr * mr;
    long depthMax = job->k < kc ? job->k : kc;
    T *packedA = descent_workspace(1, (size_t)(blockRows * depthMax) * sizeof(T));
    T *ownB = NULL;
    if (job->packParts > 0) {
        descent_parallel_wait_until(&job->packed, job->packParts);
    } else {
        ownB = descent_workspace(0, (size_t)((q1 - q0) * nr * depthMax) * sizeof(T));
    }
    for (long pc = 0; pc < job->k; pc += kc) {
        long depth = job->k - pc < kc ? job->k - pc : kc;
        const T *packedB;
        if (ownB) {
            GEMM_FN(pack_b)(job->isa, job->transposeB, job->b, job->ldb, pc, job->jc, depth, q0, q1,
                            job->columns, nr, ownB);
            packedB = ownB;
        } else {
            packedB = job->sharedB + pc * panels * nr + q0 * nr * depth;
        }
        // Later k blocks accumulate onto what the first one wrote.
        T beta = pc == 0 ? job->beta : 1;
        for (long ic = row0; ic < row1; ic += blockRows) {
            long height = row1 - ic < blockRows ? row1 - ic : blockRows;
            GEMM_FN(pack_a)(job->isa, job->transposeA, job->a, job->lda, ic, pc, height, depth, mr, packedA);
            GEMM_MACRO(job->isa, height, column1 - column0, depth, packedA, packedB,
                       job->c + ic * job->ldc + job->jc + column0, job->ldc, job->alpha, beta);
            if (job->epilogue == 1 && pc + kc >= job->k)
                GEMM_FN(descent_relu_block)(job->c + ic * job->ldc + job->jc + column0, job->ldc, height,
                                            column1 - column0);
        }
    }
}

void GEMM_PUBLIC(int isa, int transposeA, int transposeB, long m, long n, long k, T alpha, const T *a,
                 long lda, const T *b, long ldb, T beta, T *c, long ldc, long mc, long kc, long nc,
                 long threads, int epilogue) {
    long mr = GEMM_MR(isa), nr = GEMM_NR(isa);
    mc = mc / mr * mr > mr ? mc / mr * mr : mr;
    nc = nc / nr * nr > nr ? nc / nr * nr : nr;
    if (kc > k) kc = k;
    if (kc < 1) kc = 1;
    long tiles = (m + mr - 1) / mr;
    GEMM_FN(job_t) job = {
        .isa = isa, .transposeA = transposeA, .transposeB = transposeB, .m = m, .n = n, .k = k,
        .alpha = alpha, .beta = beta, .a = a, .b = b, .c = c, .lda = lda, .ldb = ldb, .ldc = ldc,
        .mr = mr, .nr = nr, .mc = mc, .kc = kc, .epilogue = epilogue,
    };
    // With threads, a shared B holds every kc block of an nc block: keep it within 8 MiB.
    if (threads > 1) {
        long limit = (8l << 20) / (long)sizeof(T) / (k > 0 ? k : 1) / nr * nr;
        if (nc > limit) nc = limit > nr ? limit : nr;
    }
    for (long jc = 0; jc < n; jc += nc) {
        job.jc = jc;
        job.columns = n - jc < nc ? n - jc : nc;
        job.panels = (job.columns + nr - 1) / nr;
        job.packed = 0;
        job.packParts = 0;
        job.rowParts = job.columnParts = 1;
        long parts = 1;
        if (threads > 1) {
            // The split copies one operand per thread: a row split reads all of B (k×n) in
            // every part, a column split packs all of A (m×k) in every part. Duplicate the
            // smaller one: columns when m < n (the weight gradients dYᵀ·X and the batch-32
            // forward products), rows otherwise (batch-1024 forward products, dY·W).
            if (job.panels < threads * 2 || (m >= job.columns && tiles >= threads * 2)) {
                // Row split: more parts than threads, so a late thread leaves less idle time.
                job.rowParts = tiles >= threads * 8 ? threads * 2 : (tiles < threads ? tiles : threads);
                job.packParts = threads;
                job.sharedB = descent_workspace(3, (size_t)(k * job.panels * nr) * sizeof(T));
            } else {
                job.columnParts = threads;
            }
            parts = job.packParts + job.rowParts * job.columnParts;
        }
        if (parts == 1) {
            GEMM_FN(run_part)(&job, 0);
        } else {
            descent_parallel_run(parts, GEMM_FN(run_part), &job);
        }
    }
}

#endif
