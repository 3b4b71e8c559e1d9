import Foundation
import Testing
@testable import DescentPlot

@Suite struct TicksTests {
    /// Steps must be 1, 2 or 5 times a power of ten.
    static func isNice(_ step: Double) -> Bool {
        let mantissa = step / pow(10, floor(log10(step)))
        return [1.0, 2, 5, 10].contains { abs(mantissa - $0) < 1e-9 }
    }

    @Test(arguments: [
        (0.0, 1.0), (0.0, 2.3), (-3.7, 12.1), (0.001, 0.0042), (1e5, 3.3e6), (-0.5, -0.2), (97, 103), (0.3, 0.3),
    ])
    func linearTicksAreNiceAndCoverTheData(lower: Double, upper: Double) {
        let result = Ticks.linear(lower: lower, upper: upper, expands: true)
        let values = result.ticks.map(\.value)
        #expect(values.count >= 3 && values.count <= 12)
        #expect(values.first! <= lower && values.last! >= upper)
        let steps = zip(values, values.dropFirst()).map { $1 - $0 }
        #expect(Self.isNice(steps[0]))
        #expect(steps.allSatisfy { abs($0 - steps[0]) < steps[0] * 1e-9 })
        #expect(result.lower == values.first && result.upper == values.last)
    }

    @Test func niceStepPicksOneTwoOrFive() {
        // Span / 6 = 1.67 → 2; 0.7 / 6 = 0.117 → 0.1; 3000 / 6 = 500 → 500.
        #expect(Ticks.niceStep(span: 10, targetCount: 6) == 2)
        #expect(abs(Ticks.niceStep(span: 0.7, targetCount: 6) - 0.1) < 1e-12)
        #expect(Ticks.niceStep(span: 3000, targetCount: 6) == 500)
    }

    @Test func tickLabelsCarryNoRoundingNoise() {
        let labels = Ticks.linear(lower: 0, upper: 0.3, expands: true).ticks.map(\.label)
        #expect(labels == ["0", "0.05", "0.10", "0.15", "0.20", "0.25", "0.30"])
        let negative = Ticks.linear(lower: -1, upper: 1, expands: true).ticks.map(\.label)
        #expect(negative.first == "−1.0" && negative.contains("0"))
    }

    @Test func logTicksSitAtDecadesCoveringTheData() {
        let result = Ticks.logarithmic(lower: 0.003, upper: 2.5e4, expands: true)
        let values = result.ticks.map(\.value)
        #expect(values.first! <= 0.003 && values.last! >= 2.5e4)
        for value in values {
            let exponent = log10(value)
            #expect(abs(exponent - exponent.rounded()) < 1e-9)
        }
        #expect(result.ticks.map(\.label).contains(NumberFormatting.powerOfTen(-3)))
    }

    @Test func manyDecadesStrideSoTicksStayFew() {
        let ticks = Ticks.logarithmic(lower: 1e-12, upper: 1e12, expands: true).ticks
        #expect(ticks.count <= 13)
        #expect(ticks.first!.value <= 1e-12 && ticks.last!.value >= 1e12)
    }

    @Test func narrowLogRangeUsesOneTwoFive() {
        let ticks = Ticks.logarithmic(lower: 0.15, upper: 0.9, expands: true).ticks.map(\.value)
        #expect(ticks == [0.1, 0.2, 0.5, 1].map { $0 })
    }

    @Test func numberFormattingIsShortAndReadable() {
        #expect(NumberFormatting.compact(0.12345) == "0.123")
        #expect(NumberFormatting.compact(50) == "50")
        #expect(NumberFormatting.compact(2e-5) == "2e-5")
        #expect(NumberFormatting.compact(-1.5) == "−1.5")
        #expect(NumberFormatting.powerOfTen(-12) == "10⁻¹²")
        #expect(NumberFormatting.label(3e6, step: 1e6) == "3e6")
    }

    @Test func coordinatesAreCompact() {
        #expect(SVGBuilder.number(12.5) == "12.5")
        #expect(SVGBuilder.number(-3) == "-3")
        #expect(SVGBuilder.number(0.07) == "0.07")
        #expect(SVGBuilder.number(1.005) == "1" || SVGBuilder.number(1.005) == "1.01")
        #expect(SVGBuilder.number(.nan) == "0")
    }
}
