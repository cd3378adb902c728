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
    /// A won deal carried to cash over real gRPC against the opportunities executable: a quote
    /// with its credit grade, a contract whose terms differ from the quote refused naming each
    /// difference, signing that wins the deal, the countdown board, a payment larger than what is
    /// due kept as credit and recorded once when sent again, a refund once, and another tenant
    /// finding none of it; then customer health and the journey after a major complaint.
    @Suite struct QuoteToCashFlowTests {
        let cast = QuoteToCashCast("q2c")

        @Test func aQuoteBecomesASignedContractAndItsCashIsCountedOnce() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            try await client.with(.opportunities) { grpc in
                let desk = QuoteToCashDesk(client: client, grpc: grpc, rep: cast.rep)
                let (deals, contracts, receivables) = (desk.deals, desk.contracts, desk.receivables)
                let asRep = try await client.metadata(cast.rep)
                let asFinance = try await client.metadata(cast.finance)

                // The quote: 100.00 in three, graded with its reasons, accepted by the customer.
                let deal = try await desk.negotiatingDeal("腔镜系统年度服务", customer: "瑞金医院", amount: 10_000)
                let quote = try await desk.quote(deal, fen: 10_000, plan: [(3_333, 0), (3_333, 30), (3_334, 60)])
                #expect(quote.total.minorUnits == 10_000)
                #expect(quote.credit.grade != .unspecified && !quote.credit.findings.isEmpty)
                #expect(quote.credit.findings.allSatisfy { !$0.reason.isEmpty })
                let accepted = try await desk.accept(quote)

                // Terms that differ from the quote: each difference named, nothing submitted.
                let signing = "2027-01-31"
                let differing = try await contracts.createContract(
                    .with {
                        $0.quoteID = accepted.id; $0.signingDate = signing
                        $0.instalments = [("2027-02-02", 3_333), ("2027-03-09", 3_330), ("2027-03-28", 3_337)].map { due, fen in
                            .with {
                                $0.dueDate = due; $0.amount = .cny(Int64(fen))
                            }
                        }
                    }, metadata: asRep)
                let refused = await #expect(throws: RPCError.self) {
                    try await contracts.submitContract(.with { $0.id = differing.id }, metadata: asRep)
                }
                #expect(refused?.code == .failedPrecondition)
                for difference in [
                    "instalment 2: 33.30 CNY where the quote promised 33.33 CNY",
                    "instalment 2: due 2027-03-09, 7 days after the 2027-03-02 the quote promised (at most 3)",
                    "instalment 3: 33.37 CNY where the quote promised 33.34 CNY",
                    "instalment 3: due 2027-03-28, 4 days before the 2027-04-01 the quote promised (at most 3)",
                ] {
                    #expect(refused?.message.contains(difference) == true, "\(difference) in \(refused?.message ?? "")")
                }
                #expect(refused?.message.contains("instalment 1") == false, "2 days off is within the tolerance")

                // The quote's own terms: submitted, signed, and the deal is won through its gate.
                let contract = try await desk.signedContract(accepted, signing: signing)
                #expect(contract.state == .signed && contract.signature.documentSha256.count == 64)
                let won = try await deals.getOpportunity(.with { $0.id = deal.id }, metadata: asRep)
                #expect(won.stage == .won)

                // The rep's countdown board: the quote's three instalments, due from the signing day.
                let board = try await receivables.listReceivables(.with { $0.contractID = contract.id }, metadata: asRep).receivables
                #expect(board.map(\.dueDate) == ["2027-01-31", "2027-03-02", "2027-04-01"])
                #expect(board.map(\.amount.minorUnits) == [3_333, 3_333, 3_334])
                #expect(board.allSatisfy { $0.state == .notInvoiced && $0.ownerID == cast.rep.userID && $0.daysLeft > 0 })

                // 120.00 against 100.00 due: every instalment paid, 20.00 kept as credit; the bank's
                // retry of the same reference is recorded once.
                let payment = Sales_Opportunities_V1_RecordPaymentRequest.with {
                    $0.contractID = contract.id; $0.reference = "ICBC-\(UInt32.random(in: 0...UInt32.max))"; $0.amount = .cny(12_000)
                    $0.receivedOn = LocalDays.fromToday(0)
                }
                let paid = try await receivables.recordPayment(payment, metadata: asFinance)
                #expect(!paid.alreadyRecorded && paid.payment.credit.minorUnits == 2_000)
                #expect(paid.payment.allocations.reduce(0) { $0 + $1.amount.minorUnits } == 10_000)
                let retried = try await receivables.recordPayment(payment, metadata: asFinance)
                #expect(retried.alreadyRecorded && retried.payment.id == paid.payment.id)
                let received = try await client.events(of: "sales.opportunities.v1.PaymentReceived", tenant: cast.tenant, on: grpc)
                #expect(received.count == 1, "the retry sends no second event")
                let event = try Sales_Opportunities_V1_PaymentReceived(jsonString: try #require(received.first).payloadJson)
                #expect(
                    event.firstPayment && event.fullyPaid && event.ownerID == cast.rep.userID, "incentives learn of the first and the full payment")
                let account = try await receivables.getContractAccount(.with { $0.contractID = contract.id }, metadata: asFinance)
                #expect(account.paid.minorUnits == 10_000 && account.outstanding.minorUnits == 0 && account.credit.minorUnits == 2_000)

                // A refund of 30.00: the credit first, then the newest instalment; sent again, once.
                let refund = Sales_Opportunities_V1_RefundPaymentRequest.with {
                    $0.paymentID = paid.payment.id; $0.reference = "RF-\(UInt32.random(in: 0...UInt32.max))"; $0.amount = .cny(3_000)
                    $0.reason = "多付退回"
                }
                let refunded = try await receivables.refundPayment(refund, metadata: asFinance)
                #expect(!refunded.alreadyRecorded)
                #expect(try await receivables.refundPayment(refund, metadata: asFinance).alreadyRecorded)
                let refunds = try await client.events(of: "sales.opportunities.v1.PaymentRefunded", tenant: cast.tenant, on: grpc)
                #expect(refunds.count == 1, "the refund goes out once")
                #expect(try Sales_Opportunities_V1_PaymentRefunded(jsonString: try #require(refunds.first).payloadJson).refund.minorUnits == 3_000)
                let after = try await receivables.getContractAccount(.with { $0.contractID = contract.id }, metadata: asFinance)
                #expect(after.credit.minorUnits == 0 && after.paid.minorUnits == 9_000 && after.outstanding.minorUnits == 1_000)

                // Another tenant: the contract is not found, to pay or to read.
                let asStranger = try await client.metadata(cast.stranger)
                var foreign = payment
                foreign.reference = "ICBC-other"
                let notFound = await #expect(throws: RPCError.self) { try await receivables.recordPayment(foreign, metadata: asStranger) }
                #expect(notFound?.code == .notFound)
                let unseen = await #expect(throws: RPCError.self) {
                    try await receivables.getContractAccount(.with { $0.contractID = contract.id }, metadata: asStranger)
                }
                #expect(unseen?.code == .notFound)
            }
        }

        /// A major complaint from the service desk lowers the customer's health with its reason,
        /// pauses the renewal at the stage gate, gives the owner a task, and marks the journey
        /// where sales did not follow it.
        @Test func aMajorComplaintLowersTheHealthPausesTheRenewalAndMarksTheJourney() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            try await client.with(.opportunities) { grpc in
                let deals = Sales_Opportunities_V1_OpportunityService.Client(wrapping: grpc)
                let health = Sales_Opportunities_V1_CustomerHealthService.Client(wrapping: grpc)
                let asRep = try await client.metadata(cast.rep)
                let desk = try await client.metadata(Caller.service(.gateway, tenant: cast.tenant))
                let customer = UUID().uuidString.lowercased()
                let renewal = try await deals.createOpportunity(
                    .with {
                        $0.name = "腔镜系统续约"; $0.customerName = "瑞金医院"; $0.customerID = customer; $0.dealType = .renewal
                        $0.amount = .cny(5_000_000)
                        $0.expectedClose = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: 30 * 86_400))
                    }, metadata: asRep)
                let before = try await health.getCustomerHealth(.with { $0.customerID = customer }, metadata: asRep)

                let ticket = Sales_Opportunities_V1_RecordTicketRequest.with {
                    $0.ticket = .with {
                        $0.ticketID = "T-1"; $0.customerID = customer; $0.severity = .major; $0.complaint = true
                        $0.subject = "设备宕机两天, 手术排期受影响"
                        $0.openedAt = Google_Protobuf_Timestamp(
                            date: Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 5 * 86_400).rounded()))
                    }
                }
                let opened = try await health.recordTicket(ticket, metadata: desk)
                #expect(opened.result == "created" && opened.health.score < before.score)
                #expect(opened.health.deductions.contains { $0.side == "service" && $0.points == -15 && $0.reason == "1 个重大投诉未关闭" })
                #expect(opened.pausedOpportunityIds == [renewal.id] && opened.riskTask.ownerID == cast.rep.userID)
                let paused = await #expect(throws: RPCError.self) {
                    try await deals.advanceStage(
                        .with {
                            $0.opportunityID = renewal.id; $0.toStage = "需求确认"; $0.keyAction = "电话沟通"; $0.feedback = "续约预算已批"
                        }, metadata: asRep)
                }
                #expect(paused?.code == .failedPrecondition)
                #expect(paused?.message.contains("major complaint resolved (T-1") == true, "\(paused?.message ?? "")")
                #expect(try await health.recordTicket(ticket, metadata: desk).result == "unchanged", "the desk's retry changes nothing")

                let journey = try await health.getCustomerJourney(.with { $0.customerID = customer }, metadata: asRep)
                #expect(journey.entries.contains { $0.kind == "ticket_opened" && $0.line == "service" })
                #expect(journey.entries.contains { $0.kind == "deal_created" && $0.opportunityID == renewal.id })
                #expect(journey.jointActions.map(\.ticketID) == ["T-1"], "no sales activity followed the complaint within three days")
            }
        }
    }
}
