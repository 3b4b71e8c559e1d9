// A persistent fork-join worker pool (pthreads) for the GEMM driver and other parallel loops.
//
// Why not DispatchQueue.concurrentPerform: each call hands work to libdispatch's thread pool
// and the workers go back to sleep right away, so every fork-join pays a kernel wake-up and a
// context switch (seen in profiles as scheduler symbols). Here the workers stay: after a job they
// spin for a bounded time (with `pause`) watching for the next one, then sleep on a condition
// variable, so a hot fork-join costs a small fraction of a wake-up (BENCHMARKS.md, "Design
// measurements", "Worker pool").
//
// One job at a time: the calling thread publishes the job in one atomic word (generation, part
// count, next unclaimed part) with part 0 already its own, runs part 0, and then every thread,
// the caller included, claims the other parts in order with compare-and-swap until none are
// left. The caller then waits only for parts already claimed: a worker that wakes late (the other
// vCPU busy with another process) finds nothing left and the caller has done the work. A call made while the pool is busy (another thread's
// job, or a nested call from inside a job) runs its parts on the calling thread.
#include "CDescentKernels.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SPIN_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define SPIN_PAUSE() __asm__ __volatile__("yield")
#else
#define SPIN_PAUSE() ((void)0)
#endif

#define MAX_WORKERS 63
// The job word: generation (24 bits) | parts (20 bits) | next part to claim (20 bits).
#define PART_BITS 20
#define PART_MASK ((1ull << PART_BITS) - 1)
#define MAX_PARTS ((long)PART_MASK)

static struct {
    pthread_mutex_t lock;          // guards worker creation and sleeping
    pthread_cond_t wake;           // workers sleep here for the next job
    pthread_cond_t done;           // the caller sleeps here for the last part
    _Atomic uint64_t word;         // generation | parts | next
    _Atomic long finished;         // parts of the current job finished
    _Atomic int sleepingWorkers;
    _Atomic int callerSleeping;
    atomic_flag busy;              // set while a job runs
    int workers;                   // started so far
    descent_part_body body;
    void *context;
    unsigned fpControl;            // the caller's floating-point control word (MXCSR)
    int isaOverride;               // the caller's instruction-set override (-1: none)
    _Atomic int threads;           // the caller's thread count for this job (its own override, if any)
} pool = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .wake = PTHREAD_COND_INITIALIZER,
    .done = PTHREAD_COND_INITIALIZER,
    .busy = ATOMIC_FLAG_INIT,
};

static _Thread_local int insideJob = 0;
// Set on threads that must never take the pool (a data loader's background thread): their
// calls run serially, so the training thread's products keep every worker.
static _Thread_local int serialOnly = 0;

// Parts of the jobs this thread started that pool workers ran (tests use it to prove that a
// second thread took part; see `descent_parallel_parts_run_by_workers`).
static _Thread_local long partsRunByWorkers = 0;

long descent_parallel_parts_run_by_workers(void) { return partsRunByWorkers; }

int descent_parallel_set_serial_only(int value) {
    int previous = serialOnly;
    serialOnly = value;
    return previous;
}
// The job word before each worker's first job (set before the worker starts, so a job
// published while the thread is starting up is not mistaken for one already seen).
static uint64_t startWord[MAX_WORKERS + 1];

static inline uint64_t generation_of(uint64_t word) { return word >> (2 * PART_BITS); }
static inline long parts_of(uint64_t word) { return (long)((word >> PART_BITS) & PART_MASK); }
static inline long next_of(uint64_t word) { return (long)(word & PART_MASK); }

// Pauses a worker spins through after a job before sleeping: long enough to bridge the
// elementwise work between two products of a training step, short enough not to take much from
// other processes (how long a pause lasts depends on the CPU; see BENCHMARKS.md, "Design
// measurements", "Worker pool"). `DESCENT_POOL_SPIN` overrides it.
static long workerSpin = 4096;
// Pauses the caller spins through waiting for parts claimed by workers before sleeping.
#define CALLER_SPIN 4096

// Claims and runs parts of job `generation` until none are left. Returns the parts run.
static long run_claimed_parts(uint64_t generation) {
    long ran = 0;
    uint64_t word = atomic_load_explicit(&pool.word, memory_order_acquire);
    for (;;) {
        if (generation_of(word) != generation || next_of(word) >= parts_of(word)) return ran;
        if (!atomic_compare_exchange_weak_explicit(&pool.word, &word, word + 1, memory_order_acq_rel,
                                                   memory_order_acquire))
            continue;
        // The part is claimed and unfinished, so the caller is still waiting and the job's
        // body, context and control word are those of `generation`. Every part runs under the
        // caller's control word (x86 MXCSR: subnormal flushing, rounding) and instruction-set
        // override, which threads do not inherit, so a result does not depend on which thread
        // computed it.
        if (descent_fp_control() != pool.fpControl) descent_set_fp_control(pool.fpControl);
        if (descent_isa_thread_override() != pool.isaOverride) descent_isa_set_thread_override(pool.isaOverride);
        pool.body(pool.context, next_of(word));
        ran++;
        long parts = parts_of(word);
        if (atomic_fetch_add_explicit(&pool.finished, 1, memory_order_acq_rel) == parts - 1 &&
            atomic_load(&pool.callerSleeping)) {
            pthread_mutex_lock(&pool.lock);
            pthread_cond_signal(&pool.done);
            pthread_mutex_unlock(&pool.lock);
        }
        word = atomic_load_explicit(&pool.word, memory_order_acquire);
    }
}

static void *worker_main(void *argument) {
    long member = (long)(intptr_t)argument;  // 1-based; the caller is member 0
    insideJob = 1;
    uint64_t seen = generation_of(startWord[member]);
    for (;;) {
        uint64_t word;
        long spins = 0;
        while (generation_of(word = atomic_load_explicit(&pool.word, memory_order_acquire)) == seen) {
            if (++spins < workerSpin) {
                SPIN_PAUSE();
                // Give the core away now and then: when this process has more runnable threads
                // than free cores (another process busy), spinning would delay the caller.
                if ((spins & 127) == 0) sched_yield();
                continue;
            }
            pthread_mutex_lock(&pool.lock);
            atomic_fetch_add(&pool.sleepingWorkers, 1);
            while (generation_of(word = atomic_load(&pool.word)) == seen)
                pthread_cond_wait(&pool.wake, &pool.lock);
            atomic_fetch_sub(&pool.sleepingWorkers, 1);
            pthread_mutex_unlock(&pool.lock);
            break;
        }
        seen = generation_of(word);
        // Workers past the job's thread count (the caller's, which a per-thread override may
        // have lowered) stay out.
        if (member < atomic_load_explicit(&pool.threads, memory_order_relaxed)) run_claimed_parts(seen);
    }
    return NULL;
}

// Starts workers until `count` exist (or thread creation fails). Returns the number running.
static int ensure_workers(int count) {
    if (count > MAX_WORKERS) count = MAX_WORKERS;
    if (pool.workers >= count) return pool.workers;
    pthread_mutex_lock(&pool.lock);
    if (pool.workers == 0) {
        const char *env = getenv("DESCENT_POOL_SPIN");
        if (env && strtol(env, NULL, 10) >= 0) workerSpin = strtol(env, NULL, 10);
    }
    while (pool.workers < count) {
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        startWord[pool.workers + 1] = atomic_load(&pool.word);
        int failed = pthread_create(&thread, &attributes, worker_main, (void *)(intptr_t)(pool.workers + 1));
        pthread_attr_destroy(&attributes);
        if (failed) break;
        pool.workers++;
    }
    int running = pool.workers;
    pthread_mutex_unlock(&pool.lock);
    return running;
}

static void run_serially(long parts, descent_part_body body, void *context) {
    for (long part = 0; part < parts; part++) body(context, part);
}

void descent_parallel_run(long parts, descent_part_body body, void *context) {
    if (parts <= 0) return;
    long threads = descent_gemm_thread_count();
    if (parts == 1 || threads <= 1 || parts > MAX_PARTS || insideJob || serialOnly ||
        atomic_flag_test_and_set_explicit(&pool.busy, memory_order_acquire)) {
        run_serially(parts, body, context);
        return;
    }
    if (ensure_workers((int)(threads < parts ? threads : parts) - 1) == 0) {
        atomic_flag_clear_explicit(&pool.busy, memory_order_release);
        run_serially(parts, body, context);
        return;
    }
    pool.body = body;
    pool.context = context;
    pool.fpControl = descent_fp_control();
    pool.isaOverride = descent_isa_thread_override();
    atomic_store_explicit(&pool.threads, (int)threads, memory_order_relaxed);
    atomic_store_explicit(&pool.finished, 0, memory_order_relaxed);
    uint64_t generation = (generation_of(atomic_load_explicit(&pool.word, memory_order_relaxed)) + 1) &
                          ((1ull << (64 - 2 * PART_BITS)) - 1);
    // Part 0 is the caller's from the start (published as already claimed): a caller splits
    // work so that part 0 is what its own cache holds (the batch-1 step's small layers and its
    // block of rows), and a worker that sees the job first must not take it.
    atomic_store(&pool.word, generation << (2 * PART_BITS) | (uint64_t)parts << PART_BITS | 1u);
    if (atomic_load(&pool.sleepingWorkers) > 0) {  // sequentially consistent with the store above
        pthread_mutex_lock(&pool.lock);
        pthread_cond_broadcast(&pool.wake);
        pthread_mutex_unlock(&pool.lock);
    }
    insideJob = 1;
    body(context, 0);
    atomic_fetch_add_explicit(&pool.finished, 1, memory_order_acq_rel);
    long ranHere = 1 + run_claimed_parts(generation);
    insideJob = 0;
    long spins = 0;
    while (atomic_load_explicit(&pool.finished, memory_order_acquire) < parts) {
        if (++spins < CALLER_SPIN) {
            SPIN_PAUSE();
            if ((spins & 127) == 0) sched_yield();
            continue;
        }
        pthread_mutex_lock(&pool.lock);
        atomic_store(&pool.callerSleeping, 1);
        while (atomic_load(&pool.finished) < parts) pthread_cond_wait(&pool.done, &pool.lock);
        atomic_store(&pool.callerSleeping, 0);
        pthread_mutex_unlock(&pool.lock);
    }
    partsRunByWorkers += parts - ranHere;
    atomic_flag_clear_explicit(&pool.busy, memory_order_release);
}

void descent_parallel_wait_until(const long *counter, long value) {
    long spins = 0;
    while (__atomic_load_n(counter, __ATOMIC_ACQUIRE) < value) {
        SPIN_PAUSE();
        if ((++spins & 127) == 0) sched_yield();
    }
}
