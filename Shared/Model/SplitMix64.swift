import Foundation

/// SplitMix64: tiny, fast and the same on every platform, so a seed always gives the same data.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// In [0, 1).
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }
    public mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * uniform() }
    public mutating func below(_ n: Int) -> Int { n > 1 ? Int(next() % UInt64(n)) : 0 }
    public mutating func chance(_ p: Double) -> Bool { uniform() < p }

    public mutating func gauss() -> Double {
        let u = max(uniform(), Double.leastNonzeroMagnitude)
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * uniform())
    }

    public mutating func poisson(_ mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        if mean > 30 { return max(0, Int((mean + mean.squareRoot() * gauss()).rounded())) }
        let limit = exp(-mean)
        var count = 0
        var product = uniform()
        while product > limit {
            count += 1
            product *= uniform()
        }
        return count
    }

    /// An index drawn in proportion to `weights`.
    public mutating func weighted(_ weights: [Double]) -> Int {
        var total = 0.0
        for i in 0..<weights.count { total += weights[i] }
        var x = uniform() * total
        for i in 0..<weights.count {
            x -= weights[i]
            if x < 0 { return i }
        }
        return weights.count - 1
    }
}
