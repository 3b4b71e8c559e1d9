import Foundation
import Testing
@testable import DescentCLI

@Suite struct OptimizeCommandTests {
    func json(_ arguments: [String]) throws -> Any {
        let (text, _) = try OptimizeCommand.parse(arguments + ["--format", "json"]).output()
        return try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    @Test func jsonHasTheIssueShapeAndTheSeedStep() throws {
        // The seed example: quartic from −1.5 with plain SGD at 0.001 moves to −1.46625 (L'(−1.5) = −33.75).
        let object = try #require(try json(["--function", "quartic", "--start", "-1.5", "--optimizer", "sgd(lr: 0.001)", "--steps", "3"]) as? [String: Any])
        #expect(object["function"] as? String == "quartic")
        let optimizer = try #require(object["optimizer"] as? [String: Any])
        #expect(optimizer["name"] as? String == "sgd" && optimizer["learningRate"] as? Double == 0.001 && optimizer["momentum"] as? Double == 0)
        #expect(optimizer["nesterov"] as? Bool == false)
        let trajectory = try #require(object["trajectory"] as? [[String: Any]])
        #expect(trajectory.map { $0["step"] as? Int } == [0, 1, 2, 3])
        #expect(trajectory[0]["parameters"] as? [Double] == [-1.5])
        #expect(trajectory[0]["loss"] as? Double == 2 + 1.5 * 1.5 * 1.5 * 1.5 + 3 * 1.5 * 1.5 * 1.5)  // 17.1875
        #expect(trajectory[0]["gradient"] as? [Double] == [-33.75])
        let w1 = try #require((trajectory[1]["parameters"] as? [Double])?.first)
        #expect(Swift.abs(w1 - -1.46625) < 1e-15)
    }

    @Test func negativeStartParsesAndSeveralOptimizersRunSideBySide() throws {
        let runs = try #require(try json(["--function", "rosenbrock", "--start", "-1.5,2.0", "--optimizer", "adam(lr: 0.001, amsgrad: true)",
                                          "--optimizer", "sgd(lr: 0.0001, momentum: 0.9)", "--steps", "50"]) as? [[String: Any]])
        #expect(runs.count == 2)
        #expect((runs[0]["optimizer"] as? [String: Any])?["amsgrad"] as? Bool == true)
        for run in runs {
            let trajectory = try #require(run["trajectory"] as? [[String: Any]])
            #expect(trajectory.count == 51)
            #expect(trajectory[0]["parameters"] as? [Double] == [-1.5, 2])
            // Both descend: the loss after 50 steps is below the start's 12.5.
            #expect((trajectory[50]["loss"] as! Double) < 12.5)
        }
        // Adam's first step moves each coordinate by ≈ lr (the gradient is (−155, −50)).
        let first = (runs[0]["trajectory"] as! [[String: Any]])[1]["parameters"] as! [Double]
        #expect(Swift.abs(first[0] - -1.499) < 1e-9 && Swift.abs(first[1] - 2.001) < 1e-9)
    }

    @Test func trajectoriesAreAvailableAsData() throws {
        let runs = try OptimizeCommand.parse(["--function", "booth", "--optimizer", "adam(lr: 0.5)", "--steps", "200"]).trajectories()
        let last = try #require(runs.first?.points.last)
        #expect(Swift.abs(last.parameters[0] - 1) < 1e-2 && Swift.abs(last.parameters[1] - 3) < 1e-2)  // Booth's minimum (1, 3)
    }

    @Test func floatPrecisionAndScheduleAreUsed() throws {
        let object = try #require(try json(["--function", "quadratic", "--optimizer", "sgd(lr: 0.01)", "--steps", "4",
                                            "--schedule", "step(stepSize: 2, gamma: 0.5)", "--precision", "float"]) as? [String: Any])
        #expect(object["precision"] as? String == "float")
        let rates = (object["trajectory"] as! [[String: Any]]).compactMap { $0["learningRate"] as? Double }
        #expect(rates == [0.01, 0.01, 0.005, 0.005])
        // Float run: the start (−4, 1.5) after one step with lr 0.01 is x = −4 + 0.04, computed in Float.
        let x1 = ((object["trajectory"] as! [[String: Any]])[1]["parameters"] as! [Double])[0]
        // (JSONSerialization on Linux rounds long numbers, so compare to 1e-14.)
        #expect(Swift.abs(x1 - Double(Float(-4) - Float(0.01) * Float(-4))) < 1e-14)
        #expect(Swift.abs(x1 - -3.96) > 1e-9)  // and it is not the double-precision result
    }

    @Test func divergenceStopsWithAMessageNamingTheStep() throws {
        let command = try OptimizeCommand.parse(["--function", "quartic", "--start", "6", "--optimizer", "sgd(lr: 1)", "--steps", "100", "--format", "json"])
        let (text, divergences) = try command.output()
        let message = try #require(divergences.first)
        #expect(message.contains("diverged at step"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let trajectory = try #require(object["trajectory"] as? [[String: Any]])
        #expect(message.contains("step \(trajectory.count)"))
        #expect(object["diverged"] as? String == message)
        let table = try OptimizeCommand.parse(["--function", "quartic", "--start", "6", "--optimizer", "sgd(lr: 1)", "--format", "table"]).output().text
        #expect(table.contains("stopped: sgd diverged at step"))
        let summary = try OptimizeCommand.parse(["--function", "quartic", "--start", "6", "--optimizer", "sgd(lr: 1)"]).output().text
        #expect(summary.split(separator: "\n")[2].hasSuffix("  diverged"))
    }

    /// Issue 20: `--steps 200` printed 400 lines. The default is one line per optimizer.
    /// Expected: booth's minimum f(1, 3) = 0; from (−4, 6) plain SGD with η = 0.1 contracts the
    /// error by a constant factor per step, so it gets within 1e-3 well inside 100 steps (the
    /// step itself measured), and an η = 1e-4 run does not.
    @Test func theDefaultOutputIsASummaryPerOptimizer() throws {
        let (text, _) = try OptimizeCommand.parse(["--function", "booth", "--optimizer", "sgd(lr: 0.1)", "--optimizer", "sgd(lr: 0.0001)",
                                                   "--steps", "100"]).output()
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0] == "booth (double), 100 steps; --format table for every step")
        #expect(lines[1].hasPrefix("optimizer") && lines[1].hasSuffix("steps to within 0.001 of 0"))
        #expect(lines[2].hasPrefix("sgd(lr: 0.1)     (-4, 6)  (1, 3)"))
        let steps = try #require(Int(lines[2].split(separator: " ").last!))
        #expect(steps > 0 && steps < 100)
        #expect(lines[3].hasSuffix("not within 100"))
        let looser = try OptimizeCommand.parse(["--function", "booth", "--optimizer", "sgd(lr: 0.1)", "--steps", "100", "--tolerance", "1"]).output().text
        #expect(Int(looser.split(separator: "\n")[2].split(separator: " ").last!)! < steps)
        #expect(throws: (any Error).self) { try OptimizeCommand.parse(["--tolerance", "0"]) }  // validate() refuses it
    }

    @Test func unknownOptimizersKeysAndFunctionsAreErrorsThatListTheValidOnes() throws {
        #expect { try OptimizeCommand.parse(["--optimizer", "adamm"]).output() } throws: {
            "\($0)".contains("valid optimizers: sgd, adam, adamw, rmsprop, adagrad, adadelta, adamax, nadam, radam, lion")
        }
        #expect { try OptimizeCommand.parse(["--optimizer", "adam(lr: 0.1, momentum: 0.9)"]).output() } throws: {
            "\($0)".contains("unknown key `momentum`") && "\($0)".contains("valid keys: learningRate, beta1")
        }
        #expect { try OptimizeCommand.parse(["--function", "sphere"]).output() } throws: { "\($0)".contains("valid functions: quartic, rosenbrock") }
        #expect { try OptimizeCommand.parse(["--function", "booth", "--start", "1"]).output() } throws: { "\($0)".contains("takes 2 coordinates") }
        #expect { try OptimizeCommand.parse(["--start", "a,b"]).output() } throws: { "\($0)".contains("numbers separated by commas") }
    }

    @Test func csvHasOneRowPerPoint() throws {
        let text = try OptimizeCommand.parse(["--function", "himmelblau", "--optimizer", "rmsprop", "--optimizer", "lion(lr: 0.01)", "--steps", "5",
                                              "--format", "csv"]).output().text
        let lines = text.split(separator: "\n")
        #expect(lines[0] == "optimizer,step,p0,p1,loss,g0,g1,learningRate")
        #expect(lines.count == 1 + 2 * 6)
        #expect(lines[1].hasPrefix("\"rmsprop\",0,0.0,0.0,170.0,-14.0,-22.0,"))  // Himmelblau at (0, 0): 121 + 49, ∇ = (−14, −22)
    }
}
