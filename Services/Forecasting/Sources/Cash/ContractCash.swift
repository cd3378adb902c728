import Foundation

/// A signed contract's instalments and the money moved on them, as the opportunities feed told
/// forecasting: what the cash forecast counts instead of a won deal's typical delay.
struct ContractCash: Sendable {
    struct Instalment: Sendable {
        /// The first moment of its due day, in the tenant's zone.
        let due: Date
        let amount: Int64
    }

    /// A payment (positive) or a refund (negative), with what it did to each instalment by number.
    struct Move: Sendable {
        /// When forecasting could have known it: nothing later is read by an as-of forecast.
        let knownAt: Date
        /// The first moment of the day the money moved, in the tenant's zone.
        let day: Date
        let amount: Int64
        let parts: [Int: Int64]
    }

    let dealID: String
    let signedAt: Date
    let instalments: [Instalment]
    var moves: [Move]

    /// What was known of it at `moment`: nil before it was signed.
    func known(at moment: Date) -> ContractCash? {
        guard signedAt <= moment else { return nil }
        var cut = self
        cut.moves = moves.filter { $0.knownAt <= moment }
        return cut
    }

    /// What each instalment (by number, from 1) still owes after the moves, and the day the one
    /// that settled it moved, if one did.
    func standing() -> [(instalment: Instalment, outstanding: Int64, settledOn: Date?)] {
        var paid: [Int: Int64] = [:]
        var settled: [Int: Date] = [:]
        for move in moves.sorted(by: { $0.day < $1.day }) {
            for (number, part) in move.parts {
                paid[number, default: 0] += part
                guard number >= 1, number <= instalments.count else { continue }
                let owed = instalments[number - 1].amount
                if paid[number, default: 0] >= owed { settled[number] = settled[number] ?? move.day } else { settled[number] = nil }
            }
        }
        return instalments.enumerated().map { index, instalment in
            (instalment, max(0, instalment.amount - paid[index + 1, default: 0]), settled[index + 1])
        }
    }
}

/// How many days after its due day an instalment is paid in full, from the tenant's instalments
/// (Kaplan–Meier: one still unpaid counts as "not paid by now", not as never paid). With fewer
/// than `fewest` paid, an instalment is expected on its due day, an overdue one at once.
struct PaymentLateness: Sendable {
    static let fewest = 5
    /// Days late (negative: early) at which instalments were settled, and the survival after each.
    private let steps: [(day: Int, survival: Double)]
    let observed: Int

    init(_ contracts: [ContractCash], at moment: Date, calendar: Calendar) {
        var events: [(day: Int, paid: Bool)] = []
        for contract in contracts {
            for (instalment, outstanding, settledOn) in contract.standing() {
                if outstanding == 0, let settledOn {
                    events.append((Self.days(from: instalment.due, to: settledOn, calendar: calendar), true))
                } else {
                    events.append((Self.days(from: instalment.due, to: moment, calendar: calendar), false))
                }
            }
        }
        observed = events.filter(\.paid).count
        var steps: [(Int, Double)] = []
        var atRisk = events.count
        var survival = 1.0
        // At one day, the paid leave first: one still open on that day was at risk of paying on it.
        for (day, group) in Dictionary(grouping: events, by: \.day).sorted(by: { $0.key < $1.key }) {
            let paid = group.filter(\.paid).count
            if paid > 0, atRisk > 0 {
                survival *= 1 - Double(paid) / Double(atRisk)
                steps.append((day, survival))
            }
            atRisk -= group.count
        }
        self.steps = steps
    }

    /// The chance an instalment still unpaid `now` days after its due day is paid on a day from
    /// `from` to before `to` (days after its due day).
    func chance(unpaidAt now: Int, from: Int, to: Int) -> Double {
        let from = max(from, now)
        guard to > from else { return 0 }
        guard observed >= Self.fewest else {
            let expected = max(0, now)
            return expected >= from && expected < to ? 1 : 0
        }
        let still = survival(after: now - 1)
        guard still > 0 else { return 0 }
        return max(0, survival(after: from - 1) - survival(after: to - 1)) / still
    }

    /// The share of instalments not yet paid `day` days after their due day.
    private func survival(after day: Int) -> Double {
        steps.last { $0.day <= day }?.survival ?? 1
    }

    static func days(from start: Date, to end: Date, calendar: Calendar) -> Int {
        calendar.dateComponents([.day], from: calendar.startOfDay(for: start), to: calendar.startOfDay(for: end)).day ?? 0
    }
}

/// What signed contracts bring into a period, as seen at `asOf`.
struct ContractCashForecast: Sendable {
    var collected = 0.0
    var expected = 0.0

    init(_ contract: ContractCash, period: Period, asOf: Date, lateness: PaymentLateness, calendar: Calendar) {
        let today = calendar.startOfDay(for: asOf)
        for move in contract.moves where move.day >= period.start && move.day < period.end && move.day <= today {
            collected += Double(move.amount)
        }
        for (instalment, outstanding, _) in contract.standing() where outstanding > 0 {
            let offset = { PaymentLateness.days(from: instalment.due, to: $0, calendar: calendar) }
            expected += Double(outstanding) * lateness.chance(unpaidAt: offset(asOf), from: offset(period.start), to: offset(period.end))
        }
    }
}
