import Foundation

/// L2-regularised logistic regression fitted by Newton's method (iteratively reweighted least
/// squares) on standardised inputs: a few dozen features, hundreds of thousands of rows, so each
/// step is one pass building the d×d Hessian and a Cholesky solve.
struct LogisticRegression: Codable, Sendable {
    var means: [Double]
    var scales: [Double]
    /// The intercept first, then one weight per standardised input.
    var weights: [Double]

    /// A row-major matrix of inputs, one row per example.
    struct Rows: Sendable {
        let width: Int
        var values: [Double] = []
        var labels: [Double] = []
        var count: Int { labels.count }

        init(width: Int) { self.width = width }

        mutating func append(_ x: [Double], label: Bool) {
            values.append(contentsOf: x)
            labels.append(label ? 1 : 0)
        }
    }

    static func fit(_ rows: Rows, ridge: Double = 1, iterations: Int = 25) -> LogisticRegression {
        let n = rows.count
        let d = rows.width
        var means = Array(repeating: 0.0, count: d)
        var scales = Array(repeating: 1.0, count: d)
        rows.values.withUnsafeBufferPointer { x in
            for i in 0..<n { for j in 0..<d { means[j] += x[i * d + j] } }
            for j in 0..<d { means[j] /= Double(max(n, 1)) }
            var variance = Array(repeating: 0.0, count: d)
            for i in 0..<n {
                for j in 0..<d {
                    let centred = x[i * d + j] - means[j]
                    variance[j] += centred * centred
                }
            }
            for j in 0..<d { scales[j] = variance[j] > 1e-12 ? (variance[j] / Double(max(n, 1))).squareRoot() : 1 }
        }
        let k = d + 1
        var weights = Array(repeating: 0.0, count: k)
        // The intercept starts at the base rate's log-odds, so the first step is already close.
        let positives = rows.labels.reduce(0, +)
        weights[0] = log((positives + 0.5) / (Double(n) - positives + 0.5))
        var z = Array(repeating: 0.0, count: k)
        var hessian = Array(repeating: 0.0, count: k * k)
        var gradient = Array(repeating: 0.0, count: k)
        for _ in 0..<iterations {
            for index in hessian.indices { hessian[index] = 0 }
            for index in gradient.indices { gradient[index] = 0 }
            rows.values.withUnsafeBufferPointer { x in
                hessian.withUnsafeMutableBufferPointer { h in
                    for i in 0..<n {
                        z[0] = 1
                        var eta = weights[0]
                        for j in 0..<d {
                            let v = (x[i * d + j] - means[j]) / scales[j]
                            z[j + 1] = v
                            eta += weights[j + 1] * v
                        }
                        let p = 1 / (1 + exp(-eta))
                        let w = max(p * (1 - p), 1e-9)
                        let residual = rows.labels[i] - p
                        for a in 0..<k {
                            gradient[a] += residual * z[a]
                            let wa = w * z[a]
                            for b in 0...a { h[a * k + b] += wa * z[b] }
                        }
                    }
                }
            }
            // The ridge keeps rare inputs from running off; the intercept is not penalised.
            for a in 1..<k {
                gradient[a] -= ridge * weights[a]
                hessian[a * k + a] += ridge
            }
            for a in 0..<k { for b in 0..<a { hessian[b * k + a] = hessian[a * k + b] } }
            guard let step = solve(hessian, gradient, size: k) else { break }
            var largest = 0.0
            for a in 0..<k {
                weights[a] += step[a]
                largest = max(largest, abs(step[a]))
            }
            if largest < 1e-6 { break }
        }
        return LogisticRegression(means: means, scales: scales, weights: weights)
    }

    /// The log-odds for raw inputs `x`.
    func logit(_ x: [Double]) -> Double {
        var eta = weights[0]
        for j in x.indices { eta += weights[j + 1] * (x[j] - means[j]) / scales[j] }
        return eta
    }

    func probability(_ x: [Double]) -> Double { 1 / (1 + exp(-logit(x))) }

    /// The part of the log-odds inputs `range` add against their training means.
    func contribution(_ x: [Double], _ range: Range<Int>) -> Double {
        range.reduce(0) { $0 + weights[$1 + 1] * (x[$1] - means[$1]) / scales[$1] }
    }

    /// Solves A·s = g for a symmetric positive definite A by Cholesky; nil when A is not.
    private static func solve(_ a: [Double], _ g: [Double], size k: Int) -> [Double]? {
        var l = Array(repeating: 0.0, count: k * k)
        for i in 0..<k {
            for j in 0...i {
                var sum = a[i * k + j]
                for m in 0..<j { sum -= l[i * k + m] * l[j * k + m] }
                if i == j {
                    guard sum > 0 else { return nil }
                    l[i * k + i] = sum.squareRoot()
                } else {
                    l[i * k + j] = sum / l[j * k + j]
                }
            }
        }
        var y = Array(repeating: 0.0, count: k)
        for i in 0..<k {
            var sum = g[i]
            for m in 0..<i { sum -= l[i * k + m] * y[m] }
            y[i] = sum / l[i * k + i]
        }
        var s = Array(repeating: 0.0, count: k)
        for i in stride(from: k - 1, through: 0, by: -1) {
            var sum = y[i]
            for m in (i + 1)..<k { sum -= l[m * k + i] * s[m] }
            s[i] = sum / l[i * k + i]
        }
        return s
    }
}
