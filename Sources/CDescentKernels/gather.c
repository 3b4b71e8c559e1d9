// Row gather for mini-batches: the data loader copies the shuffled rows of a dataset into one
// contiguous batch. Written in C for the software prefetch: the rows are random within a
// dataset far larger than the caches (MNIST-sized: 179 MB), so each row copy starts with a
// DRAM miss per cache line that the hardware prefetcher only catches up with inside a row.
// Prefetching the next rows' lines while copying this one overlaps those misses, which makes
// a large gather markedly faster (BENCHMARKS.md, "Design measurements", "Batch gather"; in a
// training loop, where the TLB and caches hold the step's data, RowGather also splits large
// gathers across threads).
#include "CDescentKernels.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define PREFETCH(address) _mm_prefetch((const char *)(address), _MM_HINT_T0)
#elif defined(__GNUC__)
#define PREFETCH(address) __builtin_prefetch((address), 0, 3)
#else
#define PREFETCH(address) ((void)0)
#endif

// How far ahead to prefetch, in bytes of rows (a few DRAM latencies' worth of copying), and the
// most bytes prefetched per row (past that the hardware prefetcher follows the row).
#define PREFETCH_AHEAD 8192
#define PREFETCH_ROW_LIMIT 4096

void descent_gather_rows(void *destination, const void *source, size_t rowBytes, const intptr_t *indices,
                         long count) {
    if (count <= 0 || rowBytes == 0) return;
    char *out = destination;
    const char *base = source;
    long ahead = (long)(PREFETCH_AHEAD / rowBytes);
    if (ahead < 1) ahead = 1;
    if (ahead > 16) ahead = 16;
    size_t prefetchBytes = rowBytes < PREFETCH_ROW_LIMIT ? rowBytes : PREFETCH_ROW_LIMIT;
    // The first rows' lines, then one row's worth per row copied.
    for (long i = 0; i < ahead && i < count; i++) {
        const char *row = base + (size_t)indices[i] * rowBytes;
        for (size_t offset = 0; offset < prefetchBytes; offset += 64) PREFETCH(row + offset);
    }
    for (long i = 0; i < count; i++) {
        if (i + ahead < count) {
            const char *row = base + (size_t)indices[i + ahead] * rowBytes;
            for (size_t offset = 0; offset < prefetchBytes; offset += 64) PREFETCH(row + offset);
        }
        memcpy(out + (size_t)i * rowBytes, base + (size_t)indices[i] * rowBytes, rowBytes);
    }
}

// A small batch's rows are each a fresh DRAM miss that nothing overlaps (at batch size 1 the
// whole gather is one row). The loader knows the next batch's rows one batch ahead, so it asks
// for their lines here and the next gather finds them in cache (prefetch instructions never
// fault and never wait).
void descent_prefetch_rows(const void *source, size_t rowBytes, const intptr_t *indices, long count, size_t limitBytes) {
    const char *base = source;
    size_t issued = 0;
    for (long i = 0; i < count && issued < limitBytes; i++) {
        const char *row = base + (size_t)indices[i] * rowBytes;
        // From the row's first cache line to its last (rows need not start on a line).
        uintptr_t first = (uintptr_t)row & ~(uintptr_t)63, end = (uintptr_t)row + rowBytes;
        for (uintptr_t line = first; line < end && issued < limitBytes; line += 64, issued += 64)
            PREFETCH((const char *)line);
    }
}
