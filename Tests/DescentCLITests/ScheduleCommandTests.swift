import Foundation
import Testing
@testable import DescentCLI

@Suite struct ScheduleCommandTests {
    func json(_ arguments: [String]) throws -> [String: Any] {
        let text = try ScheduleCommand.parse(arguments + ["--format", "json"]).output()
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func oneCycleGivesRatesAndMomentum() throws {
        // PyTorch OneCycleLR(max_lr = 0.1, total_steps = 10): 0.004, 0.052, 0.1, … 4e-7 (training-semantics.md §2.3, scaled by 0.1).
        let object = try json(["--schedule", "one-cycle(maxLearningRate: 0.1, totalSteps: 10)", "--lr", "0.1", "--steps", "10", "--momentum", "0.9"])
        let rates = try #require(object["learningRate"] as? [Double])
        let momenta = try #require(object["momentum"] as? [Double])
        #expect(rates.count == 10 && momenta.count == 10)
        let expected = [0.004, 0.052, 0.1, 0.0950485, 0.0811746, 0.0611262, 0.0388742, 0.0188258, 0.00495194, 4e-07]
        for (got, want) in zip(rates, expected) { #expect(Swift.abs(got - want) <= 1e-5 * want) }  // the reference gives 6 digits
        #expect(momenta.first == 0.95 && Swift.abs(momenta[2] - 0.85) < 1e-12 && momenta.last == 0.95)
    }

    @Test func functionSchedulesHaveNoMomentumAndTheRateIsKnownBeforeTheStep() throws {
        let object = try json(["--schedule", "step(stepSize: 2, gamma: 0.5)", "--lr", "1", "--steps", "5"])
        #expect(object["learningRate"] as? [Double] == [1, 1, 0.5, 0.5, 0.25])
        #expect(object["momentum"] == nil)
    }

    @Test func warmUpThenDecay() throws {
        let rates = try #require(try json(["--schedule", "linear(startFactor: 0.1, totalSteps: 3) then cosine(tMax: 4)", "--lr", "1", "--steps", "8"])["learningRate"] as? [Double])
        let expected = [0.1, 0.4, 0.7, 1, 0.8535533905932737, 0.5, 0.14644660940672627, 0]
        for (got, want) in zip(rates, expected) { #expect(Swift.abs(got - want) < 1e-12) }
    }

    @Test func plateauFollowsTheMetrics() throws {
        // patience 1: the second non-improving metric drops the rate (PyTorch: after patience + 1 bad epochs).
        let object = try json(["--schedule", "plateau(patience: 1, factor: 0.5)", "--lr", "1", "--steps", "5", "--metrics", "1.0,0.9,0.95,0.97"])
        #expect(object["learningRate"] as? [Double] == [1, 1, 1, 1, 0.5])
        #expect { try ScheduleCommand.parse(["--schedule", "plateau", "--steps", "5"]).output() } throws: { "\($0)".contains("--metrics") }
        #expect { try ScheduleCommand.parse(["--schedule", "plateau", "--steps", "5", "--metrics", "1,2"]).output() } throws: { "\($0)".contains("need 4") }
    }

    @Test func unknownSchedulesAndKeysAreErrorsThatListTheValidOnes() {
        #expect { try ScheduleCommand.parse(["--schedule", "cosin(tMax: 3)"]).output() } throws: { "\($0)".contains("valid schedules: constant, step, multistep") }
        #expect { try ScheduleCommand.parse(["--schedule", "cosine(tMax: 3, tmax: 3)"]).output() } throws: { "\($0)".contains("valid keys: tMax, etaMin") }
    }

    @Test func tableListsEveryStep() throws {
        let text = try ScheduleCommand.parse(["--schedule", "exponential(gamma: 0.5)", "--lr", "1", "--steps", "3"]).output()
        #expect(text.split(separator: "\n").map { String($0) } == ["exponential(gamma: 0.5), η₀ = 1.0", "step  learning rate", "   0  1", "   1  0.5", "   2  0.25"])
    }
}
