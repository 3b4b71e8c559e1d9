#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one-cycle policy: the rate rises from `maxLearningRate/divFactor` to `maxLearningRate`,
/// then anneals to `maxLearningRate/(divFactor·finalDivFactor)`, while momentum (or β₁) moves
/// the opposite way.
///
/// Two phases (default) end at steps `pctStart·T − 1` and `T − 1`; with `threePhase` the rate
/// goes back down to the initial rate by `2·pctStart·T − 2` before the final anneal. Each phase
/// interpolates with `cos` (`end + (start − end)/2·(1 + cos(π·p))`) or linearly.
///
/// - Parameters:
///   - maxLearningRate: the peak rate (if `nil`, the optimizer's rate η₀).
///   - totalSteps: T (required).
///   - pctStart: fraction of the cycle spent rising. The default value is `0.3`.
///   - annealStrategy: `.cosine` or `.linear`. The default value is `.cosine`.
///   - cycleMomentum: cycle momentum/β₁ too. The default value is `true`.
///   - baseMomentum: the lowest momentum. The default value is `0.85`.
///   - maxMomentum: the highest momentum. The default value is `0.95`.
///   - divFactor: initial rate = max/divFactor. The default value is `25`.
///   - finalDivFactor: final rate = initial/finalDivFactor. The default value is `1e4`.
///   - threePhase: use three phases. The default value is `false`.
/// - PyTorch: `torch.optim.lr_scheduler.OneCycleLR`. Reference: Smith & Topin, 2019,
///   *Super-Convergence*; Smith, 2018, *A disciplined approach to neural network hyper-parameters*.
public struct OneCycleSchedule: LearningRateSchedule {
    /// How each phase interpolates.
    public enum AnnealStrategy: String, Sendable { case cosine = "cos", linear }

    /// The peak rate, or `nil` for the optimizer's η₀.
    public var maxLearningRate: Double?
    /// T, the length in steps.
    public var totalSteps: Int
    /// The fraction of the cycle spent rising.
    public var pctStart: Double
    /// Cosine or linear interpolation.
    public var annealStrategy: AnnealStrategy
    /// Whether momentum/β₁ is cycled too.
    public var cycleMomentum: Bool
    /// The lowest momentum.
    public var baseMomentum: Double
    /// The highest momentum.
    public var maxMomentum: Double
    /// Initial rate = max / divFactor.
    public var divFactor: Double
    /// Final rate = initial / finalDivFactor.
    public var finalDivFactor: Double
    /// Whether to use three phases.
    public var threePhase: Bool

    /// Creates the schedule.
    public init(maxLearningRate: Double? = nil, totalSteps: Int, pctStart: Double = 0.3, annealStrategy: AnnealStrategy = .cosine,
                cycleMomentum: Bool = true, baseMomentum: Double = 0.85, maxMomentum: Double = 0.95,
                divFactor: Double = 25, finalDivFactor: Double = 1e4, threePhase: Bool = false) {
        self.maxLearningRate = maxLearningRate; self.totalSteps = totalSteps; self.pctStart = pctStart
        self.annealStrategy = annealStrategy; self.cycleMomentum = cycleMomentum; self.baseMomentum = baseMomentum
        self.maxMomentum = maxMomentum; self.divFactor = divFactor; self.finalDivFactor = finalDivFactor; self.threePhase = threePhase
    }

    public var name: String { "one-cycle" }
    public var hyperparameters: [(key: String, value: Double)] {
        (maxLearningRate.map { [("maxLearningRate", $0)] } ?? []) + [
            ("totalSteps", Double(totalSteps)), ("pctStart", pctStart), ("annealStrategy", annealStrategy == .cosine ? 0 : 1),
            ("cycleMomentum", cycleMomentum ? 1 : 0), ("baseMomentum", baseMomentum), ("maxMomentum", maxMomentum),
            ("divFactor", divFactor), ("finalDivFactor", finalDivFactor), ("threePhase", threePhase ? 1 : 0)]
    }
    public var naturalLength: Int? { totalSteps }

    /// One phase: where it ends, and which of (initial, max, min) rate / (max, base) momentum it joins.
    private struct Phase { var end: Double; var startRate: Int; var endRate: Int; var startMomentum: Double; var endMomentum: Double }

    private var phases: [Phase] {
        let T = Double(totalSteps)
        // Rates by index: 0 initial, 1 max, 2 min.
        if threePhase {
            return [Phase(end: pctStart * T - 1, startRate: 0, endRate: 1, startMomentum: maxMomentum, endMomentum: baseMomentum),
                    Phase(end: 2 * pctStart * T - 2, startRate: 1, endRate: 0, startMomentum: baseMomentum, endMomentum: maxMomentum),
                    Phase(end: T - 1, startRate: 0, endRate: 2, startMomentum: maxMomentum, endMomentum: maxMomentum)]
        }
        return [Phase(end: pctStart * T - 1, startRate: 0, endRate: 1, startMomentum: maxMomentum, endMomentum: baseMomentum),
                Phase(end: T - 1, startRate: 1, endRate: 2, startMomentum: baseMomentum, endMomentum: maxMomentum)]
    }

    private func anneal(_ start: Double, _ end: Double, _ pct: Double) -> Double {
        switch annealStrategy {
        case .cosine: return end + (start - end) / 2.0 * (cos(Double.pi * pct) + 1)
        case .linear: return (end - start) * pct + start
        }
    }

    /// The phase of `step` and the position in it, as PyTorch's `get_lr` finds them.
    private func locate(_ step: Int) -> (Phase, Double) {
        let all = phases
        var start = 0.0
        for (index, phase) in all.enumerated() {
            if Double(step) <= phase.end || index == all.count - 1 {
                return (phase, (Double(step) - start) / (phase.end - start))
            }
            start = phase.end
        }
        fatalError("unreachable")
    }

    public func learningRate(at step: Int, initialLearningRate: Double) -> Double {
        let peak = maxLearningRate ?? initialLearningRate
        let initial = peak / divFactor
        let rates = [initial, peak, initial / finalDivFactor]
        let (phase, pct) = locate(step)
        return anneal(rates[phase.startRate], rates[phase.endRate], pct)
    }

    public func momentum(at step: Int) -> Double? {
        guard cycleMomentum else { return nil }
        let (phase, pct) = locate(step)
        return anneal(phase.startMomentum, phase.endMomentum, pct)
    }
}
