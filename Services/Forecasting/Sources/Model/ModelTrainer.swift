import Foundation
import SalesModel
import ServiceKit

/// Trains a tenant's model on its closed deals as they stood at past moments: on the 1st and
/// 16th of each of the last 24 months, every deal then open is one example per horizon (the end
/// of that month, and of that quarter), labelled by whether it was won before the horizon. Only
/// horizons that ended by the as-of moment are used, so no label comes from the future.
struct ModelTrainer: Sendable {
    static let leastClosed = 20
    static let months = 24
    static let mostExamples = 400_000
    /// Holdout snapshots (moment and horizon) the dispersion needs.
    static let leastSnapshots = 6

    let calendar: Calendar

    /// The examples a model learns from: the feature space they show and one row each.
    struct Examples: Sendable {
        let space: FeatureSpace
        let rows: LogisticRegression.Rows
        let states: [DealState]
        /// Each row's horizon, beside its state.
        let horizons: [Date]
        let deals: Int
    }

    /// `records`, the tenant's month records: once enough months of them have ended by `asOf`,
    /// the range's dispersion is theirs rather than the holdout's few snapshots'.
    func train(_ deals: [DealRecord], asOf: Date, records: [MonthRecord] = [], now: Date = Date()) throws(ServiceError) -> WinModel {
        let examples = try examples(deals, asOf: asOf)
        let holdout = holdout(examples)
        let recorded = RecordedDispersion.estimate(records, deals: deals, asOf: asOf)
        return WinModel(
            id: UUID(), trainedAt: now, asOf: asOf, space: examples.space, regression: LogisticRegression.fit(examples.rows),
            deals: examples.deals, snapshots: examples.rows.count, holdoutBrier: holdout.brier,
            dispersion: recorded?.factor ?? holdout.dispersion, dispersionMonths: recorded?.months, inputsVersion: FeatureSpace.version,
            daysToWin: daysToWin(examples.states), typicalDaysToWin: median(examples.states.compactMap(daysLeft)) ?? 30)
    }

    func examples(_ deals: [DealRecord], asOf: Date) throws(ServiceError) -> Examples {
        let closed = deals.filter { $0.outcome != .open }.sorted { ($0.closedAt ?? .distantPast) < ($1.closedAt ?? .distantPast) }
        let wins = closed.filter { $0.outcome == .won }.count
        guard closed.count >= Self.leastClosed, wins > 0, wins < closed.count else {
            throw .failedPrecondition(
                "the model learns from closed deals: this tenant has \(closed.count) closed before \(asOf.formatted(.iso8601)) (\(wins) won); "
                    + "it needs at least \(Self.leastClosed), some won and some lost. Import history with `salesctl import history FILE`")
        }
        var examples: [(state: DealState, horizon: Date, won: Bool)] = []
        var records = TrackRecords()
        var recorded = 0
        var recordsAt: [Date: TrackRecords] = [:]
        let seasons = Seasons(deals, asOf: asOf, calendar: calendar)
        for moment in snapshotMoments(before: asOf) {
            while recorded < closed.count, let at = closed[recorded].closedAt, at < moment {
                records.add(closed[recorded])
                recorded += 1
            }
            recordsAt[moment] = records.withSeasons(seasons)
            let horizons = Set([Period.month(containing: moment, in: calendar).end, Period.quarter(containing: moment, in: calendar).end])
                .filter { $0 <= asOf }
            guard !horizons.isEmpty else { continue }
            for deal in deals {
                guard let state = DealState(deal, at: moment) else { continue }
                for horizon in horizons.sorted() { examples.append((state, horizon, deal.won(before: horizon))) }
            }
        }
        guard examples.count >= Self.leastClosed else {
            throw .failedPrecondition(
                "the closed deals span too short a time to learn from (\(examples.count) month-start examples); import at least a few months of history"
            )
        }
        if examples.count > Self.mostExamples {
            let stride = Double(examples.count) / Double(Self.mostExamples)
            examples = (0..<Self.mostExamples).map { examples[Int(Double($0) * stride)] }
        }
        let space = FeatureSpace(of: examples.map(\.state))
        var rows = LogisticRegression.Rows(width: space.width)
        for example in examples {
            let records = recordsAt[example.state.at] ?? TrackRecords()
            rows.append(space.vector(example.state, horizon: example.horizon, records: records, calendar: calendar), label: example.won)
        }
        return Examples(space: space, rows: rows, states: examples.map(\.state), horizons: examples.map(\.horizon), deals: closed.count)
    }

    /// The 1st and 16th of each month of the window, in the tenant's zone, oldest first.
    func snapshotMoments(before asOf: Date) -> [Date] {
        guard let first = calendar.date(byAdding: .month, value: -Self.months, to: Period.month(containing: asOf, in: calendar).start) else {
            return []
        }
        var moments: [Date] = []
        var month = first
        while month < asOf {
            moments.append(month)
            if let mid = calendar.date(byAdding: .day, value: 15, to: month), mid < asOf { moments.append(mid) }
            guard let next = calendar.date(byAdding: .month, value: 1, to: month) else { break }
            month = next
        }
        return moments
    }

    /// A model fitted on the older five sixths of the examples, scored on the newest sixth: its
    /// Brier score, and how much more the amounts won at each snapshot and horizon strayed from
    /// the forecast than coins of the deals' chances would (`WinModel.dispersion`).
    private func holdout(_ examples: Examples) -> (brier: Double, dispersion: Double?) {
        let rows = examples.rows
        let split = rows.count * 5 / 6
        guard split > 0, split < rows.count else { return (-1, nil) }
        var train = LogisticRegression.Rows(width: rows.width)
        train.values = Array(rows.values[0..<(split * rows.width)])
        train.labels = Array(rows.labels[0..<split])
        let model = LogisticRegression.fit(train)
        var sum = 0.0
        var sums: [Snapshot: (forecast: Double, won: Double, variance: Double)] = [:]
        for i in split..<rows.count {
            let x = Array(rows.values[(i * rows.width)..<((i + 1) * rows.width)])
            let p = model.probability(x)
            sum += (p - rows.labels[i]) * (p - rows.labels[i])
            let amount = Double(examples.states[i].deal.amount)
            let key = Snapshot(at: examples.states[i].at, horizon: examples.horizons[i])
            var snapshot = sums[key, default: (0, 0, 0)]
            snapshot.forecast += p * amount
            snapshot.won += rows.labels[i] * amount
            snapshot.variance += amount * amount * p * (1 - p)
            sums[key] = snapshot
        }
        let variance = sums.values.reduce(0) { $0 + $1.variance }
        let strayed = sums.values.reduce(0) { $0 + ($1.won - $1.forecast) * ($1.won - $1.forecast) }
        // A handful of snapshots says too little to widen anyone's range.
        let dispersion = sums.count >= Self.leastSnapshots && variance > 0 ? strayed / variance : nil
        return (sum / Double(rows.count - split), dispersion)
    }

    private struct Snapshot: Hashable {
        let at: Date
        let horizon: Date
    }

    private func daysLeft(_ state: DealState) -> Double? {
        guard state.deal.outcome == .won, let closed = state.deal.closedAt else { return nil }
        return closed.timeIntervalSince(state.at) / 86_400
    }

    private func daysToWin(_ states: [DealState]) -> [String: Double] {
        var byStage: [String: [Double]] = [:]
        for state in states { if let days = daysLeft(state) { byStage[state.stage, default: []].append(days) } }
        return byStage.compactMapValues { $0.count >= 5 ? median($0) : nil }
    }

    private func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        return values.sorted()[values.count / 2]
    }
}
