import Foundation
import GRPCCore
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

@testable import ForecastingService

/// The cash forecast from signed contracts: money in counts where it came, open instalments where
/// the tenant's record of late payment puts them, and a contracted win is not counted again by
/// the typical delay.
@Suite struct ContractCashTests {
    static let calendar = Calendar.forecasting(in: TimeZone(identifier: "Asia/Shanghai")!)
    static let day: TimeInterval = 86_400

    static func contract(due: [Date], amounts: [Int64], moves: [ContractCash.Move] = [], deal: String = "D") -> ContractCash {
        ContractCash(
            dealID: deal, signedAt: due[0].addingTimeInterval(-30 * day),
            instalments: zip(due, amounts).map { .init(due: calendar.startOfDay(for: $0), amount: $1) }, moves: moves)
    }

    static func paid(_ number: Int, _ fen: Int64, on day: Date) -> ContractCash.Move {
        .init(knownAt: day, day: calendar.startOfDay(for: day), amount: fen, parts: [number: fen])
    }

    @Test func withLittleRecordAnInstalmentIsExpectedOnItsDueDayAndAnOverdueOneAtOnce() {
        let now = Self.calendar.date(from: DateComponents(year: 2026, month: 11, day: 10))!
        let (november, december) = (Period.month(containing: now, in: Self.calendar), Period.month(containing: now, in: Self.calendar).next)
        let overdue = now.addingTimeInterval(-5 * Self.day)
        let open = Self.contract(
            due: [overdue, now.addingTimeInterval(10 * Self.day), now.addingTimeInterval(30 * Self.day)], amounts: [100, 200, 300])
        let lateness = PaymentLateness([open], at: now, calendar: Self.calendar)
        #expect(lateness.observed == 0)
        let inNovember = ContractCashForecast(open, period: november, asOf: now, lateness: lateness, calendar: Self.calendar)
        #expect(inNovember.expected == 300 && inNovember.collected == 0, "the overdue one now, the one due on the 20th")
        let inDecember = ContractCashForecast(open, period: december, asOf: now, lateness: lateness, calendar: Self.calendar)
        #expect(inDecember.expected == 300)

        // Part of the second paid today: collected in November, the rest of it still expected.
        var partly = open
        partly.moves = [Self.paid(2, 50, on: now)]
        let after = ContractCashForecast(partly, period: november, asOf: now, lateness: lateness, calendar: Self.calendar)
        #expect(after.collected == 50 && after.expected == 250)
    }

    @Test func theTenantsRecordOfLatePaymentSpreadsAnOpenInstalment() {
        let now = Self.calendar.date(from: DateComponents(year: 2026, month: 6, day: 1))!
        // Ten paid instalments: five on their due day, five 40 days late.
        var history: [ContractCash] = []
        for index in 0..<10 {
            let due = now.addingTimeInterval(-Double(200 - index) * Self.day)
            let late = index % 2 == 0 ? 0 : 40
            history.append(
                Self.contract(due: [due], amounts: [1_000], moves: [Self.paid(1, 1_000, on: due.addingTimeInterval(Double(late) * Self.day))]))
        }
        let due = Self.calendar.date(from: DateComponents(year: 2026, month: 6, day: 1))!
        let open = Self.contract(due: [due], amounts: [10_000])
        let lateness = PaymentLateness(history, at: now, calendar: Self.calendar)
        #expect(lateness.observed == 10)
        let june = Period.month(containing: now, in: Self.calendar)
        #expect(ContractCashForecast(open, period: june, asOf: now, lateness: lateness, calendar: Self.calendar).expected == 5_000)
        #expect(ContractCashForecast(open, period: june.next, asOf: now, lateness: lateness, calendar: Self.calendar).expected == 5_000)

        // Still unpaid ten days after its due day: the on-time half is past, so all of it is expected
        // 40 days late, in July; none of it in what is left of June.
        let later = now.addingTimeInterval(10 * Self.day)
        let known = PaymentLateness(history, at: later, calendar: Self.calendar)
        #expect(ContractCashForecast(open, period: june, asOf: later, lateness: known, calendar: Self.calendar).expected == 0)
        #expect(ContractCashForecast(open, period: june.next, asOf: later, lateness: known, calendar: Self.calendar).expected == 10_000)
        // Refunded later: the money out counts against the month, and the instalment is open again.
        let refunded = Self.contract(
            due: [due], amounts: [10_000],
            moves: [
                Self.paid(1, 10_000, on: due), .init(knownAt: later, day: Self.calendar.startOfDay(for: later), amount: -4_000, parts: [1: -4_000]),
            ])
        let afterRefund = ContractCashForecast(refunded, period: june, asOf: later, lateness: known, calendar: Self.calendar)
        #expect(afterRefund.collected == 6_000 && afterRefund.expected == 0, "\(afterRefund)")
        #expect(ContractCashForecast(refunded, period: june.next, asOf: later, lateness: known, calendar: Self.calendar).expected == 4_000)
    }

    /// Over the service: the feed's contract and payment reach the period forecast; the won deal's
    /// delayed cash is not counted beside them; an as-of before the payment does not see it.
    @Test func theFeedsContractsAndPaymentsReachThePeriodForecast() async throws {
        try await ForecastScene.hosted { scene in
            try await scene.importPipeline(months: 12, dealsPerMonth: 60)
            let now = Date()
            let tenant = scene.admin.tenant
            let rep = "cash.rep"
            let deal = Sales_Forecasting_V1_HistoryDeal.with {
                $0.externalID = "K-\(UUID().uuidString.prefix(8))"
                $0.ownerID = rep
                $0.team = "/east/cash"
                $0.segment = "enterprise"
                $0.amount = .init(minorUnits: 1_000_000, currency: "CNY")
                $0.createdAt = Google_Protobuf_Timestamp(date: now.addingTimeInterval(-60 * Self.day))
                $0.outcome = .won
                $0.closedAt = Google_Protobuf_Timestamp(date: now.addingTimeInterval(-20 * Self.day))
                $0.events = [
                    .with {
                        $0.at = Google_Protobuf_Timestamp(date: now.addingTimeInterval(-60 * Self.day))
                        $0.stage = "方案报价"
                    }
                ]
            }
            let imported = try await scene.forecasts.importHistory(.with { $0.deals = [deal] }, metadata: try await scene.metadata(scene.admin))
            #expect(imported.deals.allSatisfy { !$0.result.isEmpty }, "\(imported.deals)")
            let next = Period.month(containing: now, in: Self.calendar).next
            func dayText(_ date: Date) -> String {
                let parts = Self.calendar.dateComponents([.year, .month, .day], from: date)
                return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
            }
            let signedAt = now.addingTimeInterval(-20 * Self.day)
            let recorder = CashRecorder(cash: CashStore(database: scene.database), logger: Logger(label: "test"))
            func envelope(_ payload: some SwiftProtobuf.Message, at moment: Date) throws -> Sales_Common_V1_EventEnvelope {
                try Sales_Common_V1_EventEnvelope.with {
                    $0.eventID = UUID().uuidString
                    $0.tenantID = tenant.rawValue
                    $0.eventType = type(of: payload).protoMessageName
                    $0.occurredAt = Google_Protobuf_Timestamp(date: moment)
                    $0.payloadJson = try payload.jsonString()
                }
            }
            func apply(_ events: [Sales_Common_V1_EventEnvelope]) async throws {
                try await scene.database.transaction { connection in try await recorder.apply(events, on: connection) }
            }
            func apply(_ payload: some SwiftProtobuf.Message, at moment: Date) async throws {
                try await apply([try envelope(payload, at: moment)])
            }
            let contractID = UUID().uuidString
            try await apply(
                Sales_Opportunities_V1_ContractSigned.with {
                    $0.contractID = contractID
                    $0.opportunityID = deal.externalID
                    $0.total = .init(minorUnits: 1_000_000, currency: "CNY")
                    $0.signedAt = Google_Protobuf_Timestamp(date: signedAt)
                    $0.instalments = [(Int64(600_000), 9), (400_000, 19)].map { fen, day in
                        .with {
                            $0.dueDate = dayText(next.start.addingTimeInterval(Double(day) * Self.day))
                            $0.amount = .init(minorUnits: fen, currency: "CNY")
                        }
                    }
                }, at: signedAt)

            func line(_ period: Period, asOf: Date? = nil) async throws -> Sales_Forecasting_V1_ForecastLine? {
                let answer = try await scene.forecasts.getPeriodForecast(
                    .with {
                        $0.period = period.name
                        $0.groupBy = .rep
                        if let asOf { $0.asOf = Google_Protobuf_Timestamp(date: asOf) }
                    }, metadata: try await scene.metadata(scene.admin))
                return answer.lines.first { $0.key == rep }
            }
            let before = try #require(try await line(next))
            #expect(before.cashFromInstalments.minorUnits == 1_000_000 && before.cashCollected.minorUnits == 0, "\(before)")
            #expect(before.expectedCash.minorUnits == 1_000_000, "the win's delayed cash is not counted beside its contract")
            // The team's own manager sees the contract's cash; one of /east/cas (a string prefix) and another tenant do not.
            func total(as caller: Caller) async throws -> Int64 {
                try await scene.forecasts.getPeriodForecast(.with { $0.period = next.name }, metadata: try await scene.metadata(caller)).total
                    .cashFromInstalments.minorUnits
            }
            let tenantOf = scene.admin.tenant
            #expect(try await total(as: Caller(tenant: tenantOf, userID: "cash.head", roles: [.manager], orgPath: "/east/cash")) == 1_000_000)
            #expect(try await total(as: Caller(tenant: tenantOf, userID: "cas.head", roles: [.manager], orgPath: "/east/cas")) == 0)
            // Another tenant has no history of its own to forecast from, and is told so; nothing of this one's shows.
            let stranger = await #expect(throws: RPCError.self) { try await total(as: scene.stranger) }
            #expect(stranger?.code == .failedPrecondition && stranger?.message.contains("0 closed") == true)

            // The first instalment paid early, today: it is this month's cash, no longer next month's.
            let paidAt = Date()
            /// A payment today of `fen`, all of it on instalment `number`.
            func paidToday(_ fen: Int64, on number: Int32) -> Sales_Opportunities_V1_Payment {
                .with {
                    $0.id = UUID().uuidString
                    $0.contractID = contractID
                    $0.amount = .init(minorUnits: fen, currency: "CNY")
                    $0.receivedOn = dayText(paidAt)
                    $0.recordedAt = Google_Protobuf_Timestamp(date: paidAt)
                    $0.allocations = [
                        .with {
                            $0.number = number; $0.amount = .init(minorUnits: fen, currency: "CNY")
                        }
                    ]
                }
            }
            let payment = paidToday(600_000, on: 1)
            try await apply(Sales_Opportunities_V1_PaymentReceived.with { $0.payment = payment }, at: paidAt)
            try await apply(Sales_Opportunities_V1_PaymentReceived.with { $0.payment = payment }, at: paidAt)
            let thisMonth = try #require(try await line(Period.month(containing: paidAt, in: Self.calendar)))
            #expect(thisMonth.cashCollected.minorUnits == 600_000, "received once: \(thisMonth)")
            #expect(try await line(next)?.cashFromInstalments.minorUnits == 400_000)
            // As of a moment before the payment was recorded, it was not known.
            let asOfBefore = try #require(try await line(next, asOf: paidAt.addingTimeInterval(-60)))
            #expect(asOfBefore.cashFromInstalments.minorUnits == 1_000_000)

            // A third of it refunded: this month's money in is less by it, and the first instalment owes it again.
            var refunded = payment
            refunded.allocations = [
                .with {
                    $0.number = 1; $0.amount = .init(minorUnits: 400_000, currency: "CNY")
                }
            ]
            try await apply(
                Sales_Opportunities_V1_PaymentRefunded.with {
                    $0.payment = refunded
                    $0.refund = .init(minorUnits: 200_000, currency: "CNY")
                }, at: Date())
            #expect(try await line(Period.month(containing: paidAt, in: Self.calendar))?.cashCollected.minorUnits == 400_000)
            #expect(try await line(next)?.cashFromInstalments.minorUnits == 600_000)

            // One feed batch: the second instalment paid (the event twice, as a producer's retry
            // would send it) and a quarter of that refunded. The payments go in one statement
            // before the refund, which finds its payment; the repeat moves nothing.
            let second = paidToday(400_000, on: 2)
            var secondRefunded = second
            secondRefunded.allocations[0].amount.minorUnits = 300_000
            let received = Sales_Opportunities_V1_PaymentReceived.with { $0.payment = second }
            try await apply([
                try envelope(received, at: paidAt), try envelope(received, at: paidAt),
                try envelope(
                    Sales_Opportunities_V1_PaymentRefunded.with {
                        $0.payment = secondRefunded
                        $0.refund = .init(minorUnits: 100_000, currency: "CNY")
                    }, at: Date()),
            ])
            #expect(try await line(Period.month(containing: paidAt, in: Self.calendar))?.cashCollected.minorUnits == 700_000)
            #expect(try await line(next)?.cashFromInstalments.minorUnits == 300_000, "200,000 of the first and 100,000 of the second owed again")
        }
    }
}
