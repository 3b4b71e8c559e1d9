import DescentCore

/// The positions of the samples in a train / validation / test split.
public struct SplitIndices: Equatable, Sendable, Codable {
    /// The positions of the training samples.
    public var train: [Int]
    /// The positions of the validation samples (empty when no validation fraction was asked for).
    public var validation: [Int]
    /// The positions of the test samples (empty when no test fraction was asked for).
    public var test: [Int]
}

/// Seeded train / validation / test splits and k-fold cross-validation indices.
///
/// Sizes follow scikit-learn: a held-out part of fraction `f` of `n` samples has `⌈f·n⌉` samples,
/// and training gets the rest. A stratified split gives each class its share of each part (the
/// fractional samples go to the classes with the largest remainders, ties to the lower class), so
/// the part sizes are the same as without stratification. Each part is returned in random order.
///
/// - PyTorch: `torch.utils.data.random_split`; scikit-learn: `sklearn.model_selection.train_test_split`
///   (with `stratify=`), `KFold`, `StratifiedKFold`.
public enum DataSplit {
    /// Splits `0..<count` into train, validation and test positions.
    /// - Parameters:
    ///   - count: the number of samples.
    ///   - validationFraction: the share for validation, in [0, 1). The default value is `0`.
    ///   - testFraction: the share for testing, in [0, 1). The default value is `0`.
    ///   - seed: the random seed; the same seed gives the same split everywhere.
    ///   - labels: class labels to stratify by (one per sample). The default value is `nil` (not stratified).
    /// - Throws: ``DataError`` if the fractions are out of range, leave no training samples, or the
    ///   labels do not match `count`.
    public static func trainValidationTest(
        count: Int, validationFraction: Double = 0, testFraction: Double = 0, seed: UInt64,
        stratifiedBy labels: [Int]? = nil
    ) throws -> SplitIndices {
        for (name, fraction) in [("validationFraction", validationFraction), ("testFraction", testFraction)] {
            guard fraction >= 0 && fraction < 1 else { throw DataError("\(name) must be in [0, 1), got \(fraction)") }
        }
        let testCount = heldOutCount(testFraction, of: count)
        let validationCount = heldOutCount(validationFraction, of: count)
        guard testCount + validationCount < count || count == 0 else {
            throw DataError("a split of \(count) samples into \(validationCount) validation and \(testCount) test samples leaves none for training; use smaller fractions")
        }
        var generator = RandomGenerator(seed: seed)
        guard let labels else {
            let order = generator.permutation(count)
            return SplitIndices(
                train: Array(order[(testCount + validationCount)...]),
                validation: Array(order[testCount..<(testCount + validationCount)]),
                test: Array(order[..<testCount]))
        }
        guard labels.count == count else { throw DataError("stratifying needs one label per sample: \(labels.count) labels for \(count) samples") }
        let groups = try classGroups(labels)
        // Each class's members in random order; then each part takes its share from the front.
        let shuffled = groups.map { members in generator.permutation(members.count).map { members[$0] } }
        let sizes = groups.map(\.count)
        let testShares = apportion(testCount, among: sizes)
        let remaining = zip(sizes, testShares).map { $0 - $1 }
        let validationShares = apportion(validationCount, among: remaining)
        var result = SplitIndices(train: [], validation: [], test: [])
        for (c, members) in shuffled.enumerated() {
            result.test += members[..<testShares[c]]
            result.validation += members[testShares[c]..<(testShares[c] + validationShares[c])]
            result.train += members[(testShares[c] + validationShares[c])...]
        }
        result.train = generator.permutation(result.train.count).map { result.train[$0] }
        result.validation = generator.permutation(result.validation.count).map { result.validation[$0] }
        result.test = generator.permutation(result.test.count).map { result.test[$0] }
        return result
    }

    /// The `folds` (train, validation) position pairs of k-fold cross-validation.
    ///
    /// Without labels the (shuffled) positions are cut into `folds` consecutive parts; the first
    /// `count % folds` parts get one extra sample, as in scikit-learn's `KFold`. With labels each
    /// class's shuffled members are dealt to the folds in turn, so every fold has nearly the same
    /// class balance (`StratifiedKFold`).
    /// - Parameters:
    ///   - count: the number of samples.
    ///   - folds: k, at least 2 and at most `count`.
    ///   - shuffle: shuffle before cutting. The default value is `true`.
    ///   - seed: the random seed. The default value is `0`.
    ///   - labels: class labels to stratify by. The default value is `nil`.
    /// - Throws: ``DataError`` for an invalid `folds` or mismatched labels.
    public static func kFold(
        count: Int, folds: Int, shuffle: Bool = true, seed: UInt64 = 0, stratifiedBy labels: [Int]? = nil
    ) throws -> [(train: [Int], validation: [Int])] {
        guard folds >= 2 && folds <= count else { throw DataError("k-fold needs 2 ≤ folds ≤ \(count) (the sample count), got \(folds)") }
        var generator = RandomGenerator(seed: seed)
        var parts = [[Int]](repeating: [], count: folds)
        if let labels {
            guard labels.count == count else { throw DataError("stratifying needs one label per sample: \(labels.count) labels for \(count) samples") }
            var next = 0
            for members in try classGroups(labels) {
                let ordered = shuffle ? generator.permutation(members.count).map { members[$0] } : members
                for index in ordered {
                    parts[next].append(index)
                    next = (next + 1) % folds
                }
            }
        } else {
            let order = shuffle ? generator.permutation(count) : Array(0..<count)
            var start = 0
            for fold in 0..<folds {
                let size = count / folds + (fold < count % folds ? 1 : 0)
                parts[fold] = Array(order[start..<(start + size)])
                start += size
            }
        }
        return (0..<folds).map { fold in
            (train: (0..<folds).filter { $0 != fold }.flatMap { parts[$0] }, validation: parts[fold])
        }
    }

    /// `⌈fraction·count⌉`, ignoring rounding error below 1e-9 (so `1 − 0.7` of 10 is 3, not 4).
    static func heldOutCount(_ fraction: Double, of count: Int) -> Int {
        Int((fraction * Double(count) - 1e-9).rounded(.up))
    }

    /// The positions of each class, classes in increasing order.
    static func classGroups(_ labels: [Int]) throws -> [[Int]] {
        guard let maximum = labels.max() else { return [] }
        if let bad = labels.firstIndex(where: { $0 < 0 }) { throw DataError("sample \(bad) has a negative class \(labels[bad])") }
        var groups = [[Int]](repeating: [], count: maximum + 1)
        for (index, label) in labels.enumerated() { groups[label].append(index) }
        return groups
    }

    /// Splits `total` into integer shares proportional to `sizes` (largest remainder, ties to the
    /// lower index), never giving a group more than its size.
    static func apportion(_ total: Int, among sizes: [Int]) -> [Int] {
        let sum = sizes.reduce(0, +)
        guard sum > 0 else { return sizes.map { _ in 0 } }
        var shares = sizes.map { $0 * total / sum }
        var left = total - shares.reduce(0, +)
        let byRemainder = sizes.indices.sorted {
            let a = sizes[$0] * total % sum, b = sizes[$1] * total % sum
            return a != b ? a > b : $0 < $1
        }
        var position = 0
        while left > 0 && position < byRemainder.count * 2 {
            let group = byRemainder[position % byRemainder.count]
            if shares[group] < sizes[group] { shares[group] += 1; left -= 1 }
            position += 1
        }
        return shares
    }
}

extension TensorDataset {
    /// Splits the dataset into a training part and a held-out part of `1 − trainFraction`.
    /// - Parameters:
    ///   - trainFraction: the training share, in (0, 1]. The default value is `0.8`.
    ///   - seed: the random seed.
    ///   - stratified: keep the class balance in both parts (class targets only). The default value is `false`.
    /// - PyTorch: `torch.utils.data.random_split`; scikit-learn: `train_test_split`.
    public func split(trainFraction: Double = 0.8, seed: UInt64, stratified: Bool = false) throws -> (train: TensorDataset, test: TensorDataset) {
        guard trainFraction > 0 && trainFraction <= 1 else { throw DataError("trainFraction must be in (0, 1], got \(trainFraction)") }
        if stratified && targets.classes == nil { throw DataError("a stratified split needs class targets; these are real values") }
        let indices = try DataSplit.trainValidationTest(
            count: count, testFraction: 1 - trainFraction, seed: seed, stratifiedBy: stratified ? targets.classes : nil)
        return (try subset(indices.train), try subset(indices.test))
    }
}
