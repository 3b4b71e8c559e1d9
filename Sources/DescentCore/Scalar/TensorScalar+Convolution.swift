import DescentKernels

// The convolution and pooling requirements of `TensorScalar`: one call into the concrete kernels
// of `DescentKernels` per operation (the same kernels the compiled step calls, so both paths
// compute the same bits).

extension Float {
    public static func convolution2DForward(
        _ geometry: Convolution2DGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        output: UnsafeMutablePointer<Float>, workspace: UnsafeMutablePointer<Float>
    ) {
        Convolution2D.forward(geometry, input: input, weight: weight, bias: bias, output: output, workspace: workspace)
    }
    public static func convolution2DInputGradient(
        _ geometry: Convolution2DGeometry, outputGradient: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>, workspace: UnsafeMutablePointer<Float>
    ) {
        Convolution2D.inputGradient(geometry, outputGradient: outputGradient, weight: weight, inputGradient: inputGradient, workspace: workspace)
    }
    public static func convolution2DParameterGradients(
        _ geometry: Convolution2DGeometry, input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
        weightGradient: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>?, workspace: UnsafeMutablePointer<Float>
    ) {
        Convolution2D.parameterGradients(
            geometry, input: input, outputGradient: outputGradient, weightGradient: weightGradient, biasGradient: biasGradient, workspace: workspace)
    }
    public static func maxPool2DForward(
        _ geometry: Pooling2DGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int>
    ) {
        Pooling2D.maxForward(geometry, input: input, output: output, indices: indices)
    }
    public static func maxPool2DInputGradient(
        _ geometry: Pooling2DGeometry, outputGradient: UnsafePointer<Float>, indices: UnsafePointer<Int>, inputGradient: UnsafeMutablePointer<Float>
    ) {
        Pooling2D.maxInputGradient(geometry, outputGradient: outputGradient, indices: indices, inputGradient: inputGradient)
    }
    public static func averagePool2DForward(_ geometry: Pooling2DGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        Pooling2D.averageForward(geometry, input: input, output: output)
    }
    public static func averagePool2DInputGradient(
        _ geometry: Pooling2DGeometry, outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>
    ) {
        Pooling2D.averageInputGradient(geometry, outputGradient: outputGradient, inputGradient: inputGradient)
    }
    public static func adaptiveAveragePool2DForward(
        _ geometry: AdaptivePooling2DGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        Pooling2D.adaptiveAverageForward(geometry, input: input, output: output)
    }
    public static func adaptiveAveragePool2DInputGradient(
        _ geometry: AdaptivePooling2DGeometry, outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>
    ) {
        Pooling2D.adaptiveAverageInputGradient(geometry, outputGradient: outputGradient, inputGradient: inputGradient)
    }
}
extension Double {
    public static func convolution2DForward(
        _ geometry: Convolution2DGeometry, input: UnsafePointer<Double>, weight: UnsafePointer<Double>, bias: UnsafePointer<Double>?,
        output: UnsafeMutablePointer<Double>, workspace: UnsafeMutablePointer<Double>
    ) {
        Convolution2D.forward(geometry, input: input, weight: weight, bias: bias, output: output, workspace: workspace)
    }
    public static func convolution2DInputGradient(
        _ geometry: Convolution2DGeometry, outputGradient: UnsafePointer<Double>, weight: UnsafePointer<Double>,
        inputGradient: UnsafeMutablePointer<Double>, workspace: UnsafeMutablePointer<Double>
    ) {
        Convolution2D.inputGradient(geometry, outputGradient: outputGradient, weight: weight, inputGradient: inputGradient, workspace: workspace)
    }
    public static func convolution2DParameterGradients(
        _ geometry: Convolution2DGeometry, input: UnsafePointer<Double>, outputGradient: UnsafePointer<Double>,
        weightGradient: UnsafeMutablePointer<Double>, biasGradient: UnsafeMutablePointer<Double>?, workspace: UnsafeMutablePointer<Double>
    ) {
        Convolution2D.parameterGradients(
            geometry, input: input, outputGradient: outputGradient, weightGradient: weightGradient, biasGradient: biasGradient, workspace: workspace)
    }
    public static func maxPool2DForward(
        _ geometry: Pooling2DGeometry, input: UnsafePointer<Double>, output: UnsafeMutablePointer<Double>, indices: UnsafeMutablePointer<Int>
    ) {
        Pooling2D.maxForward(geometry, input: input, output: output, indices: indices)
    }
    public static func maxPool2DInputGradient(
        _ geometry: Pooling2DGeometry, outputGradient: UnsafePointer<Double>, indices: UnsafePointer<Int>, inputGradient: UnsafeMutablePointer<Double>
    ) {
        Pooling2D.maxInputGradient(geometry, outputGradient: outputGradient, indices: indices, inputGradient: inputGradient)
    }
    public static func averagePool2DForward(_ geometry: Pooling2DGeometry, input: UnsafePointer<Double>, output: UnsafeMutablePointer<Double>) {
        Pooling2D.averageForward(geometry, input: input, output: output)
    }
    public static func averagePool2DInputGradient(
        _ geometry: Pooling2DGeometry, outputGradient: UnsafePointer<Double>, inputGradient: UnsafeMutablePointer<Double>
    ) {
        Pooling2D.averageInputGradient(geometry, outputGradient: outputGradient, inputGradient: inputGradient)
    }
    public static func adaptiveAveragePool2DForward(
        _ geometry: AdaptivePooling2DGeometry, input: UnsafePointer<Double>, output: UnsafeMutablePointer<Double>
    ) {
        Pooling2D.adaptiveAverageForward(geometry, input: input, output: output)
    }
    public static func adaptiveAveragePool2DInputGradient(
        _ geometry: AdaptivePooling2DGeometry, outputGradient: UnsafePointer<Double>, inputGradient: UnsafeMutablePointer<Double>
    ) {
        Pooling2D.adaptiveAverageInputGradient(geometry, outputGradient: outputGradient, inputGradient: inputGradient)
    }
}
