@testable import DescentData
import DescentCore
import Foundation
import Testing

@Suite struct PreprocessingTests {
    @Test func standardizerUsesTrainingStatisticsAndHandlesConstantColumns() throws {
        let train = try Tensor<Double>(rows: [[1, 10], [3, 10], [5, 10]])
        let scaler = try Standardizer.fit(train)
        // Column 0: mean 3, population σ = √((4 + 0 + 4)/3) = √(8/3). Column 1 is constant.
        #expect(scaler.mean == [3, 10])
        #expect(abs(scaler.standardDeviation[0] - (8.0 / 3).squareRoot()) < 1e-15)
        #expect(scaler.constantFeatures == [1])
        let scaled = try scaler.transform(train)
        let expected = [-2 / (8.0 / 3).squareRoot(), 0, 0, 0, 2 / (8.0 / 3).squareRoot(), 0]
        for (a, b) in zip(scaled.scalars, expected) { #expect(abs(a - b) < 1e-12) }
        // New data is transformed with the training statistics, not its own.
        let test = try Tensor<Double>(rows: [[3, 11]])
        #expect(try scaler.transform(test).scalars == [0, 1])
        #expect(try scaler.inverseTransform(scaler.transform(test)).scalars == [3, 11])
    }

    @Test func scalersRoundTripThroughJSON() throws {
        let x = try Tensor<Float>(rows: [[0, -1], [5, 1], [10, 3]])
        let standardizer = try Standardizer.fit(x)
        let minMax = try MinMaxScaler.fit(x, lower: -1, upper: 1)
        let encoder = try OneHotEncoder.fit([CategoricalColumn(name: "color", values: ["red", "blue"])])
        #expect(try JSONDecoder().decode(Standardizer.self, from: JSONEncoder().encode(standardizer)) == standardizer)
        #expect(try JSONDecoder().decode(MinMaxScaler.self, from: JSONEncoder().encode(minMax)) == minMax)
        #expect(try JSONDecoder().decode(OneHotEncoder.self, from: JSONEncoder().encode(encoder)) == encoder)
    }

    @Test func minMaxScalesIntoTheRange() throws {
        let x = try Tensor<Double>(rows: [[0], [5], [10]])
        let scaler = try MinMaxScaler.fit(x)
        #expect(try scaler.transform(x).scalars == [0, 0.5, 1])
        #expect(try scaler.transform(Tensor<Double>(rows: [[20]])).scalars == [2])  // outside the training range
        let constant = try MinMaxScaler.fit(Tensor<Double>(rows: [[4], [4]]), lower: -1, upper: 1)
        #expect(try constant.transform(Tensor<Double>(rows: [[4], [9]])).scalars == [-1, -1])
    }

    @Test func shapeMismatchIsAnError() throws {
        let scaler = try Standardizer.fit(Tensor<Float>(zeros: [2, 3]))
        #expect(dataErrorMessage { _ = try scaler.transform(Tensor<Float>(zeros: [2, 4])) }
                == "Standardizer was fitted on samples of shape [3], but these have shape [4] (tensor [2, 4])")
    }

    @Test func oneHotEncodesSortedCategoriesAndRejectsUnknownOnes() throws {
        let encoder = try OneHotEncoder.fit([CategoricalColumn(name: "color", values: ["red", "blue", "red"]),
                                             CategoricalColumn(name: "size", values: ["2", "10", "2"])])
        #expect(encoder.outputNames == ["color=blue", "color=red", "size=2", "size=10"])
        let encoded: Tensor<Float> = try encoder.transform([CategoricalColumn(name: "color", values: ["blue", "red"]),
                                                            CategoricalColumn(name: "size", values: ["10", "2"])])
        #expect(encoded.scalars == [1, 0, 0, 1, 0, 1, 1, 0])
        let message = dataErrorMessage {
            let _: Tensor<Float> = try encoder.transform([CategoricalColumn(name: "color", values: ["green"]), CategoricalColumn(name: "size", values: ["2"])])
        }
        #expect(message.hasPrefix("(column \"color\"): row 0: category \"green\" was not seen when the encoder was fitted; known categories: blue, red"))
        var lenient = encoder
        lenient.unknownCategory = .allZeros
        let zeros: Tensor<Float> = try lenient.transform([CategoricalColumn(name: "color", values: ["green"]), CategoricalColumn(name: "size", values: ["2"])])
        #expect(zeros.scalars == [0, 0, 1, 0])
    }

    @Test func csvCategoricalColumnsBecomeOneHotFeaturesFittedOnTrainingRows() throws {
        let table: CSVTable<Float> = try CSVLoader.load(
            text: "size,color,price\n1,red,10\n2,blue,20\n3,red,30\n4,green,40\n",
            options: CSVOptions(targets: ["price"], categorical: ["color"]))
        #expect(dataErrorMessage { _ = try table.dataset() }.contains("columns \"color\" are categorical"))
        let train = try table.rows([0, 1, 2])
        let encoder = try OneHotEncoder.fit(train.categoricalColumns)
        let dataset = try train.dataset(encoder: encoder)
        #expect(dataset.featureNames == ["size", "color=blue", "color=red"])
        #expect(dataset.features.scalars == [1, 0, 1, 2, 1, 0, 3, 0, 1])
        // Row 3 has "green", which the training rows never had.
        #expect(dataErrorMessage { _ = try table.rows([3]).dataset(encoder: encoder) }.contains("category \"green\" was not seen"))
    }
}

@Suite struct FeatureScalingTests {
    @Test func fittedScalingSurvivesJSONAndAppliesTheSameTransform() throws {
        let train = try Tensor<Double>(rows: [[0, 1], [2, 3], [4, 5]])
        let scaling = try FeatureScaling.fit("standardize", on: train)
        let restored = try JSONDecoder().decode(FeatureScaling.self, from: JSONEncoder().encode(scaling))
        #expect(restored == scaling)
        let newData = try Tensor<Double>(rows: [[2, 7]])
        // Column means 2 and 3, σ = √(8/3) for both: (2 − 2)/σ = 0 and (7 − 3)/σ = 4/√(8/3).
        let scaled = try restored.transform(newData).scalars
        #expect(scaled[0] == 0)
        #expect(abs(scaled[1] - 4 / (8.0 / 3).squareRoot()) < 1e-12)
        #expect(try FeatureScaling.fit("minmax", on: train).transform(newData).scalars == [0.5, 1.5])
        #expect(dataErrorMessage { _ = try FeatureScaling.fit("robust", on: train) }
                == "unknown feature scaling \"robust\"; choose one of none, standardize, minmax")
    }
}
