/// The sizes of one 2-D convolution over NCHW buffers, as `torch.nn.functional.conv2d` takes them.
///
/// The input is `[batch, inputChannels, inputHeight, inputWidth]`, the weight
/// `[outputChannels, inputChannels / groups, kernelHeight, kernelWidth]`, the bias `[outputChannels]`
/// and the output `[batch, outputChannels, outputHeight, outputWidth]`, all contiguous and row-major,
/// with
///
///     outputHeight = ⌊(inputHeight + 2·paddingHeight − dilationHeight·(kernelHeight − 1) − 1) / strideHeight⌋ + 1
///
/// (and likewise for the width), PyTorch's formula (`torch.nn.Conv2d`, "Shape"). Output channel `o`
/// of group `g = o / (outputChannels / groups)` sees input channels `g·(inputChannels / groups)`
/// onwards. Zero padding only (`padding_mode='zeros'`).
///
/// A geometry holds any integers; ``validate()`` checks them before a kernel runs, so sizes that come
/// from a file or a spec are refused with a message instead of trapping inside a kernel.
public struct Convolution2DGeometry: Sendable, Hashable, CustomStringConvertible {
    /// `N`, the number of samples.
    public var batch: Int
    /// `C_in`.
    public var inputChannels: Int
    /// `H_in`.
    public var inputHeight: Int
    /// `W_in`.
    public var inputWidth: Int
    /// `C_out`.
    public var outputChannels: Int
    /// `kH`.
    public var kernelHeight: Int
    /// `kW`.
    public var kernelWidth: Int
    /// The step between rows of the output's receptive fields. The default value is `1`.
    public var strideHeight: Int
    /// The step between columns. The default value is `1`.
    public var strideWidth: Int
    /// Zero rows added above and below the input. The default value is `0`.
    public var paddingHeight: Int
    /// Zero columns added left and right. The default value is `0`.
    public var paddingWidth: Int
    /// The spacing between kernel rows (`dilation`). The default value is `1`.
    public var dilationHeight: Int
    /// The spacing between kernel columns. The default value is `1`.
    public var dilationWidth: Int
    /// The number of groups that split the channels; `groups == inputChannels` is depthwise. The
    /// default value is `1`.
    public var groups: Int

    /// A geometry; nothing is checked until ``validate()``.
    public init(
        batch: Int, inputChannels: Int, inputHeight: Int, inputWidth: Int,
        outputChannels: Int, kernelHeight: Int, kernelWidth: Int,
        strideHeight: Int = 1, strideWidth: Int = 1, paddingHeight: Int = 0, paddingWidth: Int = 0,
        dilationHeight: Int = 1, dilationWidth: Int = 1, groups: Int = 1
    ) {
        self.batch = batch
        self.inputChannels = inputChannels
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.outputChannels = outputChannels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight
        self.strideWidth = strideWidth
        self.paddingHeight = paddingHeight
        self.paddingWidth = paddingWidth
        self.dilationHeight = dilationHeight
        self.dilationWidth = dilationWidth
        self.groups = groups
    }

    /// `H_out` by PyTorch's formula (meaningful once ``validate()`` passed; it may be < 1 before).
    public var outputHeight: Int {
        Self.outputSize(input: inputHeight, kernel: kernelHeight, stride: strideHeight, padding: paddingHeight, dilation: dilationHeight)
    }

    /// `W_out` by PyTorch's formula.
    public var outputWidth: Int {
        Self.outputSize(input: inputWidth, kernel: kernelWidth, stride: strideWidth, padding: paddingWidth, dilation: dilationWidth)
    }

    /// `⌊(input + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1`, with wrapping arithmetic
    /// (callers validate first), and `0` for a non-positive stride.
    static func outputSize(input: Int, kernel: Int, stride: Int, padding: Int, dilation: Int) -> Int {
        guard stride > 0 else { return 0 }
        let span = input &+ 2 &* padding &- dilation &* (kernel &- 1) &- 1
        // Floor division: a negative span means no output position fits.
        return span < 0 ? 0 : span / stride &+ 1
    }

    /// `C_in / groups`: the input channels each output channel sees.
    public var inputChannelsPerGroup: Int { inputChannels / Swift.max(groups, 1) }
    /// `C_out / groups`.
    public var outputChannelsPerGroup: Int { outputChannels / Swift.max(groups, 1) }
    /// `N·C_in·H_in·W_in`.
    public var inputCount: Int { batch * inputChannels * inputHeight * inputWidth }
    /// `N·C_out·H_out·W_out`.
    public var outputCount: Int { batch * outputChannels * outputHeight * outputWidth }
    /// `C_out·(C_in/groups)·kH·kW`.
    public var weightCount: Int { outputChannels * inputChannelsPerGroup * kernelHeight * kernelWidth }
    /// `(C_in/groups)·kH·kW`: the length of one output value's dot product.
    public var patchLength: Int { inputChannelsPerGroup * kernelHeight * kernelWidth }
    /// `H_out·W_out`.
    public var outputPlane: Int { outputHeight * outputWidth }
    /// `H_in·W_in`.
    public var inputPlane: Int { inputHeight * inputWidth }

    /// Checks every size before a kernel runs.
    ///
    /// - Throws: ``KernelGeometryError`` when a size is below 1 (batch, channels, input, kernel,
    ///   stride, dilation, groups), the padding is negative, `groups` does not divide both channel
    ///   counts, the (dilated) kernel is larger than the padded input so that the output would be
    ///   empty, or a buffer's element count (or its byte count) overflows `Int`.
    public func validate() throws(KernelGeometryError) {
        let positive: [(String, Int)] = [
            ("batch", batch), ("input channels", inputChannels), ("input height", inputHeight), ("input width", inputWidth),
            ("output channels", outputChannels), ("kernel height", kernelHeight), ("kernel width", kernelWidth),
            ("stride height", strideHeight), ("stride width", strideWidth),
            ("dilation height", dilationHeight), ("dilation width", dilationWidth), ("groups", groups),
        ]
        for (name, value) in positive where value < 1 {
            throw KernelGeometryError("conv2d: the \(name) must be at least 1, got \(value) (\(self))")
        }
        for (name, value) in [("padding height", paddingHeight), ("padding width", paddingWidth)] where value < 0 {
            throw KernelGeometryError("conv2d: the \(name) must be at least 0, got \(value) (\(self))")
        }
        guard inputChannels % groups == 0, outputChannels % groups == 0 else {
            throw KernelGeometryError("conv2d: groups (\(groups)) must divide both the input channels (\(inputChannels)) and the output channels (\(outputChannels))")
        }
        // Every product a kernel forms, checked once here so that the kernels may use plain arithmetic.
        try KernelGeometryError.checkProduct([2, paddingHeight], "the padding height", self)
        try KernelGeometryError.checkProduct([2, paddingWidth], "the padding width", self)
        try KernelGeometryError.checkProduct([dilationHeight, kernelHeight], "the dilated kernel height", self)
        try KernelGeometryError.checkProduct([dilationWidth, kernelWidth], "the dilated kernel width", self)
        let paddedHeight = inputHeight.addingReportingOverflow(2 * paddingHeight)
        let paddedWidth = inputWidth.addingReportingOverflow(2 * paddingWidth)
        guard !paddedHeight.overflow, !paddedWidth.overflow else {
            throw KernelGeometryError("conv2d: the padded input is too large to address (\(self))")
        }
        guard outputHeight >= 1, outputWidth >= 1 else {
            throw KernelGeometryError(
                "conv2d: the kernel \(kernelHeight)×\(kernelWidth) (dilation \(dilationHeight)×\(dilationWidth)) does not fit the input "
                + "\(inputHeight)×\(inputWidth) with padding \(paddingHeight)×\(paddingWidth): the output would be "
                + "\(outputHeight)×\(outputWidth); use a smaller kernel, more padding or a larger input")
        }
        try KernelGeometryError.checkProduct([batch, inputChannels, inputHeight, inputWidth, 8], "the input", self)
        try KernelGeometryError.checkProduct([batch, outputChannels, outputHeight, outputWidth, 8], "the output", self)
        try KernelGeometryError.checkProduct([outputChannels, inputChannelsPerGroup, kernelHeight, kernelWidth, 8], "the weight", self)
        try KernelGeometryError.checkProduct([inputChannels, kernelHeight, kernelWidth, outputHeight, outputWidth, 8], "the column workspace", self)
    }

    /// `conv2d(N×C×H×W → O, kernel kH×kW, stride …, padding …, dilation …, groups …)`.
    public var description: String {
        "conv2d(\(batch)×\(inputChannels)×\(inputHeight)×\(inputWidth) → \(outputChannels) channels, kernel \(kernelHeight)×\(kernelWidth), "
            + "stride \(strideHeight)×\(strideWidth), padding \(paddingHeight)×\(paddingWidth), dilation \(dilationHeight)×\(dilationWidth), groups \(groups))"
    }
}

/// Sizes that a convolution or pooling kernel cannot run with; the message says which and why.
public struct KernelGeometryError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What was wrong and how to fix it.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }

    /// Throws when the product of `factors` overflows `Int`.
    static func checkProduct(_ factors: [Int], _ what: String, _ geometry: some CustomStringConvertible) throws(KernelGeometryError) {
        var product = 1
        for factor in factors {
            let (next, overflow) = product.multipliedReportingOverflow(by: factor)
            guard !overflow else { throw KernelGeometryError("\(what) of \(geometry) has more elements than memory can address") }
            product = next
        }
    }
}
