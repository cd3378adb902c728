import SalesModel
import Testing

/// Splitting an amount by weights: the parts always add up to the amount, to the fen.
@Suite struct MoneySplitTests {
    @Test func threeEqualPartsOfAnAmountThatDoesNotDivide() throws {
        let parts = try #require(Money(minorUnits: 128_000_000, currency: .cny).split(proportionalTo: [1, 1, 1]))
        #expect(parts.map(\.minorUnits) == [42_666_667, 42_666_667, 42_666_666])
        #expect(parts.map(\.minorUnits).reduce(0, +) == 128_000_000)
    }

    @Test func partsNeverLoseAFenOverManyAmountsAndWeights() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let amount = Int64.random(in: -10_000_000_000...10_000_000_000, using: &generator)
            let weights = (0..<Int.random(in: 1...9, using: &generator)).map { _ in Int64.random(in: 0...1_000, using: &generator) }
            guard weights.contains(where: { $0 > 0 }) else { continue }
            let parts = try #require(Money(minorUnits: amount, currency: .cny).split(proportionalTo: weights))
            #expect(parts.map(\.minorUnits).reduce(0, +) == amount)
            let total = Double(weights.reduce(0, +))
            for (part, weight) in zip(parts, weights) {
                // Each part is within one fen of its exact share; a zero weight gets nothing.
                #expect(abs(Double(part.minorUnits) - Double(amount) * Double(weight) / total) < 1.000_001)
                if weight == 0 { #expect(part.minorUnits == 0) }
            }
        }
    }

    @Test func hugeAmountsDoNotOverflow() throws {
        let parts = try #require(Money(minorUnits: Int64.max, currency: .cny).split(proportionalTo: [Int64.max / 2, Int64.max / 2]))
        #expect(parts[0].minorUnits &+ parts[1].minorUnits == Int64.max)
    }

    @Test func noPositiveWeightOrANegativeOneIsRefused() {
        let amount = Money(minorUnits: 100, currency: .cny)
        #expect(amount.split(proportionalTo: []) == nil)
        #expect(amount.split(proportionalTo: [0, 0]) == nil)
        #expect(amount.split(proportionalTo: [3, -1]) == nil)
    }
}
