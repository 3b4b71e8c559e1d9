// A small cache of large, 64-byte-aligned buffers for tensor storage.
//
// The autodiff loop allocates and frees the same large buffers every step (a gradient of a
// 784×256 weight is 800 KB). glibc serves such sizes with mmap or from the top of the heap and
// gives the memory back to the kernel on free (munmap or trim), so every step page-faults the
// buffer in again and the kernel zeroes it: at batch 1 a sizeable share of the step, coming and
// going with malloc's dynamic thresholds (BENCHMARKS.md, "Design measurements", "Buffer
// reuse"). Freed buffers of at least `DESCENT_POOL_MINIMUM` bytes are kept here (at most
// `DESCENT_POOL_SLOTS` buffers and `DESCENT_POOL_CAPACITY` bytes) and handed out again for a
// request of the same size.
#include "CDescentKernels.h"

#include <pthread.h>
#include <stdlib.h>

#define DESCENT_POOL_SLOTS 32
#define DESCENT_POOL_MINIMUM (64 * 1024)
#define DESCENT_POOL_CAPACITY ((size_t)64 * 1024 * 1024)

static pthread_mutex_t poolLock = PTHREAD_MUTEX_INITIALIZER;
static void *poolBuffers[DESCENT_POOL_SLOTS];
static size_t poolSizes[DESCENT_POOL_SLOTS];
static int poolCount = 0;
static size_t poolBytes = 0;

static size_t rounded(size_t bytes) { return (bytes + 63) & ~(size_t)63; }

void *descent_buffer_allocate(size_t bytes) {
    size_t size = rounded(bytes == 0 ? 1 : bytes);
    if (size >= DESCENT_POOL_MINIMUM) {
        pthread_mutex_lock(&poolLock);
        // The most recently freed buffer of this size is the likeliest to be in cache.
        for (int i = poolCount - 1; i >= 0; i--) {
            if (poolSizes[i] == size) {
                void *buffer = poolBuffers[i];
                poolCount -= 1;
                poolBuffers[i] = poolBuffers[poolCount];
                poolSizes[i] = poolSizes[poolCount];
                poolBytes -= size;
                pthread_mutex_unlock(&poolLock);
                return buffer;
            }
        }
        pthread_mutex_unlock(&poolLock);
    }
    void *buffer = NULL;
    if (posix_memalign(&buffer, 64, size) != 0) return NULL;
    return buffer;
}

void descent_buffer_free(void *buffer, size_t bytes) {
    if (buffer == NULL) return;
    size_t size = rounded(bytes == 0 ? 1 : bytes);
    if (size >= DESCENT_POOL_MINIMUM && size <= DESCENT_POOL_CAPACITY / 4) {
        pthread_mutex_lock(&poolLock);
        if (poolCount < DESCENT_POOL_SLOTS && poolBytes + size <= DESCENT_POOL_CAPACITY) {
            poolBuffers[poolCount] = buffer;
            poolSizes[poolCount] = size;
            poolCount += 1;
            poolBytes += size;
            pthread_mutex_unlock(&poolLock);
            return;
        }
        pthread_mutex_unlock(&poolLock);
    }
    free(buffer);
}

size_t descent_buffer_pool_bytes(void) {
    pthread_mutex_lock(&poolLock);
    size_t bytes = poolBytes;
    pthread_mutex_unlock(&poolLock);
    return bytes;
}

void descent_buffer_pool_clear(void) {
    pthread_mutex_lock(&poolLock);
    for (int i = 0; i < poolCount; i++) free(poolBuffers[i]);
    poolCount = 0;
    poolBytes = 0;
    pthread_mutex_unlock(&poolLock);
}
