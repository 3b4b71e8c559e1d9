@testable import DescentData
import DescentCore
import Testing

@Suite struct SplitTests {
    @Test func fractionsGiveCeilingSizesAndPartitionTheSamples() throws {
        // ⌈0.3·10⌉ = 3 test, ⌈0.2·10⌉ = 2 validation, 5 train (scikit-learn's rule).
        let split = try DataSplit.trainValidationTest(count: 10, validationFraction: 0.2, testFraction: 0.3, seed: 1)
        #expect(split.test.count == 3)
        #expect(split.validation.count == 2)
        #expect(split.train.count == 5)
        #expect((split.train + split.validation + split.test).sorted() == Array(0..<10))
        #expect(try DataSplit.trainValidationTest(count: 10, validationFraction: 0.2, testFraction: 0.3, seed: 1) == split)
        #expect(try DataSplit.trainValidationTest(count: 10, validationFraction: 0.2, testFraction: 0.3, seed: 2) != split)
        // 1 − 0.7 is 0.30000000000000004 in Double; it must still give 3 of 10, not 4.
        #expect(try DataSplit.trainValidationTest(count: 10, testFraction: 1 - 0.7, seed: 0).test.count == 3)
    }

    @Test func stratifiedSplitKeepsClassShares() throws {
        // 30 of class 0, 10 of class 1; 25 % test = 10 samples: 7.5 and 2.5 by share, the tie in
        // remainders goes to class 0, so 8 and 2.
        let labels = [Int](repeating: 0, count: 30) + [Int](repeating: 1, count: 10)
        let split = try DataSplit.trainValidationTest(count: 40, testFraction: 0.25, seed: 5, stratifiedBy: labels)
        #expect(split.test.filter { labels[$0] == 0 }.count == 8)
        #expect(split.test.filter { labels[$0] == 1 }.count == 2)
        #expect((split.train + split.test).sorted() == Array(0..<40))
    }

    @Test func kFoldSizesAndDisjointness() throws {
        let folds = try DataSplit.kFold(count: 10, folds: 3, seed: 4)
        #expect(folds.map(\.validation.count) == [4, 3, 3])  // first 10 % 3 folds get one extra
        #expect(folds.flatMap(\.validation).sorted() == Array(0..<10))
        for fold in folds {
            #expect(Set(fold.train).isDisjoint(with: fold.validation))
            #expect((fold.train + fold.validation).sorted() == Array(0..<10))
        }
        let unshuffled = try DataSplit.kFold(count: 5, folds: 2, shuffle: false)
        #expect(unshuffled[0].validation == [0, 1, 2])
        #expect(unshuffled[1].validation == [3, 4])
    }

    @Test func stratifiedKFoldBalancesClasses() throws {
        let labels = (0..<30).map { $0 < 20 ? 0 : 1 }
        for fold in try DataSplit.kFold(count: 30, folds: 5, seed: 9, stratifiedBy: labels) {
            #expect(fold.validation.filter { labels[$0] == 0 }.count == 4)
            #expect(fold.validation.filter { labels[$0] == 1 }.count == 2)
        }
    }

    @Test func invalidFractionsAreExplained() {
        let message = dataErrorMessage { _ = try DataSplit.trainValidationTest(count: 4, validationFraction: 0.5, testFraction: 0.5, seed: 0) }
        #expect(message == "a split of 4 samples into 2 validation and 2 test samples leaves none for training; use smaller fractions")
        #expect(dataErrorMessage { _ = try DataSplit.kFold(count: 3, folds: 4) } == "k-fold needs 2 ≤ folds ≤ 3 (the sample count), got 4")
    }

    @Test func datasetSplitKeepsNamesAndSizes() throws {
        let data = try BuiltinDataset.make("moons(count: 100)", seed: 3, as: Float.self)
        let (train, test) = try data.split(trainFraction: 0.8, seed: 1, stratified: true)
        #expect(train.count == 80)
        #expect(test.count == 20)
        #expect(test.targets.classes!.filter { $0 == 1 }.count == 10)
        #expect(train.featureNames == ["x1", "x2"])
    }
}
