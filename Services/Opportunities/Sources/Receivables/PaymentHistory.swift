import SalesModel
import SalesProto

/// How a customer has paid its signed contracts' instalments, for the credit pre-screen of their
/// next quote: paid on time or late, and what is overdue now.
struct PaymentHistory: Sendable, Equatable {
    var paid = 0
    var paidOnTime = 0
    /// Over the instalments paid late.
    var averageDaysLate = 0
    var overdue = 0
    var overdueFen: Int64 = 0
    var oldestOverdueDays = 0
    var currency = "CNY"

    /// An instalment overdue longer than this makes the customer red.
    static let redAfterDays = 30
    /// Below this share paid on time (of at least `minimumPaid`), yellow.
    static let onTimeFloorPercent = 80
    static let minimumPaid = 3

    /// The screen's finding, or nil for a customer with no instalments yet.
    var finding: CreditScreening.Finding? {
        guard paid + overdue > 0 else { return nil }
        let record = "paid \(paidOnTime) of \(paid) instalments on time" + (paid > paidOnTime ? " (late by \(averageDaysLate) days on average)" : "")
        if overdue > 0 {
            let owed = Money(minorUnits: overdueFen, currency: Currency(currency) ?? .cny)
            let what = "\(overdue) instalment\(overdue == 1 ? "" : "s") overdue now (\(owed), the oldest by \(oldestOverdueDays) days); \(record)"
            return .init(source: "payments", grade: oldestOverdueDays > Self.redAfterDays ? .red : .yellow, reason: what)
        }
        if paid >= Self.minimumPaid, paidOnTime * 100 < paid * Self.onTimeFloorPercent {
            return .init(source: "payments", grade: .yellow, reason: "\(record), under \(Self.onTimeFloorPercent)%")
        }
        return .init(source: "payments", grade: .green, reason: record)
    }
}
