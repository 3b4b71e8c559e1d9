/// The sizes of one 2-D max or average pooling over NCHW buffers (`torch.nn.MaxPool2d`,
/// `torch.nn.AvgPool2d`, with `ceil_mode=False`).
///
/// The input is `[batch, channels, inputHeight, inputWidth]` and the output
/// `[batch, channels, outputHeight, outputWidth]`, contiguous and row-major, with PyTorch's
///
///     outputHeight = ⌊(inputHeight + 2·paddingHeight − dilationHeight·(kernelHeight − 1) − 1) / strideHeight⌋ + 1
///
/// Max pooling pads with −∞ and average pooling with zeros that count in the divisor
/// (`count_include_pad=True`, PyTorch's default). Average pooling has no dilation (it must be 1).
/// ``validate()`` checks the sizes before a kernel runs.
public struct Pooling2DGeometry: Sendable, Hashable, CustomStringConvertible {
    /// `N`.
    public var batch: Int
    /// `C`.
    public var channels: Int
    /// `H_in`.
    public var inputHeight: Int
    /// `W_in`.
    public var inputWidth: Int
    /// `kH`.
    public var kernelHeight: Int
    /// `kW`.
    public var kernelWidth: Int
    /// The step between windows' rows; PyTorch's default is the kernel size.
    public var strideHeight: Int
    /// The step between windows' columns.
    public var strideWidth: Int
    /// Rows of padding above and below, at most half the kernel height. The default value is `0`.
    public var paddingHeight: Int
    /// Columns of padding left and right, at most half the kernel width. The default value is `0`.
    public var paddingWidth: Int
    /// The spacing between window rows (max pooling only). The default value is `1`.
    public var dilationHeight: Int
    /// The spacing between window columns (max pooling only). The default value is `1`.
    public var dilationWidth: Int

    /// A geometry; nothing is checked until ``validate()``.
    public init(
        batch: Int, channels: Int, inputHeight: Int, inputWidth: Int, kernelHeight: Int, kernelWidth: Int,
        strideHeight: Int, strideWidth: Int, paddingHeight: Int = 0, paddingWidth: Int = 0,
        dilationHeight: Int = 1, dilationWidth: Int = 1
    ) {
        self.batch = batch
        self.channels = channels
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight
        self.strideWidth = strideWidth
        self.paddingHeight = paddingHeight
        self.paddingWidth = paddingWidth
        self.dilationHeight = dilationHeight
        self.dilationWidth = dilationWidth
    }

    /// `H_out` (meaningful once ``validate()`` passed).
    public var outputHeight: Int {
        Convolution2DGeometry.outputSize(input: inputHeight, kernel: kernelHeight, stride: strideHeight, padding: paddingHeight, dilation: dilationHeight)
    }

    /// `W_out`.
    public var outputWidth: Int {
        Convolution2DGeometry.outputSize(input: inputWidth, kernel: kernelWidth, stride: strideWidth, padding: paddingWidth, dilation: dilationWidth)
    }

    /// `N·C·H_in·W_in`.
    public var inputCount: Int { batch * channels * inputHeight * inputWidth }
    /// `N·C·H_out·W_out` (also the number of argmax indices of max pooling).
    public var outputCount: Int { batch * channels * outputHeight * outputWidth }

    /// Checks every size before a kernel runs.
    /// - Throws: ``KernelGeometryError`` when a size, stride or dilation is below 1, the padding is
    ///   negative or more than half the kernel (PyTorch's rule), the window does not fit the padded
    ///   input, or a buffer's size overflows `Int`.
    public func validate() throws(KernelGeometryError) {
        let positive: [(String, Int)] = [
            ("batch", batch), ("channels", channels), ("input height", inputHeight), ("input width", inputWidth),
            ("kernel height", kernelHeight), ("kernel width", kernelWidth), ("stride height", strideHeight),
            ("stride width", strideWidth), ("dilation height", dilationHeight), ("dilation width", dilationWidth),
        ]
        for (name, value) in positive where value < 1 {
            throw KernelGeometryError("pool2d: the \(name) must be at least 1, got \(value) (\(self))")
        }
        guard paddingHeight >= 0, paddingWidth >= 0, paddingHeight <= kernelHeight / 2, paddingWidth <= kernelWidth / 2 else {
            throw KernelGeometryError("pool2d: the padding \(paddingHeight)×\(paddingWidth) must be between 0 and half the kernel \(kernelHeight)×\(kernelWidth), as PyTorch requires")
        }
        try KernelGeometryError.checkProduct([dilationHeight, kernelHeight], "the dilated window height", self)
        try KernelGeometryError.checkProduct([dilationWidth, kernelWidth], "the dilated window width", self)
        guard outputHeight >= 1, outputWidth >= 1 else {
            throw KernelGeometryError(
                "pool2d: the window \(kernelHeight)×\(kernelWidth) (dilation \(dilationHeight)×\(dilationWidth)) does not fit the input "
                + "\(inputHeight)×\(inputWidth) with padding \(paddingHeight)×\(paddingWidth); use a smaller window or a larger input")
        }
        try KernelGeometryError.checkProduct([batch, channels, inputHeight, inputWidth, 8], "the input", self)
        try KernelGeometryError.checkProduct([batch, channels, outputHeight, outputWidth, 8], "the output", self)
    }

    /// `pool2d(N×C×H×W, kernel kH×kW, stride …, padding …, dilation …)`.
    public var description: String {
        "pool2d(\(batch)×\(channels)×\(inputHeight)×\(inputWidth), kernel \(kernelHeight)×\(kernelWidth), stride \(strideHeight)×\(strideWidth), "
            + "padding \(paddingHeight)×\(paddingWidth), dilation \(dilationHeight)×\(dilationWidth))"
    }
}

/// The sizes of one adaptive average pooling over NCHW buffers (`torch.nn.AdaptiveAvgPool2d`):
/// output cell `(i, j)` averages input rows `⌊i·H_in/H_out⌋ ..< ⌈(i+1)·H_in/H_out⌉` and the columns
/// likewise, so windows may overlap and differ in size. Output `1×1` is global average pooling.
public struct AdaptivePooling2DGeometry: Sendable, Hashable, CustomStringConvertible {
    /// `N`.
    public var batch: Int
    /// `C`.
    public var channels: Int
    /// `H_in`.
    public var inputHeight: Int
    /// `W_in`.
    public var inputWidth: Int
    /// `H_out`.
    public var outputHeight: Int
    /// `W_out`.
    public var outputWidth: Int

    /// A geometry; nothing is checked until ``validate()``.
    public init(batch: Int, channels: Int, inputHeight: Int, inputWidth: Int, outputHeight: Int, outputWidth: Int) {
        self.batch = batch
        self.channels = channels
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.outputHeight = outputHeight
        self.outputWidth = outputWidth
    }

    /// `N·C·H_in·W_in`.
    public var inputCount: Int { batch * channels * inputHeight * inputWidth }
    /// `N·C·H_out·W_out`.
    public var outputCount: Int { batch * channels * outputHeight * outputWidth }

    /// Checks every size before a kernel runs.
    /// - Throws: ``KernelGeometryError`` when a size is below 1 or a buffer's size (or an index
    ///   product `i·H_in`) overflows `Int`.
    public func validate() throws(KernelGeometryError) {
        let positive: [(String, Int)] = [
            ("batch", batch), ("channels", channels), ("input height", inputHeight), ("input width", inputWidth),
            ("output height", outputHeight), ("output width", outputWidth),
        ]
        for (name, value) in positive where value < 1 {
            throw KernelGeometryError("adaptive pool2d: the \(name) must be at least 1, got \(value) (\(self))")
        }
        try KernelGeometryError.checkProduct([batch, channels, inputHeight, inputWidth, 8], "the input", self)
        try KernelGeometryError.checkProduct([batch, channels, outputHeight, outputWidth, 8], "the output", self)
        try KernelGeometryError.checkProduct([outputHeight + 1, inputHeight], "the row windows", self)
        try KernelGeometryError.checkProduct([outputWidth + 1, inputWidth], "the column windows", self)
    }

    /// `adaptive pool2d(N×C×H×W → H_out×W_out)`.
    public var description: String {
        "adaptive pool2d(\(batch)×\(channels)×\(inputHeight)×\(inputWidth) → \(outputHeight)×\(outputWidth))"
    }
}
