import Descent

/// What the page offers in its menus, from the library's own lists (so a new optimizer or
/// schedule appears in the playground without touching the page): `GET /api/catalog`.
enum Catalog {
    /// The catalogue as JSON.
    static var json: JSONValue {
        func names(_ list: [String], keys: [String: [String]]) -> JSONValue {
            .array(list.map { name in .object([("name", .string(name)), ("keys", .array((keys[name] ?? []).map(JSONValue.string)))]) })
        }
        return .object([
            ("functions", Landscape.catalogue),
            ("optimizers", names(OptimizerFactory.names, keys: OptimizerFactory.keys)),
            ("schedules", names(ScheduleFactory.names, keys: ScheduleFactory.keys)),
            ("datasets", .array(PlaygroundDatasets.classificationDatasets.map(JSONValue.string))),
            ("activations", .array((Activation.specNames + ["none"]).map(JSONValue.string))),
            ("losses", .array(["cross-entropy", "bce-with-logits"].map(JSONValue.string))),
            ("limits", .object([("samples", .number(Double(TrainRequest.Limits.samples))),
                                ("hiddenLayers", .number(Double(TrainRequest.Limits.hiddenLayers))),
                                ("width", .number(Double(TrainRequest.Limits.width))),
                                ("steps", .number(Double(TrainRequest.Limits.steps))),
                                ("optimizeSteps", .number(Double(PlaygroundAPI.maximumOptimizeSteps))),
                                ("optimizers", .number(Double(PlaygroundAPI.maximumOptimizers))),
                                ("uploadBytes", .number(Double(UploadStore.maximumBytes)))])),
        ])
    }
}
