import Foundation
import Testing
@testable import DescentCLI
import Descent

/// `descent gradcheck` on convolutional models: `--input-shape` shapes the random batch as images,
/// every conv and linear parameter is listed and passes, and shapes that do not fit the model are
/// messages that name the fix.
@Suite struct GradcheckConvolutionTests {
    @Test func aSmallCNNPassesWithEveryParameterListed() throws {
        let command = try GradcheckCommand.parse([
            "--model", "layers(conv2d(3, 3, padding: 1), tanh, maxpool2d(2), conv2d(4, 2), flatten, linear)",
            "--input-shape", "2x6x6", "--outputs", "3", "--loss", "cross-entropy", "--batch-size", "2", "--step-size", "1e-6",
        ])
        let (text, allPass) = try command.report()
        #expect(allPass, "\(text)")
        for (name, shape) in [("0.weight", "[3, 2, 3, 3]"), ("0.bias", "[3]"), ("3.weight", "[4, 3, 2, 2]"), ("5.weight", "[3, 16]"), ("5.bias", "[3]")] {
            let row = try #require(text.split(separator: "\n").first { $0.hasPrefix(name + " ") }, "\(name) missing in\n\(text)")
            #expect(row.contains(shape), "\(row)")
        }
    }

    @Test func aPresetRunsOnImages() throws {
        // cnn(2, batchNorm: true) on 1×8×8: conv, batch norm (its running statistics restored between
        // evaluations), global average pooling. (LeNet-5's 61,706 parameters take minutes in a debug build.)
        let (text, allPass) = try GradcheckCommand.parse([
            "--model", "cnn(2, batchNorm: true)", "--input-shape", "1x8x8", "--outputs", "3", "--batch-size", "3", "--step-size", "1e-6",
        ]).report()
        #expect(allPass, "\(text)")
        #expect(text.contains("0.weight") && text.contains("[2, 1, 3, 3]") && text.contains("1.weight"))
    }

    @Test func shapesThatDoNotFitAreMessages() throws {
        #expect { try GradcheckCommand.parse(["--model", "lenet5", "--inputs", "784", "--outputs", "10"]).report() } throws: {
            "\($0)".contains("--input-shape")
        }
        #expect { try GradcheckCommand.parse(["--model", "lenet5", "--input-shape", "1x4x4", "--outputs", "10"]).report() } throws: {
            "\($0)".contains("does not fit")
        }
        #expect(throws: (any Error).self) { try GradcheckCommand.parse(["--model", "lenet5", "--input-shape", "0x28x28", "--outputs", "10"]) }
        #expect(throws: (any Error).self) { try GradcheckCommand.parse(["--model", "lenet5", "--input-shape", "1x28x28", "--inputs", "5", "--outputs", "10"]) }
    }
}
