import Testing
@testable import DescentCore

struct SpecTests {
    @Test func parsesNamesKeysListsAndPositionalValues() throws {
        let spec = try Spec(parsing: "multistep(milestones: [30, 60], gamma: 0.1, verbose: true, mode: min)")
        #expect(spec.name == "multistep")
        #expect(spec.arguments.count == 4)
        #expect(spec.description == "multistep(milestones: [30, 60], gamma: 0.1, verbose: true, mode: min)")
        let mlp = try Spec(parsing: " mlp(5, 4, activation: relu) ")
        #expect(mlp.arguments.map(\.label) == [nil, nil, "activation"])
        #expect(try Spec(parsing: "one-cycle").name == "one-cycle")
        #expect(try Spec(parsing: "adam(lr: 1e-3)").arguments[0].value == .number(0.001))
    }

    @Test func malformedSpecsSayWhere() {
        for text in ["", "adam(", "adam(lr 0.1)", "adam(lr: )", "adam) ", "adam(lr: [1, 2)"] {
            #expect(throws: SpecError.self) { try Spec(parsing: text) }
        }
    }

    @Test func unknownKeysAreListedWithTheValidOnes() throws {
        var arguments = try SpecArguments(Spec(parsing: "adam(lr: 0.1, betas: 2)"), component: "optimizer adam", validKeys: ["learningRate", "lr", "beta1"])
        #expect(try arguments.double("learningRate", aliases: ["lr"], default: 1e-3) == 0.1)
        do {
            try arguments.finish()
            Issue.record("expected an error")
        } catch let error as SpecError {
            #expect(error.message.contains("`betas`"))
            #expect(error.message.contains("valid keys: learningRate, lr, beta1"))
        }
    }

    @Test func typeErrorsNameTheKey() throws {
        var arguments = try SpecArguments(Spec(parsing: "sgd(nesterov: 3)"), component: "optimizer sgd", validKeys: ["nesterov"])
        #expect(throws: SpecError("optimizer sgd: `nesterov` must be true or false, not `3`")) {
            try arguments.bool("nesterov", default: false)
        }
    }
}
