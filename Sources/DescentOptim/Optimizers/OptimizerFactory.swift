import DescentCore

/// Creates optimizers from spec strings such as `"adam(lr: 0.001, amsgrad: true)"`.
///
/// Keys are the Swift argument labels (`learningRate`, alias `lr`; `momentum`, `dampening`,
/// `nesterov`, `weightDecay`, `maximize`, `beta1`, `beta2`, `epsilon`, `amsgrad`, `alpha`,
/// `centered`, `lrDecay`, `initialAccumulatorValue`, `rho`, `momentumDecay`,
/// `decoupledWeightDecay`); a missing key takes the optimizer's documented default.
public enum OptimizerFactory {
    /// The optimizer names, in the order listed in help texts.
    public static let names = ["sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "adamax", "nadam", "radam", "lion"]

    /// The keys each optimizer accepts (plus `lr` for `learningRate`).
    public static let keys: [String: [String]] = [
        "sgd": ["learningRate", "momentum", "dampening", "weightDecay", "nesterov", "maximize"],
        "adam": ["learningRate", "beta1", "beta2", "epsilon", "weightDecay", "amsgrad", "maximize", "decoupledWeightDecay"],
        "adamw": ["learningRate", "beta1", "beta2", "epsilon", "weightDecay", "amsgrad", "maximize"],
        "rmsprop": ["learningRate", "alpha", "epsilon", "weightDecay", "momentum", "centered", "maximize"],
        "adagrad": ["learningRate", "lrDecay", "weightDecay", "initialAccumulatorValue", "epsilon", "maximize"],
        "adadelta": ["learningRate", "rho", "epsilon", "weightDecay", "maximize"],
        "adamax": ["learningRate", "beta1", "beta2", "epsilon", "weightDecay", "maximize"],
        "nadam": ["learningRate", "beta1", "beta2", "epsilon", "weightDecay", "momentumDecay", "decoupledWeightDecay", "maximize"],
        "radam": ["learningRate", "beta1", "beta2", "epsilon", "weightDecay", "decoupledWeightDecay", "maximize"],
        "lion": ["learningRate", "beta1", "beta2", "weightDecay", "maximize"],
    ]

    /// Parses `text` and creates the optimizer it names.
    /// - Throws: `SpecError` for unreadable text, an unknown name (listing the valid ones) or an
    ///   unknown key (listing the valid keys); ``OptimizerError`` for an invalid value.
    public static func make<Scalar: TensorScalar>(_ text: String, as type: Scalar.Type = Scalar.self) throws -> any Optimizer<Scalar> {
        try make(Spec(parsing: text), as: type)
    }

    /// Creates the optimizer that `spec` names.
    public static func make<Scalar: TensorScalar>(_ spec: Spec, as type: Scalar.Type = Scalar.self) throws -> any Optimizer<Scalar> {
        guard let validKeys = keys[spec.name] else {
            throw SpecError("unknown optimizer `\(spec.name)`\(Suggestion.didYouMean(spec.name, among: names)); valid optimizers: \(names.joined(separator: ", "))")
        }
        var a = try SpecArguments(spec, component: "optimizer \(spec.name)", validKeys: validKeys + ["lr"])
        func rate(_ value: Double) throws -> Double { try a.double("learningRate", aliases: ["lr"], default: value) }
        let optimizer: any Optimizer<Scalar>
        switch spec.name {
        case "sgd":
            optimizer = try SGD<Scalar>(learningRate: rate(1e-3), momentum: a.double("momentum", default: 0),
                                        dampening: a.double("dampening", default: 0), weightDecay: a.double("weightDecay", default: 0),
                                        nesterov: a.bool("nesterov", default: false), maximize: a.bool("maximize", default: false))
        case "adam", "adamw":
            // `adam(decoupledWeightDecay: true)` is AdamW with Adam's default decay of 0, as
            // `torch.optim.Adam(decoupled_weight_decay=True)` is (PyTorch 2.6 and later).
            var isW = spec.name == "adamw"
            if !isW { isW = try a.bool("decoupledWeightDecay", default: false) }
            let options = try AdamOptions(
                learningRate: rate(1e-3), beta1: a.double("beta1", default: 0.9), beta2: a.double("beta2", default: 0.999),
                epsilon: a.double("epsilon", default: 1e-8), weightDecay: a.double("weightDecay", default: spec.name == "adamw" ? 1e-2 : 0),
                amsgrad: a.bool("amsgrad", default: false), maximize: a.bool("maximize", default: false), decoupledWeightDecay: isW)
            if isW {
                optimizer = try AdamW<Scalar>(learningRate: options.learningRate, beta1: options.beta1, beta2: options.beta2,
                                              epsilon: options.epsilon, weightDecay: options.weightDecay, amsgrad: options.amsgrad,
                                              maximize: options.maximize)
            } else {
                optimizer = try Adam<Scalar>(learningRate: options.learningRate, beta1: options.beta1, beta2: options.beta2,
                                             epsilon: options.epsilon, weightDecay: options.weightDecay, amsgrad: options.amsgrad,
                                             maximize: options.maximize)
            }
        case "rmsprop":
            optimizer = try RMSprop<Scalar>(learningRate: rate(1e-2), alpha: a.double("alpha", default: 0.99),
                                            epsilon: a.double("epsilon", default: 1e-8), weightDecay: a.double("weightDecay", default: 0),
                                            momentum: a.double("momentum", default: 0), centered: a.bool("centered", default: false),
                                            maximize: a.bool("maximize", default: false))
        case "adagrad":
            optimizer = try Adagrad<Scalar>(learningRate: rate(1e-2), lrDecay: a.double("lrDecay", default: 0),
                                            weightDecay: a.double("weightDecay", default: 0),
                                            initialAccumulatorValue: a.double("initialAccumulatorValue", default: 0),
                                            epsilon: a.double("epsilon", default: 1e-10), maximize: a.bool("maximize", default: false))
        case "adadelta":
            optimizer = try Adadelta<Scalar>(learningRate: rate(1.0), rho: a.double("rho", default: 0.9),
                                             epsilon: a.double("epsilon", default: 1e-6), weightDecay: a.double("weightDecay", default: 0),
                                             maximize: a.bool("maximize", default: false))
        case "adamax":
            optimizer = try Adamax<Scalar>(learningRate: rate(2e-3), beta1: a.double("beta1", default: 0.9),
                                           beta2: a.double("beta2", default: 0.999), epsilon: a.double("epsilon", default: 1e-8),
                                           weightDecay: a.double("weightDecay", default: 0), maximize: a.bool("maximize", default: false))
        case "nadam":
            optimizer = try NAdam<Scalar>(learningRate: rate(2e-3), beta1: a.double("beta1", default: 0.9),
                                          beta2: a.double("beta2", default: 0.999), epsilon: a.double("epsilon", default: 1e-8),
                                          weightDecay: a.double("weightDecay", default: 0),
                                          momentumDecay: a.double("momentumDecay", default: 4e-3),
                                          decoupledWeightDecay: a.bool("decoupledWeightDecay", default: false),
                                          maximize: a.bool("maximize", default: false))
        case "radam":
            optimizer = try RAdam<Scalar>(learningRate: rate(1e-3), beta1: a.double("beta1", default: 0.9),
                                          beta2: a.double("beta2", default: 0.999), epsilon: a.double("epsilon", default: 1e-8),
                                          weightDecay: a.double("weightDecay", default: 0),
                                          decoupledWeightDecay: a.bool("decoupledWeightDecay", default: false),
                                          maximize: a.bool("maximize", default: false))
        default:  // "lion"
            optimizer = try Lion<Scalar>(learningRate: rate(1e-4), beta1: a.double("beta1", default: 0.9),
                                         beta2: a.double("beta2", default: 0.99), weightDecay: a.double("weightDecay", default: 0),
                                         maximize: a.bool("maximize", default: false))
        }
        try a.finish()
        return optimizer
    }
}

/// Creates the optimizer a spec string names; see ``OptimizerFactory``.
public func makeOptimizer<Scalar: TensorScalar>(spec: String, as type: Scalar.Type = Scalar.self) throws -> any Optimizer<Scalar> {
    try OptimizerFactory.make(spec, as: type)
}
