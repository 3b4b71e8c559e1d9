import Descent
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Shows training progress on standard error: a live bar (epoch, step, smoothed loss, samples/s,
/// ETA) when standard error is a terminal, a plain line per epoch (and every few seconds within a
/// long epoch) otherwise, nothing when quiet.
final class ProgressReporter: TrainingCallback {
    enum Style { case bar, lines, quiet }

    let style: Style
    private let write: (String) -> Void
    private var smoothed = 0.0
    private var smoothedCount = 0
    private var samples = 0
    private var stepsThisRun = 0
    private var lastDraw = Date.distantPast
    private var lastLine = Date()
    private var barVisible = false

    /// `isatty(2)` decides between the bar and plain lines unless `quiet`.
    static func automaticStyle(quiet: Bool) -> Style { quiet ? .quiet : (isatty(2) != 0 ? .bar : .lines) }

    init(style: Style, write: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.style = style
        self.write = write
    }

    func batchDidEnd(_ p: TrainingProgress) {
        guard style != .quiet, let batchLoss = p.batchLoss else { return }
        // Debiased moving average with β = 0.98, as fastai smooths its progress loss.
        smoothedCount += 1
        smoothed = 0.98 * smoothed + 0.02 * batchLoss
        samples += p.batchSize
        stepsThisRun += 1
        let now = Date()
        let loss = smoothed / (1 - pow(0.98, Double(smoothedCount)))
        let rate = Double(samples) / max(p.elapsedSeconds, 1e-9)
        let remainingSteps = (p.epochs - p.epoch) * p.batchesPerEpoch + (p.batchesPerEpoch - p.batch)
        let eta = Double(remainingSteps) * p.elapsedSeconds / Double(max(stepsThisRun, 1))
        switch style {
        case .bar:
            guard now.timeIntervalSince(lastDraw) >= 0.1 || p.batch == p.batchesPerEpoch else { return }
            lastDraw = now
            let width = 24
            let filled = Int(Double(width) * Double(p.batch) / Double(max(p.batchesPerEpoch, 1)))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            write("\r\u{1B}[2Kepoch \(p.epoch)/\(p.epochs) \(bar) \(p.batch)/\(p.batchesPerEpoch)  step \(p.step)  loss \(short(loss))  "
                  + "\(Int(rate)) samples/s  ETA \(clock(eta))")
            barVisible = true
        case .lines:
            guard now.timeIntervalSince(lastLine) >= 10 else { return }
            lastLine = now
            write("epoch \(p.epoch)/\(p.epochs)  batch \(p.batch)/\(p.batchesPerEpoch)  step \(p.step)  loss \(short(loss))  "
                  + "\(Int(rate)) samples/s  ETA \(clock(eta))\n")
        case .quiet: break
        }
    }

    func epochDidEnd(_ p: TrainingProgress) {
        guard style != .quiet, let record = p.epochRecord else { return }
        if barVisible { write("\r\u{1B}[2K"); barVisible = false }
        var parts = ["epoch \(record.epoch)/\(p.epochs)", "loss \(short(record.train["loss"] ?? .nan)) (batches \(short(record.meanBatchLoss)))"]
        for (key, value) in record.train.sorted(by: { $0.key < $1.key }) where key != "loss" { parts.append("\(key) \(short(value))") }
        if let validation = record.validation {
            parts.append("validation loss \(short(validation["loss"] ?? .nan))")
            for (key, value) in validation.sorted(by: { $0.key < $1.key }) where key != "loss" { parts.append("validation \(key) \(short(value))") }
        }
        parts.append(String(format: "%.1fs", record.seconds))
        write(parts.joined(separator: "  ") + "\n")
        lastLine = Date()
    }

    func fitDidEnd(_ p: TrainingProgress) {
        if barVisible { write("\r\u{1B}[2K"); barVisible = false }
    }

    private func short(_ x: Double) -> String { x.isFinite ? String(format: "%.4f", x) : "\(x)" }

    private func clock(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--:--" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%02d:%02d", s / 60, s % 60)
    }
}

/// Turns Ctrl-C (SIGINT) into a stop request: the trainer finishes the current step, writes a
/// checkpoint and returns. A second Ctrl-C exits at once.
final class InterruptHandler {
    private let source: DispatchSourceSignal

    init(_ signal: StopSignal) {
        #if canImport(Glibc) || canImport(Darwin)
        Foundation.signal(SIGINT, SIG_IGN)  // let the dispatch source receive it instead of the default handler
        #endif
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            if signal.reason == .interrupted {
                FileHandle.standardError.write(Data("\nstopping now, without a checkpoint\n".utf8))
                exit(130)
            }
            FileHandle.standardError.write(Data("\ninterrupted: finishing the current step and writing a checkpoint (Ctrl-C again to quit at once)\n".utf8))
            signal.request(.interrupted)
        }
        source.resume()
    }

    deinit {
        source.cancel()
        Foundation.signal(SIGINT, SIG_DFL)
    }
}
