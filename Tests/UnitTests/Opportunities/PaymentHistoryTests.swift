import SalesProto
import Testing

@testable import OpportunitiesService

/// The payments finding of the credit pre-screen: nothing for a new customer, red for money more
/// than 30 days overdue, yellow for less or for paying late too often, green otherwise.
@Suite struct PaymentHistoryTests {
    @Test func theFindingFollowsWhatWasPaidAndWhatIsOverdue() {
        #expect(PaymentHistory().finding == nil)
        #expect(PaymentHistory(paid: 5, paidOnTime: 5).finding?.grade == .green)
        #expect(PaymentHistory(paid: 5, paidOnTime: 3, averageDaysLate: 12).finding?.grade == .yellow, "60% on time")
        #expect(PaymentHistory(paid: 2, paidOnTime: 0, averageDaysLate: 12).finding?.grade == .green, "too few to judge")
        #expect(PaymentHistory(paid: 5, paidOnTime: 4).finding?.grade == .green, "80% is enough")
        let recent = PaymentHistory(paid: 1, paidOnTime: 1, overdue: 1, overdueFen: 12_345, oldestOverdueDays: 30)
        #expect(
            recent.finding?.grade == .yellow
                && recent.finding?.reason.hasPrefix("1 instalment overdue now (123.45 CNY, the oldest by 30 days)") == true)
        #expect(PaymentHistory(overdue: 2, overdueFen: 100, oldestOverdueDays: 31).finding?.grade == .red)
    }
}
