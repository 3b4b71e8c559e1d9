// CPU feature checks, the instruction-set level the kernels use, the GEMM thread count,
// per-thread workspaces for packed GEMM panels, and the floating-point control word.
#define _GNU_SOURCE
#include "CDescentKernels.h"

#include <pthread.h>
#include <sched.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define DESCENT_X86 1
#endif
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int descent_cpu_has_avx2_fma(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

static int cpu_has_avx512(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
#else
    return 0;
#endif
}

static pthread_once_t settings_once = PTHREAD_ONCE_INIT;
static int isa_supported = DESCENT_ISA_PORTABLE;
static _Atomic int isa_current = DESCENT_ISA_PORTABLE;
static _Atomic int thread_count = 1;
static int processor_count = 1;  // the processors this process may run on

static void settings_init(void) {
    isa_supported = descent_cpu_has_avx2_fma() ? (cpu_has_avx512() ? DESCENT_ISA_AVX512 : DESCENT_ISA_AVX2)
                                               : DESCENT_ISA_PORTABLE;
    int level = isa_supported;
    const char *isa = getenv("DESCENT_ISA");
    if (isa) {
        if (strcmp(isa, "portable") == 0) level = DESCENT_ISA_PORTABLE;
        else if (strcmp(isa, "avx2") == 0) level = DESCENT_ISA_AVX2;
        else if (strcmp(isa, "avx512") == 0) level = DESCENT_ISA_AVX512;
        if (level > isa_supported) level = isa_supported;
    }
    atomic_store(&isa_current, level);

    long count = 0;
#if defined(__linux__)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) count = CPU_COUNT(&set);
#endif
    if (count <= 0) count = sysconf(_SC_NPROCESSORS_ONLN);
    processor_count = count > 0 ? (int)count : 1;
    const char *env = getenv("DESCENT_NUM_THREADS");
    if (env) {
        long requested = strtol(env, NULL, 10);
        if (requested > 0) count = requested;
    }
    atomic_store(&thread_count, count > 0 ? (int)count : 1);
}

int descent_processor_count(void) {
    pthread_once(&settings_once, settings_init);
    return processor_count;
}

int descent_isa_supported(void) {
    pthread_once(&settings_once, settings_init);
    return isa_supported;
}

// A level set for the calling thread only (-1: none), so a test can force a code path without
// changing it for code running on other threads; the worker pool carries it into its parts.
static _Thread_local int isa_override = -1;

int descent_isa_thread_override(void) { return isa_override; }

int descent_isa_set_thread_override(int level) {
    if (level < 0) return isa_override = -1;
    pthread_once(&settings_once, settings_init);
    if (level > isa_supported) level = isa_supported;
    return isa_override = level;
}

int descent_isa_current(void) {
    if (isa_override >= 0) return isa_override;
    pthread_once(&settings_once, settings_init);
    return atomic_load_explicit(&isa_current, memory_order_relaxed);
}

int descent_isa_set(int level) {
    pthread_once(&settings_once, settings_init);
    if (level < DESCENT_ISA_PORTABLE) level = DESCENT_ISA_PORTABLE;
    if (level > isa_supported) level = isa_supported;
    atomic_store(&isa_current, level);
    return level;
}

// A thread count for the calling thread only (0: none), so that a test can run its products on
// one or two threads without changing the count that code on other threads (other tests running
// at the same time) sees.
static _Thread_local int thread_count_override = 0;

int descent_gemm_thread_count(void) {
    if (thread_count_override > 0) return thread_count_override;
    pthread_once(&settings_once, settings_init);
    return atomic_load_explicit(&thread_count, memory_order_relaxed);
}

int descent_gemm_thread_count_override(void) { return thread_count_override; }

int descent_gemm_set_thread_count_override(int count) {
    int previous = thread_count_override;
    thread_count_override = count > 0 ? count : 0;
    return previous;
}

// Per-thread overrides of tuning settings, stored as value + 1 so that the zero-initialised
// thread-local array means "none".
#define THREAD_SETTINGS 8
static _Thread_local long thread_settings[THREAD_SETTINGS];

long descent_thread_setting(int setting) {
    if (setting < 0 || setting >= THREAD_SETTINGS) return -1;
    return thread_settings[setting] - 1;
}

long descent_set_thread_setting(int setting, long value) {
    if (setting < 0 || setting >= THREAD_SETTINGS) return -1;
    long previous = thread_settings[setting] - 1;
    thread_settings[setting] = value < 0 ? 0 : value + 1;
    return previous;
}

void descent_gemm_set_thread_count(int count) {
    pthread_once(&settings_once, settings_init);
    atomic_store(&thread_count, count < 1 ? 1 : count);
}

// MARK: - Workspaces

#define WORKSPACE_SLOTS 4

typedef struct {
    void *pointer[WORKSPACE_SLOTS];
    size_t size[WORKSPACE_SLOTS];
} workspace_t;

static pthread_key_t workspace_key;
static pthread_once_t workspace_once = PTHREAD_ONCE_INIT;

static void workspace_free(void *value) {
    workspace_t *w = value;
    for (int i = 0; i < WORKSPACE_SLOTS; i++) free(w->pointer[i]);
    free(w);
}

static void workspace_init(void) { pthread_key_create(&workspace_key, workspace_free); }

void *descent_workspace(int slot, size_t bytes) {
    if (slot < 0 || slot >= WORKSPACE_SLOTS) return NULL;
    pthread_once(&workspace_once, workspace_init);
    workspace_t *w = pthread_getspecific(workspace_key);
    if (!w) {
        w = calloc(1, sizeof *w);
        if (!w) return NULL;
        pthread_setspecific(workspace_key, w);
    }
    if (w->size[slot] < bytes) {
        free(w->pointer[slot]);
        w->pointer[slot] = NULL;
        w->size[slot] = 0;
        // Round up so slowly growing requests do not reallocate every call.
        size_t rounded = (bytes + 65535) & ~(size_t)65535;
        void *p = NULL;
        if (posix_memalign(&p, 64, rounded) != 0) return NULL;
        w->pointer[slot] = p;
        w->size[slot] = rounded;
    }
    return w->pointer[slot];
}

unsigned long long descent_ticks(void) {
#if defined(__x86_64__) || defined(__i386__)
    return __rdtsc();
#else
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (unsigned long long)now.tv_sec * 1000000000ull + (unsigned long long)now.tv_nsec;
#endif
}

// The floating-point control of the calling thread (x86: MXCSR, whose FTZ/DAZ bits flush
// subnormals), so that work split across threads runs under the caller's setting.
unsigned descent_fp_control(void) {
#ifdef DESCENT_X86
    return _mm_getcsr();
#else
    return 0;
#endif
}

void descent_set_fp_control(unsigned control) {
#ifdef DESCENT_X86
    _mm_setcsr(control);
#else
    (void)control;
#endif
}
