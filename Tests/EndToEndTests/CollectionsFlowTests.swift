import Foundation
import GRPCCore
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

extension EndToEnd {
    /// Issue 12, points 3 and 4, over real gRPC against the opportunities executable and real HTTP
    /// to a webhook: instalments overdue give their rep time-boxed tasks and go to the rep's
    /// manager once, through the team's channel; collections health shows each month's rates and
    /// where the unpaid money waits, to each caller their own scope.
    @Suite struct CollectionsFlowTests {
        let cast = QuoteToCashCast("collect")

        @Test func overdueMoneyBecomesTasksReachesTheManagerOnceAndShowsInCollectionsHealth() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let endpoints = VendorEndpoints()
            try await endpoints.serving { base in
                try await client.with(.opportunities) { grpc in
                    let desk = QuoteToCashDesk(client: client, grpc: grpc, rep: cast.rep)
                    let receivables = desk.receivables
                    let notifications = Sales_Notifications_V1_NotificationService.Client(wrapping: grpc)
                    let (asRep, asFinance, asAdmin) = (
                        try await client.metadata(cast.rep), try await client.metadata(cast.finance), try await client.metadata(cast.admin)
                    )
                    _ = try await notifications.putNotificationChannel(
                        .with {
                            $0.channel = .with {
                                $0.name = "east-hook"; $0.kind = .webhook; $0.teamPath = "/east"; $0.webhookURL = "\(base)/hook"
                                $0.secret = VendorEndpoints.webhookSecret; $0.enabled = true
                            }
                        }, metadata: asAdmin)

                    // Signed on the first of the month three months back, due then and 31 and 62 days
                    // later: one instalment in each of the three months before this one, all past due.
                    let months = [LocalDays.month(-3), LocalDays.month(-2), LocalDays.month(-1)]
                    let deal = try await desk.negotiatingDeal("检验科年度试剂", customer: "仁济医院", amount: 10_000)
                    let quote = try await desk.accept(try await desk.quote(deal, fen: 10_000, plan: [(3_333, 0), (3_333, 31), (3_334, 62)]))
                    let contract = try await desk.signedContract(quote, signing: months[0] + "-01")
                    let instalments = try await receivables.getContractAccount(.with { $0.contractID = contract.id }, metadata: asFinance)
                        .instalments
                    #expect(instalments.map { String($0.dueDate.prefix(7)) } == months)

                    // The first paid on its day; the second invoiced and not yet confirmed; the third not invoiced.
                    _ = try await receivables.recordPayment(
                        .with {
                            $0.contractID = contract.id; $0.reference = "ICBC-\(UInt32.random(in: 0...UInt32.max))"; $0.amount = .cny(3_333)
                            $0.receivedOn = instalments[0].dueDate
                        }, metadata: asFinance)
                    _ = try await receivables.recordInvoice(
                        .with {
                            $0.instalmentID = instalments[1].instalmentID; $0.step = .issued; $0.invoiceNumber = "INV-2"
                        }, metadata: asFinance)

                    // The sweep: a task per unpaid instalment and one escalation each; nothing twice.
                    let swept = try await receivables.sweepReceivables(.init(), metadata: asFinance)
                    #expect(swept.tasksCreated == 2 && swept.escalated == 2, "the paid instalment needs nothing: \(swept)")
                    let again = try await receivables.sweepReceivables(.init(), metadata: asFinance)
                    #expect(again.tasksCreated == 0 && again.escalated == 0)
                    #expect(
                        await refusal { try await receivables.sweepReceivables(.init(), metadata: asRep) }?.code
                            == .permissionDenied)

                    let board = try await receivables.listReceivables(.with { $0.contractID = contract.id }, metadata: asRep).receivables
                    #expect(board.map(\.state) == [.paid, .invoiced, .notInvoiced])
                    #expect(board.dropFirst().allSatisfy { $0.daysOverdue > 5 } && board[0].daysOverdue == 0)

                    func tasks(_ caller: Caller) async throws -> [Sales_Opportunities_V1_CollectionTask] {
                        try await receivables.listCollectionTasks(.with { $0.openOnly = true }, metadata: try await client.metadata(caller)).tasks
                    }
                    let mine = try await tasks(cast.rep)
                    #expect(Set(mine.map(\.kind)) == [.confirmInvoiceReceived, .sendInvoice])
                    #expect(mine.allSatisfy { $0.ownerID == cast.rep.userID && $0.dueAt.date > Date() && $0.title.contains("逾期") }, "\(mine)")
                    #expect(try await tasks(cast.manager).count == 2)
                    #expect(try await tasks(cast.siblingManager).isEmpty)
                    #expect(try await tasks(cast.stranger).isEmpty)

                    // The rep closes a task with what was done; a blank outcome and an outsider are refused.
                    let send = try #require(mine.first { $0.kind == .sendInvoice })
                    func complete(_ outcome: String, as caller: Caller) async throws -> Sales_Opportunities_V1_CollectionTask {
                        try await receivables.completeCollectionTask(
                            .with {
                                $0.id = send.id; $0.outcome = outcome
                            }, metadata: try await client.metadata(caller))
                    }
                    let blank = await refusal { try await complete(" ", as: cast.rep) }
                    #expect(blank?.code == .invalidArgument && blank?.message.hasPrefix("outcome") == true)
                    #expect(await refusal { try await complete("x", as: cast.siblingManager) }?.code == .notFound)
                    let done = try await complete("发票已寄出，顺丰单号 SF123", as: cast.rep)
                    #expect(done.hasDoneAt && done.outcome == "发票已寄出，顺丰单号 SF123")
                    #expect(try await tasks(cast.rep).map(\.kind) == [.confirmInvoiceReceived])

                    // The manager heard once per overdue instalment, through the team's webhook.
                    for instalment in instalments.dropFirst() {
                        let delivered = try await client.eventually { () -> [Sales_Notifications_V1_NotificationDelivery]? in
                            let log = try await notifications.listNotificationDeliveries(
                                .with { $0.subjectID = instalment.instalmentID }, metadata: asAdmin
                            ).deliveries
                            return log.contains { $0.status == .delivered } ? log : nil
                        }
                        #expect(delivered.count == 1 && delivered[0].channel == "east-hook" && delivered[0].notice == "instalment_overdue")
                        #expect(delivered[0].audience == "team:/east/east-sh" && delivered[0].title == "回款逾期超过5天")
                        #expect(delivered[0].text.contains("仁济医院") && delivered[0].text.contains("第\(instalment.number)期"), "\(delivered[0].text)")
                    }
                    let hooks = await endpoints.calls(to: "/hook")
                    #expect(hooks.count == 2 && hooks.allSatisfy(VendorEndpoints.webhookSignatureHolds))

                    // Collections health, month by month, as each caller may see it.
                    func health(_ month: String, team: Bool = false, as caller: Caller? = nil) async throws -> Sales_Opportunities_V1_CollectionHealth
                    {
                        try await receivables.getCollectionHealth(
                            .with {
                                $0.month = month; $0.groupBy = team ? .team : .rep
                            }, metadata: try await client.metadata(caller ?? cast.finance))
                    }
                    let paidMonth = try await health(months[0])
                    let row = try #require(paidMonth.rows.first)
                    #expect(paidMonth.rows.count == 1 && row.key == cast.rep.userID && row.instalmentsDue == 1 && row.collected.minorUnits == 3_333)
                    #expect(row.collectionRateBp == 10_000 && row.paidOnTime == 1 && row.termComplianceBp == 10_000 && row.averageDaysToCash == 0)
                    #expect(paidMonth.blindSpots.isEmpty)
                    let invoicedMonth = try await health(months[1])
                    #expect(invoicedMonth.total.collectionRateBp == 0 && invoicedMonth.total.due.minorUnits == 3_333)
                    #expect(invoicedMonth.blindSpots.map(\.waitingOn) == ["sales"] && invoicedMonth.blindSpots[0].outstanding.minorUnits == 3_333)
                    let lastMonth = try await health(months[2])
                    #expect(lastMonth.blindSpots.map(\.waitingOn) == ["finance"] && lastMonth.blindSpots[0].outstanding.minorUnits == 3_334)
                    #expect(try await health(months[1], team: true).rows.map(\.key) == ["/east/east-sh"])
                    #expect(try await health(months[1], as: cast.manager).rows.count == 1)
                    #expect(try await health(months[1], as: cast.siblingManager).rows.isEmpty)
                    #expect(try await health(months[1], as: cast.stranger).rows.isEmpty)
                    for month in ["2026-13", "", "十月"] {
                        let refusal = await refusal { try await health(month) }
                        #expect(refusal?.code == .invalidArgument && refusal?.message.hasPrefix("month") == true, "\(month)")
                    }
                }
            }
        }
    }
}
