import DescentCore

/// A 2-D convolution over NCHW images (`torch.nn.Conv2d` with `padding_mode='zeros'`):
/// `y = conv2d(x, W) + b`, computed by `Tensor.convolution2D(_:weight:bias:stride:padding:dilation:groups:)`.
///
/// The weight has shape `[outChannels, inChannels / groups, kernelHeight, kernelWidth]` and the bias
/// `[outChannels]`, as in PyTorch, so a PyTorch `state_dict` loads unchanged. The input is
/// `[n, inChannels, h, w]`, the output `[n, outChannels, h′, w′]` with
/// `h′ = ⌊(h + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1`.
///
///     var generator = RandomGenerator(seed: 0)
///     let layer = try Conv2d<Float>(1, 6, kernelSize: 5, padding: 2, generator: &generator)
///     let y = try layer(x, mode: .training)   // x: [n, 1, 28, 28] → y: [n, 6, 28, 28]
///
/// Reference: LeCun et al., *Gradient-Based Learning Applied to Document Recognition*, 1998.
public final class Conv2d<Scalar: TensorScalar>: Layer {
    /// `W`, shape `[outChannels, inChannels / groups, kernelHeight, kernelWidth]`.
    public let weight: Parameter<Scalar>
    /// `b`, shape `[outChannels]`, or `nil` without a bias.
    public let bias: Parameter<Scalar>?
    /// The step between output positions.
    public let stride: Size2D
    /// Zeros added on each side of the input.
    public let padding: Size2D
    /// The spacing between kernel elements.
    public let dilation: Size2D
    /// The number of channel groups.
    public let groups: Int

    /// The number of input channels.
    public var inChannels: Int { weight.shape[1] * groups }
    /// The number of output channels.
    public var outChannels: Int { weight.shape[0] }
    /// The kernel's height and width.
    public var kernelSize: Size2D { Size2D(height: weight.shape[2], width: weight.shape[3]) }

    /// A convolution with freshly initialised parameters.
    ///
    /// - Parameters:
    ///   - inChannels: the input's channels.
    ///   - outChannels: the output's channels (the number of filters).
    ///   - kernelSize: the filter size.
    ///   - stride: The default value is `1`.
    ///   - padding: The default value is `0`.
    ///   - dilation: The default value is `1`.
    ///   - groups: must divide both channel counts. The default value is `1`.
    ///   - bias: whether to add a bias. The default value is `true`.
    ///   - weightInitializer: The default value is ``Initializer/linearDefault``,
    ///     U(±1/√fanIn) with fanIn = (inChannels/groups)·kH·kW, as PyTorch.
    ///   - biasInitializer: with the weight's fans. The default value is ``Initializer/linearDefault``.
    ///   - generator: the seeded source of randomness; the weight is drawn first, then the bias.
    /// - Throws: ``LayerError`` for a size below 1 (channels, kernel, stride, dilation, groups),
    ///   a negative padding, groups that do not divide the channels, or a weight too large to address.
    public init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Size2D, stride: Size2D = 1, padding: Size2D = 0,
        dilation: Size2D = 1, groups: Int = 1, bias: Bool = true,
        weightInitializer: Initializer = .linearDefault, biasInitializer: Initializer = .linearDefault,
        generator: inout RandomGenerator
    ) throws {
        try Conv2d.check(inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize, stride: stride,
                         padding: padding, dilation: dilation, groups: groups)
        let shape = [outChannels, inChannels / groups, kernelSize.height, kernelSize.width]
        weight = Parameter(weightInitializer.makeTensor(shape: shape, generator: &generator))
        self.bias = bias
            ? Parameter(biasInitializer.makeTensor(shape: [outChannels], fans: Initializer.fans(of: shape), generator: &generator))
            : nil
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }

    /// A convolution with the given weight `[out, in/groups, kH, kW]` and optional bias `[out]`.
    /// - Throws: ``LayerError`` if the shapes or the settings do not fit together.
    public init(weight: Tensor<Scalar>, bias: Tensor<Scalar>?, stride: Size2D = 1, padding: Size2D = 0, dilation: Size2D = 1, groups: Int = 1) throws {
        guard weight.rank == 4 else { throw LayerError("Conv2d: the weight must have shape [out, in / groups, kernel height, kernel width], got \(weight.shape)") }
        try Conv2d.check(inChannels: weight.shape[1] &* Swift.max(groups, 1), outChannels: weight.shape[0],
                         kernelSize: Size2D(height: weight.shape[2], width: weight.shape[3]), stride: stride,
                         padding: padding, dilation: dilation, groups: groups)
        if let bias, bias.shape != [weight.shape[0]] {
            throw LayerError("Conv2d: the bias must have shape [\(weight.shape[0])] for a weight of shape \(weight.shape), got \(bias.shape)")
        }
        self.weight = Parameter(weight)
        self.bias = bias.map { Parameter($0) }
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }

    static func check(inChannels: Int, outChannels: Int, kernelSize: Size2D, stride: Size2D, padding: Size2D, dilation: Size2D, groups: Int) throws {
        let positive: [(String, Int)] = [
            ("input channels", inChannels), ("output channels", outChannels), ("kernel height", kernelSize.height),
            ("kernel width", kernelSize.width), ("stride", Swift.min(stride.height, stride.width)),
            ("dilation", Swift.min(dilation.height, dilation.width)), ("groups", groups),
        ]
        for (name, value) in positive where value < 1 {
            throw LayerError("Conv2d: the \(name) must be at least 1, got \(value)")
        }
        guard padding.height >= 0, padding.width >= 0 else { throw LayerError("Conv2d: the padding must be at least 0, got \(padding)") }
        guard inChannels % groups == 0, outChannels % groups == 0 else {
            throw LayerError("Conv2d: groups (\(groups)) must divide both the input channels (\(inChannels)) and the output channels (\(outChannels))")
        }
        var count = 1
        for factor in [outChannels, inChannels / groups, kernelSize.height, kernelSize.width, 8] {
            let (product, overflow) = count.multipliedReportingOverflow(by: factor)
            guard !overflow else { throw LayerError("Conv2d(\(inChannels) → \(outChannels), kernel \(kernelSize)): the weight has more elements than memory can address") }
            count = product
        }
    }

    /// `conv2d(x, W) + b`.
    /// - Throws: ``LayerError`` if the input is not `[n, inChannels, h, w]` or the kernel does not
    ///   fit the padded input.
    public func forward(_ input: Tensor<Scalar>, context: ForwardContext) throws -> Tensor<Scalar> {
        guard input.rank == 4, input.shape[1] == inChannels else {
            throw LayerError("Conv2d(\(inChannels) → \(outChannels)): the input must have shape [batch, \(inChannels), height, width], its shape is \(input.shape)")
        }
        do {
            return try Tensor.convolution2D(input, weight: weight.value, bias: bias?.value, stride: stride, padding: padding, dilation: dilation, groups: groups)
        } catch let error as TensorError {
            throw LayerError("Conv2d(\(inChannels) → \(outChannels)): \(error)")
        }
    }
}
