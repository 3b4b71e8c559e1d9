import DescentCore

extension Sequential {
    /// Linear regression as a one-layer network: `ŷ = x·Wᵀ + b` (train with ``MeanSquaredErrorLoss``).
    /// - Parameters:
    ///   - inputs: the number of features.
    ///   - outputs: the number of targets. The default value is `1`.
    ///   - initializer: for the weight (and the bias, see ``Initializer/matchingBiasInitializer``).
    ///     The default value is ``Initializer/linearDefault``.
    ///   - generator: the seeded source of randomness.
    public static func linearRegression(
        inputs: Int, outputs: Int = 1, initializer: Initializer = .linearDefault, generator: inout RandomGenerator
    ) -> Sequential {
        Sequential { Linear<Scalar>(inputs, outputs, weightInitializer: initializer, biasInitializer: initializer.matchingBiasInitializer, generator: &generator) }
    }

    /// Logistic regression: one logit per output, `z = x·Wᵀ + b`, `P(y = 1) = σ(z)` (train with
    /// ``BinaryCrossEntropyWithLogitsLoss``, which applies σ itself, stably).
    /// - Parameters:
    ///   - inputs: the number of features.
    ///   - outputs: independent binary targets. The default value is `1`.
    ///   - initializer: The default value is ``Initializer/linearDefault``.
    ///   - generator: the seeded source of randomness.
    public static func logisticRegression(
        inputs: Int, outputs: Int = 1, initializer: Initializer = .linearDefault, generator: inout RandomGenerator
    ) -> Sequential {
        linearRegression(inputs: inputs, outputs: outputs, initializer: initializer, generator: &generator)
    }

    /// Softmax (multinomial logistic) regression: one logit per class, `z = x·Wᵀ + b`,
    /// `P(y = c) = softmax(z)_c` (train with ``CrossEntropyLoss``, which applies the softmax).
    /// - Parameters:
    ///   - inputs: the number of features.
    ///   - classes: the number of classes.
    ///   - initializer: The default value is ``Initializer/linearDefault``.
    ///   - generator: the seeded source of randomness.
    public static func softmaxRegression(
        inputs: Int, classes: Int, initializer: Initializer = .linearDefault, generator: inout RandomGenerator
    ) -> Sequential {
        linearRegression(inputs: inputs, outputs: classes, initializer: initializer, generator: &generator)
    }

    /// A multilayer perceptron: for each hidden size h, `Linear(·, h)`, then optionally
    /// `BatchNorm1d(h)`, the activation, and optionally `Dropout(p)`; then `Linear(·, outputs)`.
    ///
    /// Without the nonlinearity between them, the stacked linear layers would be one linear map;
    /// with it, the network can fit curved decision boundaries. The layer order, and so the state
    /// names, match the same `torch.nn.Sequential` (`mlp(5)` with 4 inputs and 3 outputs is
    /// `Sequential(Linear(4,5), ReLU(), Linear(5,3))`: `0.weight, 0.bias, 2.weight, 2.bias`).
    ///
    /// - Parameters:
    ///   - inputs: the number of features.
    ///   - hiddenSizes: the width of each hidden layer.
    ///   - outputs: the number of outputs (classes for ``CrossEntropyLoss``).
    ///   - activation: The default value is ``Activation/relu``.
    ///   - dropout: the dropout probability after each activation; `0` adds no dropout layer.
    ///     The default value is `0`.
    ///   - batchNorm: whether to normalise before each activation. The default value is `false`.
    ///   - bias: whether the linear layers have biases. The default value is `true`.
    ///   - initializer: for every linear layer's weight (biases: ``Initializer/matchingBiasInitializer``).
    ///     The default value is
    ///     ``Initializer/linearDefault`` (PyTorch's).
    ///   - generator: the seeded source of randomness (layers are initialised in order).
    public static func mlp(
        inputs: Int, hiddenSizes: [Int], outputs: Int, activation: Activation = .relu, dropout: Double = 0,
        batchNorm: Bool = false, bias: Bool = true, initializer: Initializer = .linearDefault, generator: inout RandomGenerator
    ) -> Sequential {
        var layers: [any Layer<Scalar>] = []
        var width = inputs
        for hidden in hiddenSizes {
            layers.append(Linear<Scalar>(width, hidden, bias: bias, weightInitializer: initializer, biasInitializer: initializer.matchingBiasInitializer, generator: &generator))
            if batchNorm { layers.append(BatchNorm1d<Scalar>(hidden)) }
            layers.append(activation.makeLayer())
            if dropout > 0 { layers.append(Dropout<Scalar>(probability: dropout, generator: &generator)) }
            width = hidden
        }
        layers.append(Linear<Scalar>(width, outputs, bias: bias, weightInitializer: initializer, biasInitializer: initializer.matchingBiasInitializer, generator: &generator))
        return Sequential(layers: layers)
    }
}

extension Initializer {
    /// The bias initialiser that goes with this weight initialiser in the model builders:
    /// ``linearDefault`` keeps PyTorch's U(±1/√fanIn) bias; every other scheme starts biases at
    /// zero, as is usual with Kaiming and Xavier initialisation.
    public var matchingBiasInitializer: Initializer { self == .linearDefault ? .linearDefault : .zeros }
}
