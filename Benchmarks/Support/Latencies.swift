import Foundation

/// Latencies of one benchmark phase, recorded from many tasks.
public actor Recorder {
    public private(set) var latencies: [Double] = []
    public private(set) var failures = 0
    public private(set) var firstFailure: String?

    public init() {}

    public func record(_ seconds: Double) { latencies.append(seconds) }

    public func fail(_ error: any Error) {
        failures += 1
        if firstFailure == nil { firstFailure = "\(error)" }
    }
}

/// The `p` quantile (0–1) of `values`, nearest rank.
public func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * p).rounded(.up)) - 1))]
}

extension Duration {
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
