import Foundation
import SalesProto

/// The feature matrix a tenant's model is fitted on, for the benchmark that compares the fit with
/// scikit-learn's on the same matrix (`scripts/bench-forecasting.sh`).
public struct TrainingMatrix: Sendable {
    public let rows: Int
    public let width: Int
    /// Row-major.
    public let values: [Double]
    public let labels: [Double]

    /// The examples of `deals` (as an import would send them) at `asOf`, in `zone`'s months.
    public init(_ deals: [Sales_Forecasting_V1_HistoryDeal], asOf: Date, zone: TimeZone) throws {
        let examples = try ModelTrainer(calendar: .forecasting(in: zone)).examples(
            deals.compactMap { DealRecord($0).cut(at: asOf) }, asOf: asOf)
        rows = examples.rows.count
        width = examples.rows.width
        values = examples.rows.values
        labels = examples.rows.labels
    }

    /// Fits the model's regression on the matrix once; the seconds it took.
    public func fit() -> Double {
        var matrix = LogisticRegression.Rows(width: width)
        matrix.values = values
        matrix.labels = labels
        let started = ContinuousClock.now
        _ = LogisticRegression.fit(matrix)
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
