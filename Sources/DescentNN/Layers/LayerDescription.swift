import DescentCore

// What `print(model)` shows: each layer with the arguments that made it, nested as PyTorch's
// `repr(module)` nests them, in Swift's spelling:
//
//     Sequential<Float>(
//       (0): Linear(inFeatures: 2, outFeatures: 16, bias: true)
//       (1): ReLU()
//       (2): Linear(inFeatures: 16, outFeatures: 2, bias: true)
//     )

/// The text of any layer: its own `description` when it has one, otherwise its type's name with
/// its sublayers (found by reflection, as ``Layer/namedSublayers()`` finds them) nested inside.
///
///     print(layerDescription(model))   // PyTorch: print(model)
public func layerDescription<Scalar>(_ layer: any Layer<Scalar>) -> String {
    if let described = layer as? any CustomStringConvertible { return described.description }
    let all = layer.namedSublayers()
    // Direct children only: a name below an earlier child (`hidden.0` under `hidden`) is its child's.
    var children: [(name: String, layer: any Layer<Scalar>)] = []
    for entry in all where !children.contains(where: { entry.name.hasPrefix($0.name + ".") }) { children.append(entry) }
    return nestedDescription("\(type(of: layer))", children.map { ($0.name, layerDescription($0.layer)) })
}

/// `Name(` and one indented `(label): text` line per child, then `)`; `Name()` without children.
func nestedDescription(_ name: String, _ children: [(label: String, text: String)]) -> String {
    guard !children.isEmpty else { return name + "()" }
    let lines = children.map { child in
        "  (\(child.label)): " + child.text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n  ")
    }
    return name + "(\n" + lines.joined(separator: "\n") + "\n)"
}

extension Sequential: CustomStringConvertible {
    /// `Sequential<Float>(` with one `(index): layer` line per layer (PyTorch: `repr(nn.Sequential)`).
    public var description: String {
        nestedDescription("Sequential<\(Scalar.self)>", layers.enumerated().map { ("\($0.offset)", layerDescription($0.element)) })
    }
}

extension Linear: CustomStringConvertible {
    /// `Linear(inFeatures: 4, outFeatures: 3, bias: true)` (PyTorch: `Linear(in_features=4, out_features=3, bias=True)`).
    public var description: String { "Linear(inFeatures: \(inFeatures), outFeatures: \(outFeatures), bias: \(bias != nil))" }
}

extension ReLU: CustomStringConvertible {
    /// `ReLU()`.
    public var description: String { "ReLU()" }
}

extension LeakyReLU: CustomStringConvertible {
    /// `LeakyReLU(negativeSlope: 0.01)`.
    public var description: String { "LeakyReLU(negativeSlope: \(negativeSlope))" }
}

extension Sigmoid: CustomStringConvertible {
    /// `Sigmoid()`.
    public var description: String { "Sigmoid()" }
}

extension Tanh: CustomStringConvertible {
    /// `Tanh()`.
    public var description: String { "Tanh()" }
}

extension GELU: CustomStringConvertible {
    /// `GELU()`.
    public var description: String { "GELU()" }
}

extension Softmax: CustomStringConvertible {
    /// `Softmax(axis: -1)` (PyTorch: `Softmax(dim=-1)`).
    public var description: String { "Softmax(axis: \(axis))" }
}

extension LogSoftmax: CustomStringConvertible {
    /// `LogSoftmax(axis: -1)` (PyTorch: `LogSoftmax(dim=-1)`).
    public var description: String { "LogSoftmax(axis: \(axis))" }
}

extension Flatten: CustomStringConvertible {
    /// `Flatten(startAxis: 1)` (PyTorch: `Flatten(start_dim=1, end_dim=-1)`).
    public var description: String { "Flatten(startAxis: \(startAxis))" }
}

extension Dropout: CustomStringConvertible {
    /// `Dropout(probability: 0.5)` (PyTorch: `Dropout(p=0.5, inplace=False)`).
    public var description: String { "Dropout(probability: \(probability))" }
}

extension BatchNorm1d: CustomStringConvertible {
    /// `BatchNorm1d(4, epsilon: 1e-05, momentum: 0.1, affine: true)` (PyTorch:
    /// `BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)`).
    public var description: String {
        "BatchNorm1d(\(featureCount), epsilon: \(epsilon), momentum: \(momentum.map { "\($0)" } ?? "nil"), affine: \(weight != nil))"
    }
}

extension BatchNorm2d: CustomStringConvertible {
    /// `BatchNorm2d(6, epsilon: 1e-05, momentum: 0.1, affine: true)` (PyTorch:
    /// `BatchNorm2d(6, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)`).
    public var description: String {
        "BatchNorm2d(\(featureCount), epsilon: \(epsilon), momentum: \(momentum.map { "\($0)" } ?? "nil"), affine: \(weight != nil))"
    }
}

extension Conv2d: CustomStringConvertible {
    /// `Conv2d(1, 6, kernelSize: 5, stride: 1, padding: 2)`, with `dilation`, `groups` and `bias: false`
    /// only when they differ from the defaults (PyTorch:
    /// `Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))`).
    public var description: String {
        var text = "Conv2d(\(inChannels), \(outChannels), kernelSize: \(kernelSize), stride: \(stride)"
        if padding != 0 { text += ", padding: \(padding)" }
        if dilation != 1 { text += ", dilation: \(dilation)" }
        if groups != 1 { text += ", groups: \(groups)" }
        if bias == nil { text += ", bias: false" }
        return text + ")"
    }
}

extension MaxPool2d: CustomStringConvertible {
    /// `MaxPool2d(kernelSize: 2, stride: 2, padding: 0, dilation: 1)` (PyTorch:
    /// `MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)`).
    public var description: String { "MaxPool2d(kernelSize: \(kernelSize), stride: \(stride), padding: \(padding), dilation: \(dilation))" }
}

extension AvgPool2d: CustomStringConvertible {
    /// `AvgPool2d(kernelSize: 2, stride: 2, padding: 0)` (PyTorch: `AvgPool2d(kernel_size=2, stride=2, padding=0)`).
    public var description: String { "AvgPool2d(kernelSize: \(kernelSize), stride: \(stride), padding: \(padding))" }
}

extension AdaptiveAvgPool2d: CustomStringConvertible {
    /// `AdaptiveAvgPool2d(outputSize: 1)` (PyTorch: `AdaptiveAvgPool2d(output_size=1)`).
    public var description: String { "AdaptiveAvgPool2d(outputSize: \(outputSize))" }
}

extension Dropout2d: CustomStringConvertible {
    /// `Dropout2d(probability: 0.5)` (PyTorch: `Dropout2d(p=0.5, inplace=False)`).
    public var description: String { "Dropout2d(probability: \(probability))" }
}

extension Unflatten: CustomStringConvertible {
    /// `Unflatten(axis: 1, shape: [1, 28, 28])` (PyTorch: `Unflatten(dim=1, unflattened_size=(1, 28, 28))`).
    public var description: String { "Unflatten(axis: \(axis), shape: \(shape))" }
}
