import CDescentKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization
import Testing

@testable import DescentKernels

/// The persistent worker pool: every part runs exactly once, parts really run concurrently
/// with two threads, nested calls do not deadlock, and many short jobs in a row stay correct.
extension KernelTests {
    @Suite
    struct WorkerPoolTests {
        func withThreads(_ threads: Int, _ body: () -> Void) {
            GEMM.withMaximumThreadCount(threads, body)  // on this thread only: other tests run meanwhile
        }

        @Test(arguments: [1, 2, 3], [0, 1, 2, 3, 7, 100])
        func runsEveryPartExactlyOnce(threads: Int, parts: Int) {
            withThreads(threads) {
                let counts = UnsafeMutablePointer<Int>.allocate(capacity: Swift.max(parts, 1))
                counts.initialize(repeating: 0, count: Swift.max(parts, 1))
                defer { counts.deallocate() }
                // Each part writes only its own slot, so no synchronisation is needed.
                WorkerPool.run(parts: parts) { part in counts[part] += 1 }
                for part in 0..<parts { #expect(counts[part] == 1, "part \(part) of \(parts)") }
            }
        }

        /// Part 0 always runs on the calling thread, even with a worker spinning for the next
        /// job that could see it first (callers put their cache-resident work in part 0).
        @Test func partZeroRunsOnTheCallingThread() {
            withThreads(2) {
                let caller = pthread_self()
                var elsewhere = 0
                for _ in 0..<2_000 {
                    var onCaller = false
                    WorkerPool.run(parts: 2) { part in
                        if part == 0 { onCaller = pthread_equal(pthread_self(), caller) != 0 }
                    }
                    if !onCaller { elsewhere += 1 }
                }
                #expect(elsewhere == 0, "part 0 ran on another thread \(elsewhere) times")
            }
        }

        @available(macOS 15.0, *)
        @Test func twoPartsRunAtTheSameTimeWithTwoThreads() {
            withThreads(2) {
                // Part 0 (the caller) waits for part 1 to finish; this can only end when another
                // thread runs part 1. While another thread's job holds the pool (tests of other
                // modules run meanwhile), both parts run on the caller one after the other, so an
                // attempt gives up after a second and the test tries again, for up to 20 attempts.
                let sawPartOne = Atomic<Bool>(false)
                for _ in 0..<20 where !sawPartOne.load(ordering: .relaxed) {
                    let partOneDone = Atomic<Bool>(false)
                    WorkerPool.run(parts: 2) { part in
                        if part == 1 {
                            partOneDone.store(true, ordering: .releasing)
                            return
                        }
                        let start = ContinuousClock.now
                        while ContinuousClock.now - start < .seconds(1) {
                            if partOneDone.load(ordering: .acquiring) {
                                sawPartOne.store(true, ordering: .relaxed)
                                return
                            }
                        }
                    }
                }
                let sawIt = sawPartOne.load(ordering: .relaxed)
                #expect(sawIt)
            }
        }

        @Test func nestedCallsRunOnTheCallingThread() {
            withThreads(2) {
                let cells = UnsafeMutablePointer<Int>.allocate(capacity: 16)
                cells.initialize(repeating: 0, count: 16)
                defer { cells.deallocate() }
                WorkerPool.run(parts: 4) { outer in
                    WorkerPool.run(parts: 4) { inner in cells[outer * 4 + inner] = outer * 4 + inner + 1 }
                }
                #expect((0..<16).map { cells[$0] } == Array(1...16))
            }
        }

        /// A background thread (the loader's prefetch) never takes the pool: every part runs on
        /// it, and the mark is gone afterwards.
        @Test func runningSeriallyKeepsEveryPartOnTheCallingThread() {
            withThreads(2) {
                let caller = pthread_self()
                let threads = UnsafeMutablePointer<pthread_t>.allocate(capacity: 8)
                defer { threads.deallocate() }
                WorkerPool.runningSerially {
                    WorkerPool.run(parts: 8) { part in threads[part] = pthread_self() }
                }
                #expect((0..<8).allSatisfy { pthread_equal(threads[$0], caller) != 0 })
                let stillMarked = descent_parallel_set_serial_only(0)
                #expect(stillMarked == 0)
            }
        }

        @Test func manyShortJobsInARowAddUp() {
            withThreads(2) {
                // 20 000 jobs of 3 parts each; every part adds its job number to its own slot.
                let sums = UnsafeMutablePointer<Int>.allocate(capacity: 3)
                sums.initialize(repeating: 0, count: 3)
                defer { sums.deallocate() }
                for job in 1...20_000 {
                    WorkerPool.run(parts: 3) { part in sums[part] += job }
                }
                let expected = 20_000 * 20_001 / 2
                #expect((0..<3).map { sums[$0] } == [expected, expected, expected])
            }
        }

        @Test func partsRunUnderTheCallersFloatingPointControl() {
            withThreads(2) {
                let original = descent_fp_control()
                defer { descent_set_fp_control(original) }
                for control in [original | 0x8040, original & ~0x8040] {  // FTZ + DAZ on, then off
                    descent_set_fp_control(control)
                    let seen = UnsafeMutablePointer<UInt32>.allocate(capacity: 64)
                    defer { seen.deallocate() }
                    // Many parts with a little work each, so the worker claims some of them.
                    WorkerPool.run(parts: 64) { part in
                        var x = 0.0
                        for i in 0..<2000 { x += Double(i) }
                        seen[part] = descent_fp_control() &+ UInt32(x) &- UInt32(x)
                    }
                    for part in 0..<64 { #expect(seen[part] == control, "part \(part)") }
                }
            }
        }

        @Test func partsRunAtTheCallersInstructionSetOverride() {
            withThreads(2) {
                let processWide = GEMM.instructionSet
                let seen = UnsafeMutablePointer<Int>.allocate(capacity: 64)
                defer { seen.deallocate() }
                func runParts() {
                    WorkerPool.run(parts: 64) { part in
                        var x = 0.0
                        for i in 0..<2000 { x += Double(i) }
                        seen[part] = GEMM.instructionSet.rawValue + (x < 0 ? 1 : 0)
                    }
                }
                GEMM.withInstructionSet(.portable) {
                    #expect(GEMM.instructionSet == .portable)
                    runParts()
                    for part in 0..<64 { #expect(seen[part] == GEMM.InstructionSet.portable.rawValue, "part \(part)") }
                }
                // Afterwards this thread and the workers are back at the process-wide level.
                #expect(GEMM.instructionSet == processWide)
                runParts()
                for part in 0..<64 { #expect(seen[part] == processWide.rawValue, "part \(part) after") }
            }
        }

        /// A thread count set for the calling thread only: this thread's jobs use it (one thread:
        /// no part on a worker; two: workers take parts, counted by `partsRunByWorkers`), while
        /// another thread keeps reading the process-wide count, and the override ends with the
        /// closure. Expected values: the definition of `GEMM.withMaximumThreadCount`.
        @Test func threadCountOverrideIsThisThreadsOnly() throws {
            let processWide = GEMM.maximumThreadCount
            GEMM.withMaximumThreadCount(1) {
                #expect(GEMM.maximumThreadCount == 1)
                let before = WorkerPool.partsRunByWorkers
                for _ in 0..<50 { WorkerPool.run(parts: 8) { _ in } }
                #expect(WorkerPool.partsRunByWorkers == before, "a worker ran a part of a one-thread job")
                #expect(onAnotherThread { GEMM.maximumThreadCount } == processWide, "another thread saw the override")
            }
            #expect(GEMM.maximumThreadCount == processWide)
            // Two threads: some part lands on a worker within a few hundred jobs (the pool may be
            // busy with another test's job, which makes a call run serially; retried).
            var ranOnWorker = false
            GEMM.withMaximumThreadCount(2) {
                let before = WorkerPool.partsRunByWorkers
                for _ in 0..<2000 where !ranOnWorker {
                    WorkerPool.run(parts: 8) { _ in var x = 0.0; for i in 0..<20_000 { x += Double(i) }; if x < 0 { print(x) } }
                    ranOnWorker = WorkerPool.partsRunByWorkers > before
                }
            }
            #expect(ranOnWorker, "no part ran on a worker with two threads")
        }

        /// A tuning threshold overridden for the calling thread only (`ThreadSetting`).
        @Test func thresholdOverrideIsThisThreadsOnly() {
            let processWide = ParallelKernels.minimumCountPerPart
            ThreadSetting.parallelMinimumCount.with(64) {
                #expect(ThreadSetting.parallelMinimumCount.value(otherwise: processWide) == 64)
                #expect(onAnotherThread { ThreadSetting.parallelMinimumCount.value(otherwise: processWide) } == processWide)
            }
            #expect(ThreadSetting.parallelMinimumCount.value(otherwise: processWide) == processWide)
        }
    }
}

/// `body`'s result computed on a new thread (not the pool's, not this one).
private func onAnotherThread(_ body: @escaping @Sendable () -> Int) -> Int {
    final class Box: @unchecked Sendable { var value = 0 }
    let box = Box(), done = DispatchSemaphore(value: 0)
    let thread = Thread { box.value = body(); done.signal() }
    thread.start()
    done.wait()
    return box.value
}
