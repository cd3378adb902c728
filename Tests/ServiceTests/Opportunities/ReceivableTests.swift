import Foundation
import GRPCCore
import GRPCInProcessTransport
import OpportunitiesService
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

/// From a signed contract to cash: signing wins the deal through its gate and opens the
/// instalments; payments pay the oldest first and keep the excess as credit, once per reference;
/// refunds give back credit first; the countdown board shows each caller what they may see.
@Suite struct ReceivableTests {
    typealias Receivables = Sales_Opportunities_V1_ReceivableService.Client<InProcessTransport.Client>

    struct Scene {
        let clients: StageMoveTests.Clients
        let quotes: QuoteTests.Quotes
        let contracts: ContractTests.Contracts
        let receivables: Receivables
        let database: Database
        /// Quotes and contracts of the same tenant and people.
        let contractScene: ContractTests.Scene
        var cast: OpportunityEdgeTests.Cast { contractScene.cast }
        var finance: Caller { Caller(tenant: cast.rep.tenant, userID: "qian.cw", roles: [.finance], orgPath: "/finance") }

        /// A submitted contract of 100.00 in three (33.33, 33.33, 33.34) signed on `signing`, its
        /// deal brought to 商务谈判 so the won stage's gate is one step away.
        func submitted(signing: String = "2026-09-01", negotiate: Bool = true) async throws -> Sales_Opportunities_V1_Contract {
            let quote = try await contractScene.acceptedQuote()
            if negotiate { try await negotiating(quote.opportunityID) }
            return try await contractScene.submit(try await contractScene.create(quote, signing: signing))
        }

        func negotiating(_ deal: String) async throws {
            _ = try await clients.advance(deal, to: "需求确认", action: "电话沟通", feedback: "预算已批", by: cast.rep)
            _ = try await clients.visit(deal, by: cast.rep, signals: ["decision_maker_met"])
            _ = try await clients.advance(deal, to: "方案报价", action: "发送方案", feedback: "要看方案", by: cast.rep)
            _ = try await clients.advance(deal, to: "商务谈判", action: "处理异议", feedback: "价格可以谈", by: cast.rep)
        }

        func sign(_ contract: Sales_Opportunities_V1_Contract, feedback: String = "客户法务已盖章", document: Data = ReceivableTests.pdf)
            async throws -> Sales_Opportunities_V1_Contract
        {
            try await contracts.signContract(
                .with {
                    $0.id = contract.id
                    $0.document = document
                    $0.feedback = feedback
                }, metadata: try await clients.metadata(cast.rep))
        }

        func pay(_ contract: String, _ fen: Int64, reference: String, on day: String = "2026-11-20", as caller: Caller? = nil)
            async throws -> Sales_Opportunities_V1_RecordPaymentResponse
        {
            try await receivables.recordPayment(
                .with {
                    $0.contractID = contract
                    $0.reference = reference
                    $0.amount = QuoteTests.money(fen)
                    $0.receivedOn = day
                }, metadata: try await clients.metadata(caller ?? finance))
        }

        func account(_ contract: String, as caller: Caller? = nil) async throws -> Sales_Opportunities_V1_ContractAccount {
            try await receivables.getContractAccount(.with { $0.contractID = contract }, metadata: try await clients.metadata(caller ?? finance))
        }

        func board(as caller: Caller, _ change: @Sendable (inout Sales_Opportunities_V1_ListReceivablesRequest) -> Void = { _ in })
            async throws -> Sales_Opportunities_V1_ListReceivablesResponse
        {
            try await receivables.listReceivables(.with(change), metadata: try await clients.metadata(caller))
        }
    }

    static let pdf = Data("%PDF-1.7\n1 0 obj<<>>endobj\n签字页\n%%EOF\n".utf8)

    static func hosted(_ body: @Sendable (Scene) async throws -> Void) async throws {
        try await QuoteTests.hosted { clients, quotes, database in
            let contracts = ContractTests.Contracts(wrapping: clients.grpc)
            try await body(
                Scene(
                    clients: clients, quotes: quotes, contracts: contracts, receivables: Receivables(wrapping: clients.grpc), database: database,
                    contractScene: ContractTests.Scene(clients: clients, quotes: quotes, contracts: contracts)))
        }
    }

    static func events(_ type: String, of contract: String, in database: Database) async throws -> [String] {
        let rows = try await database.query(
            "SELECT payload::text FROM outbox WHERE event_type LIKE \("%" + type) AND aggregate_id = \(contract) ORDER BY sequence")
        var payloads: [String] = []
        for try await payload in rows.decode(String.self) { payloads.append(payload) }
        return payloads
    }

    @Test func signingWinsTheDealThroughItsGateAndOpensTheInstalments() async throws {
        try await Self.hosted { scene in
            // The deal is still in its first stage: the won stage's gate refuses, and nothing is signed.
            let early = try await scene.submitted(negotiate: false)
            let skipped = await refusal { try await scene.sign(early) }
            #expect(
                skipped?.code == .failedPrecondition && skipped?.message.contains("does not skip stages") == true, "\(String(describing: skipped))")
            let unchanged = try await scene.contracts.getContract(
                .with { $0.id = early.id }, metadata: try await scene.clients.metadata(scene.cast.rep))
            #expect(unchanged.state == .submitted && !unchanged.hasSignature)

            let contract = try await scene.submitted()
            let noFeedback = await refusal { try await scene.sign(contract, feedback: "") }
            #expect(noFeedback?.code == .failedPrecondition && noFeedback?.message.contains("feedback") == true)
            let notPDF = await refusal { try await scene.sign(contract, document: Data("签字页.docx".utf8)) }
            #expect(notPDF?.code == .invalidArgument && notPDF?.message.contains("document") == true)

            let signed = try await scene.sign(contract)
            #expect(signed.state == .signed && signed.signature.signer == "local" && signed.signature.signedBy == scene.cast.rep.userID)
            #expect(signed.signature.documentSha256.count == 64 && signed.signature.documentBytes == Int64(Self.pdf.count))
            #expect(try await scene.sign(contract) == signed, "signing again changes nothing")
            let deal = try await scene.clients.deals.getOpportunity(
                .with { $0.id = contract.opportunityID }, metadata: try await scene.clients.metadata(scene.cast.rep))
            #expect(deal.stageKey == "赢单" && deal.stage == .won)

            let account = try await scene.account(contract.id)
            #expect(account.instalments.map(\.amount.minorUnits) == [3_333, 3_333, 3_334])
            #expect(account.instalments.map(\.dueDate) == ["2026-09-01", "2026-10-01", "2026-10-31"])
            #expect(account.instalments.allSatisfy { $0.state == .notInvoiced && $0.daysOverdue > 0 && $0.ownerID == scene.cast.rep.userID })
            #expect(account.total.minorUnits == 10_000 && account.outstanding.minorUnits == 10_000 && account.paid.minorUnits == 0)
            #expect(try await Self.events("ContractSigned", of: contract.id, in: scene.database).count == 1)

            // A draft is not signed.
            let quote = try await scene.contractScene.acceptedQuote()
            let draft = try await scene.contractScene.create(quote)
            let refused = await refusal { try await scene.sign(draft) }
            #expect(refused?.code == .failedPrecondition && refused?.message.contains("draft") == true)
        }
    }

    @Test func aPaymentPaysTheOldestFirstKeepsTheExcessAsCreditAndIsRecordedOncePerReference() async throws {
        try await Self.hosted { scene in
            let contract = try await scene.sign(try await scene.submitted())
            let first = try await scene.pay(contract.id, 5_000, reference: "ICBC-20261120-0001").payment
            #expect(first.allocations.map(\.number) == [1, 2] && first.allocations.map(\.amount.minorUnits) == [3_333, 1_667])
            #expect(first.credit.minorUnits == 0 && first.source == "api")
            let second = try await scene.pay(contract.id, 6_000, reference: "ICBC-20261121-0002", on: "2026-11-21").payment
            #expect(second.allocations.map(\.number) == [2, 3] && second.allocations.map(\.amount.minorUnits) == [1_666, 3_334])
            #expect(second.credit.minorUnits == 1_000, "what the contract no longer owed is kept as credit")
            for payment in [first, second] {
                #expect(payment.allocations.reduce(0) { $0 + $1.amount.minorUnits } + payment.credit.minorUnits == payment.amount.minorUnits)
            }
            let account = try await scene.account(contract.id)
            #expect(account.paid.minorUnits == 10_000 && account.outstanding.minorUnits == 0 && account.credit.minorUnits == 1_000)
            #expect(account.instalments.allSatisfy { $0.state == .paid && $0.daysOverdue == 0 } && account.payments.count == 2)

            // The same payment imported again is recorded once; the same reference for other money is refused.
            let again = try await scene.pay(contract.id, 5_000, reference: "ICBC-20261120-0001")
            #expect(again.alreadyRecorded && again.payment == first)
            let clash = await refusal { try await scene.pay(contract.id, 4_000, reference: "ICBC-20261120-0001") }
            #expect(clash?.code == .alreadyExists && clash?.message.contains("its own reference") == true)
            #expect(try await scene.account(contract.id) == account, "nothing changed")
            let received = try await Self.events("PaymentReceived", of: contract.id, in: scene.database)
            #expect(received.count == 2)
            #expect(received[0].contains("\"firstPayment\": true") && !received[0].contains("fullyPaid"))
            #expect(!received[1].contains("firstPayment") && received[1].contains("\"fullyPaid\": true"))
        }
    }

    @Test func aRefundGivesBackCreditFirstThenTheNewestInstalmentsAndGoesOutOnce() async throws {
        try await Self.hosted { scene in
            let contract = try await scene.sign(try await scene.submitted())
            let payment = try await scene.pay(contract.id, 11_000, reference: "BOC-1").payment
            #expect(payment.credit.minorUnits == 1_000)
            let refund = Sales_Opportunities_V1_RefundPaymentRequest.with {
                $0.paymentID = payment.id
                $0.reference = "RF-1"
                $0.amount = QuoteTests.money(1_500)
                $0.reason = "第三期服务取消一部分"
            }
            let asFinance = try await scene.clients.metadata(scene.finance)
            let refunded = try await scene.receivables.refundPayment(refund, metadata: asFinance)
            #expect(!refunded.alreadyRecorded && refunded.payment.refunded.minorUnits == 1_500 && refunded.payment.credit.minorUnits == 0)
            #expect(refunded.payment.allocations.map(\.amount.minorUnits) == [3_333, 3_333, 2_834])
            let repeated = try await scene.receivables.refundPayment(refund, metadata: asFinance)
            #expect(repeated.alreadyRecorded && repeated.payment == refunded.payment)
            #expect(try await Self.events("PaymentRefunded", of: contract.id, in: scene.database).count == 1, "the refund goes out once")
            let account = try await scene.account(contract.id)
            #expect(account.paid.minorUnits == 9_500 && account.outstanding.minorUnits == 500 && account.credit.minorUnits == 0)
            #expect(account.instalments.map(\.state) == [.paid, .paid, .notInvoiced])

            let tooMuch = await refusal {
                try await scene.receivables.refundPayment(
                    refund.with {
                        $0.reference = "RF-2"; $0.amount = QuoteTests.money(9_501)
                    }, metadata: asFinance)
            }
            #expect(
                tooMuch?.code == .failedPrecondition && tooMuch?.message.contains("95.00 CNY left to refund") == true,
                "\(String(describing: tooMuch))")
            let otherAmount = await refusal {
                try await scene.receivables.refundPayment(refund.with { $0.amount = QuoteTests.money(100) }, metadata: asFinance)
            }
            #expect(otherAmount?.code == .alreadyExists)
            let byRep = await refusal {
                try await scene.receivables.refundPayment(
                    refund.with { $0.reference = "RF-3" }, metadata: try await scene.clients.metadata(scene.cast.rep))
            }
            #expect(byRep?.code == .permissionDenied)
        }
    }

    @Test func badPaymentsAreRefusedNamingTheFieldAndStrangersFindNothing() async throws {
        try await Self.hosted { scene in
            let submitted = try await scene.submitted()
            let unsigned = await refusal { try await scene.pay(submitted.id, 100, reference: "X-1") }
            #expect(unsigned?.code == .failedPrecondition && unsigned?.message.contains("not signed") == true)
            let contract = try await scene.sign(submitted)
            let cases: [(String, @Sendable (inout Sales_Opportunities_V1_RecordPaymentRequest) -> Void)] = [
                ("contract_id", { $0.contractID = "not-a-uuid" }),
                ("reference", { $0.reference = " " }),
                ("reference", { $0.reference = "A\u{0}B" }),
                ("reference", { $0.reference = String(repeating: "流", count: 100_000) }),
                ("amount.minor_units", { $0.amount.minorUnits = 0 }),
                ("amount.minor_units", { $0.amount.minorUnits = -5 }),
                ("amount.currency", { $0.amount.currency = "USD" }),
                ("amount.currency", { $0.amount.currency = "元" }),
                ("amount", { $0.clearAmount() }),
                ("received_on", { $0.receivedOn = "2026-13-01" }),
                ("received_on", { $0.receivedOn = "2999-01-01" }),
            ]
            let asFinance = try await scene.clients.metadata(scene.finance)
            for (field, change) in cases {
                var request = Sales_Opportunities_V1_RecordPaymentRequest.with {
                    $0.contractID = contract.id
                    $0.reference = "BAD-\(field)"
                    $0.amount = QuoteTests.money(100)
                    $0.receivedOn = "2026-11-20"
                }
                change(&request)
                let refusal = await refusal { try await scene.receivables.recordPayment(request, metadata: asFinance) }
                #expect(refusal?.code == .invalidArgument && refusal?.message.hasPrefix(field) == true, "\(field): \(String(describing: refusal))")
                #expect((refusal?.message.count ?? 0) < 400)
            }
            #expect(try await scene.account(contract.id).payments.isEmpty, "nothing was recorded")

            // A rep does not record money; another tenant's finance finds no such contract.
            let byRep = await refusal { try await scene.pay(contract.id, 100, reference: "R-1", as: scene.cast.rep) }
            #expect(byRep?.code == .permissionDenied && byRep?.message.contains("finance") == true)
            let strangerFinance = Caller(tenant: scene.cast.stranger.tenant, userID: "qian.cw", roles: [.finance], orgPath: "/")
            let stranger = await refusal { try await scene.pay(contract.id, 100, reference: "S-1", as: strangerFinance) }
            #expect(stranger?.code == .notFound)
            let strangerAccount = await refusal { try await scene.account(contract.id, as: scene.cast.stranger) }
            #expect(strangerAccount?.code == .notFound)
            let prefixAccount = await refusal { try await scene.account(contract.id, as: scene.cast.prefixManager) }
            #expect(prefixAccount?.code == .notFound)
            #expect(try await scene.account(contract.id, as: scene.cast.ownManager).instalments.count == 3)
        }
    }

    @Test func theCountdownBoardShowsEachCallerTheirScopeSoonestDueFirst() async throws {
        try await Self.hosted { scene in
            let older = try await scene.sign(try await scene.submitted(signing: "2026-08-01"))
            let newer = try await scene.sign(try await scene.submitted(signing: "2026-11-25"))
            _ = try await scene.pay(older.id, 3_333, reference: "P-OLD-1")
            let all = try await scene.board(as: scene.finance)
            #expect(all.receivables.count == 6 && all.page.nextPageToken.isEmpty)
            #expect(all.receivables.map(\.dueDate) == all.receivables.map(\.dueDate).sorted())
            let open = try await scene.board(as: scene.finance) { $0.openOnly = true }
            #expect(open.receivables.count == 5 && !open.receivables.contains { $0.state == .paid })
            // 2026-08-01 + 30 = 08-31, more than 60 days before 2026-12-01 whatever today is after it.
            let late = try await scene.board(as: scene.finance) { $0.minDaysOverdue = 60 }
            #expect(late.receivables.allSatisfy { $0.contractID == older.id && $0.daysOverdue >= 60 && $0.state != .paid })
            #expect(late.receivables.first?.dueDate == "2026-08-31")

            // Paged two at a time, every row once, in order.
            var seen: [String] = []
            var token = ""
            repeat {
                let current = token
                let page = try await scene.board(as: scene.finance) {
                    $0.page = .with {
                        $0.pageSize = 2; $0.pageToken = current
                    }
                }
                seen += page.receivables.map(\.instalmentID)
                token = page.page.nextPageToken
            } while !token.isEmpty
            #expect(seen == all.receivables.map(\.instalmentID))

            #expect(try await scene.board(as: scene.cast.rep).receivables.count == 6)
            #expect(try await scene.board(as: scene.cast.ownManager) { $0.contractID = newer.id }.receivables.count == 3)
            #expect(try await scene.board(as: scene.cast.prefixManager).receivables.isEmpty)
            #expect(try await scene.board(as: scene.cast.stranger).receivables.isEmpty)
            let colleague = Caller(tenant: scene.cast.rep.tenant, userID: "wang.wu", roles: [.rep], orgPath: "/north/n1")
            #expect(try await scene.board(as: colleague).receivables.isEmpty, "a rep sees only their own deals' money")

            let badToken = await refusal { try await scene.board(as: scene.finance) { $0.page.pageToken = "djE6MTI=" } }
            #expect(badToken?.code == .invalidArgument && badToken?.message.hasPrefix("page.page_token") == true)
            let badDays = await refusal { try await scene.board(as: scene.finance) { $0.minDaysOverdue = -1 } }
            #expect(badDays?.code == .invalidArgument && badDays?.message.hasPrefix("min_days_overdue") == true)
        }
    }

    @Test func invoiceStepsGoForwardWithTheirNumber() async throws {
        try await Self.hosted { scene in
            let contract = try await scene.sign(try await scene.submitted())
            let instalment = try await scene.account(contract.id).instalments[0]
            let asFinance = try await scene.clients.metadata(scene.finance)
            func step(_ step: Sales_Opportunities_V1_InvoiceStep, number: String = "", as metadata: Metadata? = nil) async throws
                -> Sales_Opportunities_V1_Receivable
            {
                try await scene.receivables.recordInvoice(
                    .with {
                        $0.instalmentID = instalment.instalmentID
                        $0.step = step
                        $0.invoiceNumber = number
                    }, metadata: metadata ?? asFinance)
            }
            let noNumber = await refusal { try await step(.issued) }
            #expect(noNumber?.code == .invalidArgument && noNumber?.message.hasPrefix("invoice_number") == true)
            #expect(try await step(.issued, number: "31000261120001").state == .invoiced)
            #expect(try await step(.inLegalReview).state == .inLegalReview)
            let backwards = await refusal { try await step(.delivered) }
            #expect(backwards?.code == .failedPrecondition)
            let otherNumber = await refusal { try await step(.accepted, number: "31000261120999") }
            #expect(otherNumber?.code == .failedPrecondition && otherNumber?.message.contains("31000261120001") == true)
            let accepted = try await step(.accepted)
            #expect(accepted.state == .accepted && accepted.invoiceNumber == "31000261120001" && accepted.invoiceStep == .accepted)
            let unknown = await refusal { try await step(.unspecified) }
            #expect(unknown?.code == .invalidArgument && unknown?.message.hasPrefix("step") == true)
            let byRep = await refusal { try await step(.accepted, as: try await scene.clients.metadata(scene.cast.rep)) }
            #expect(byRep?.code == .permissionDenied)
            let strangerFinance = Caller(tenant: scene.cast.stranger.tenant, userID: "qian.cw", roles: [.finance], orgPath: "/")
            let stranger = await refusal { try await step(.accepted, as: try await scene.clients.metadata(strangerFinance)) }
            #expect(stranger?.code == .notFound)
        }
    }

    @Test func overdueInstalmentsGiveTheOwnerTasksAndGoToTheirManagerOnce() async throws {
        try await Self.hosted { scene in
            let admin = try await scene.clients.metadata(Caller(tenant: scene.cast.rep.tenant, userID: "admin", roles: [.admin], orgPath: "/hq"))
            _ = try await scene.clients.notifications.putNotificationChannel(
                .with {
                    $0.channel = .with {
                        $0.name = "hook"; $0.kind = .webhook; $0.webhookURL = "http://127.0.0.1:9/hook"
                        $0.secret = String(repeating: "k", count: 32); $0.enabled = true
                    }
                }, metadata: admin)
            // Due 2026-09-01, 10-01 and 10-31: all more than 5 days overdue by now.
            let contract = try await scene.sign(try await scene.submitted())
            _ = try await scene.pay(contract.id, 3_333, reference: "PAY-1")
            let instalments = try await scene.account(contract.id).instalments
            let asFinance = try await scene.clients.metadata(scene.finance)
            func invoice(_ index: Int, _ step: Sales_Opportunities_V1_InvoiceStep) async throws {
                _ = try await scene.receivables.recordInvoice(
                    .with {
                        $0.instalmentID = instalments[index].instalmentID; $0.step = step; $0.invoiceNumber = "INV-\(index)"
                    }, metadata: asFinance)
            }
            try await invoice(1, .issued)
            let swept = try await scene.receivables.sweepReceivables(.init(), metadata: asFinance)
            #expect(swept.tasksCreated == 2 && swept.escalated == 2, "the paid instalment needs nothing")
            let again = try await scene.receivables.sweepReceivables(.init(), metadata: asFinance)
            #expect(again.tasksCreated == 0 && again.escalated == 0, "nothing twice")

            func tasks(_ caller: Caller, openOnly: Bool = true) async throws -> [Sales_Opportunities_V1_CollectionTask] {
                try await scene.receivables.listCollectionTasks(.with { $0.openOnly = openOnly }, metadata: try await scene.clients.metadata(caller))
                    .tasks
            }
            let mine = try await tasks(scene.cast.rep)
            #expect(Set(mine.map(\.kind)) == [.confirmInvoiceReceived, .sendInvoice])
            #expect(mine.allSatisfy { $0.ownerID == scene.cast.rep.userID && $0.dueAt.date > Date() && $0.title.contains("逾期") })
            #expect(mine.contains { $0.title.hasPrefix("确认客户已收到发票") && $0.title.contains("第2期") })
            #expect(try await tasks(scene.cast.ownManager).count == 2)
            #expect(try await tasks(scene.cast.prefixManager).isEmpty)
            #expect(try await tasks(scene.cast.stranger).isEmpty)

            // The invoice moves on: its task closes and the next one opens.
            try await invoice(1, .delivered)
            #expect(try await scene.receivables.sweepReceivables(.init(), metadata: asFinance).tasksCreated == 1)
            let now = try await tasks(scene.cast.rep)
            #expect(Set(now.map(\.kind)) == [.chaseAcceptance, .sendInvoice])
            #expect(
                try await tasks(scene.cast.rep, openOnly: false).contains { $0.kind == .confirmInvoiceReceived && $0.outcome == "invoice moved on" })

            let send = try #require(now.first { $0.kind == .sendInvoice })
            let asRep = try await scene.clients.metadata(scene.cast.rep)
            let done = try await scene.receivables.completeCollectionTask(
                .with {
                    $0.id = send.id; $0.outcome = "发票已寄出，顺丰单号 SF123"
                }, metadata: asRep)
            #expect(done.hasDoneAt && done.outcome == "发票已寄出，顺丰单号 SF123")
            let twice = try await scene.receivables.completeCollectionTask(
                .with {
                    $0.id = send.id; $0.outcome = "再次"
                }, metadata: asRep)
            #expect(twice == done, "done stays done")
            let empty = await refusal {
                try await scene.receivables.completeCollectionTask(
                    .with {
                        $0.id = send.id; $0.outcome = " "
                    }, metadata: asRep)
            }
            #expect(empty?.code == .invalidArgument && empty?.message.hasPrefix("outcome") == true)
            for outsider in [scene.cast.prefixManager, scene.cast.stranger] {
                let refusal = await refusal {
                    try await scene.receivables.completeCollectionTask(
                        .with {
                            $0.id = send.id; $0.outcome = "x"
                        }, metadata: try await scene.clients.metadata(outsider))
                }
                #expect(refusal?.code == .notFound)
            }
            let bySweep = await refusal { try await scene.receivables.sweepReceivables(.init(), metadata: asRep) }
            #expect(bySweep?.code == .permissionDenied)

            // The manager heard once per instalment, and forecasting got each slip once.
            #expect(try await Self.events("InstalmentSlipped", of: contract.id, in: scene.database).count == 2)
            let rows = try await scene.database.query(
                """
                SELECT count(*) FROM notification_deliveries
                WHERE tenant_id = \(scene.cast.rep.tenant.rawValue) AND notice = 'instalment_overdue' AND audience = 'team:/north/n1'
                """)
            for try await count in rows.decode(Int64.self) { #expect(count == 2) }
        }
    }

    @Test func aPaymentFileGoesInOnceWithEachBadRowRefusedAlone() async throws {
        try await Self.hosted { scene in
            let first = try await scene.sign(try await scene.submitted())
            let second = try await scene.sign(try await scene.submitted())
            let unsigned = try await scene.submitted()
            // Another tenant's contract (a draft there: NOT_FOUND here, not "not signed").
            let asStranger = try await scene.clients.metadata(scene.cast.stranger)
            let strangerDeal = try await scene.clients.newDeal(by: scene.cast.stranger)
            let strangerOffer = try await scene.quotes.createQuote(
                .with {
                    $0.opportunityID = strangerDeal.id
                    $0.lines = [QuoteTests.line("年度服务", 1, 10_000)]
                    $0.paymentPlan = QuoteTests.plan([(10_000, 0)])
                }, metadata: asStranger)
            let strangerQuote = try await scene.quotes.acceptQuote(.with { $0.id = strangerOffer.id }, metadata: asStranger)
            let strangerContract = try await scene.contracts.createContract(
                .with {
                    $0.quoteID = strangerQuote.id
                    $0.signingDate = "2026-09-01"
                }, metadata: asStranger)
            func row(_ line: Int32, _ contract: String, _ reference: String, _ fen: Int64, on day: String = "2026-11-20")
                -> Sales_Opportunities_V1_PaymentRow
            {
                .with {
                    $0.line = line; $0.contractID = contract; $0.reference = reference; $0.amount = QuoteTests.money(fen); $0.receivedOn = day
                }
            }
            let rows = [
                row(2, first.id, "F-1", 4_000),
                row(3, second.id, "F-2", 10_000),
                row(4, first.id, "F-3", 7_000),  // 6,000 still owed: 1,000 credit
                row(5, first.id, "F-1", 4_000),  // the same line twice in the file
                row(6, first.id, "F-2", 500),  // another payment under F-2's reference
                row(7, "合同-7", "F-7", 100),
                row(8, unsigned.id, "F-8", 100),
                row(9, strangerContract.id, "F-9", 100),
                row(10, second.id, "F-10", 100, on: "2026-02-30"),
                row(11, second.id, "F-\u{0}11", 100),
                row(12, second.id, String(repeating: "流", count: 100_000), 100),
            ]
            let asFinance = try await scene.clients.metadata(scene.finance)
            let answer = try await scene.receivables.importPayments(.with { $0.rows = rows }, metadata: asFinance).outcomes
            #expect(answer.map(\.line) == rows.map(\.line))
            #expect(answer[0..<3].allSatisfy { !$0.paymentID.isEmpty && !$0.alreadyRecorded && $0.errorCode.isEmpty })
            #expect(answer[3].alreadyRecorded && answer[3].paymentID == answer[0].paymentID)
            #expect(answer[4].errorCode == "ALREADY_EXISTS" && answer[4].field == "reference")
            #expect(answer[5].errorCode == "INVALID_ARGUMENT" && answer[5].field == "contract_id")
            #expect(answer[6].errorCode == "FAILED_PRECONDITION" && answer[6].reason.contains("not signed"))
            #expect(answer[7].errorCode == "NOT_FOUND" && answer[7].field == "contract_id")
            #expect(answer[8].errorCode == "INVALID_ARGUMENT" && answer[8].field == "received_on")
            // A NUL or 100 KB in one cell refuses that row alone, quoted short.
            #expect(answer[9].errorCode == "INVALID_ARGUMENT" && answer[9].field == "reference")
            #expect(answer[10].errorCode == "INVALID_ARGUMENT" && answer[10].field == "reference" && answer[10].reason.count < 400)
            let account = try await scene.account(first.id)
            #expect(account.paid.minorUnits == 10_000 && account.credit.minorUnits == 1_000 && account.payments.allSatisfy { $0.source == "file" })
            #expect(try await scene.account(second.id).outstanding.minorUnits == 0)

            // The same file again records nothing new.
            let rerun = try await scene.receivables.importPayments(.with { $0.rows = rows }, metadata: asFinance).outcomes
            #expect(rerun[0..<4].allSatisfy(\.alreadyRecorded) && rerun.map(\.paymentID) == answer.map(\.paymentID))
            #expect(try await scene.account(first.id) == account)
            #expect(try await Self.events("PaymentReceived", of: first.id, in: scene.database).count == 2)

            for count in [0, 1_001] {
                let refusal = await refusal {
                    try await scene.receivables.importPayments(
                        .with { $0.rows = Array(repeating: row(1, first.id, "X", 1), count: count) }, metadata: asFinance)
                }
                #expect(refusal?.code == .invalidArgument && refusal?.message.hasPrefix("rows") == true)
            }
            let byRep = await refusal {
                try await scene.receivables.importPayments(.with { $0.rows = rows }, metadata: try await scene.clients.metadata(scene.cast.rep))
            }
            #expect(byRep?.code == .permissionDenied)
        }
    }

    @Test func theNextQuoteForACustomerWithMoneyOverdueIsScreenedRedForIt() async throws {
        try await Self.hosted { scene in
            let customer = UUID().uuidString.lowercased()
            let asRep = try await scene.clients.metadata(scene.cast.rep)
            func deal() async throws -> Sales_Opportunities_V1_Opportunity {
                var request = OpportunityServiceTests.valid
                request.customerID = customer
                return try await scene.clients.deals.createOpportunity(request, metadata: asRep)
            }
            func quote(on deal: Sales_Opportunities_V1_Opportunity) async throws -> Sales_Opportunities_V1_Quote {
                try await scene.quotes.createQuote(
                    .with {
                        $0.opportunityID = deal.id
                        $0.lines = [QuoteTests.line("年度服务", 1, 10_000)]
                        $0.paymentPlan = QuoteTests.plan([(3_333, 0), (3_333, 30), (3_334, 60)])
                        $0.creditCode = QuoteTests.green
                    }, metadata: asRep)
            }
            // A first quote: no history to go on, so no payments finding.
            let first = try await deal()
            let offer = try await quote(on: first)
            #expect(!offer.credit.findings.contains { $0.source == "payments" } && offer.credit.grade == .green)
            // Its contract signed 2026-09-01: the first instalment paid a week late, the others overdue.
            _ = try await scene.quotes.acceptQuote(.with { $0.id = offer.id }, metadata: asRep)
            try await scene.negotiating(first.id)
            let contract = try await scene.sign(
                try await scene.contractScene.submit(try await scene.contractScene.create(offer, signing: "2026-09-01")))
            _ = try await scene.pay(contract.id, 3_333, reference: "LATE-1", on: "2026-09-08")
            let next = try await quote(on: try await deal())
            let finding = try #require(next.credit.findings.first)
            #expect(next.credit.grade == .red && finding.source == "payments", "the overdue money decides the grade: \(next.credit.findings)")
            #expect(finding.reason.contains("2 instalments overdue now (66.67 CNY") && finding.reason.contains("paid 0 of 1 instalments on time"))
            #expect(finding.reason.contains("late by 7 days"))
        }
    }

    @Test func collectionsHealthShowsRatesPerRepAndTeamAndWhereOverdueMoneyWaits() async throws {
        try await Self.hosted { scene in
            // Due 2026-09-01, 10-01 (33.33) and 10-31 (33.34); October is the month looked at.
            let contract = try await scene.sign(try await scene.submitted())
            _ = try await scene.pay(contract.id, 3_333, reference: "H-1", on: "2026-09-05")
            _ = try await scene.pay(contract.id, 3_333, reference: "H-2", on: "2026-09-30")
            let third = try await scene.account(contract.id).instalments[2]
            let asFinance = try await scene.clients.metadata(scene.finance)
            for step in [Sales_Opportunities_V1_InvoiceStep.issued, .delivered] {
                _ = try await scene.receivables.recordInvoice(
                    .with {
                        $0.instalmentID = third.instalmentID; $0.step = step; $0.invoiceNumber = "INV-3"
                    }, metadata: asFinance)
            }
            func health(_ caller: Caller, month: String = "2026-10", team: Bool = false) async throws -> Sales_Opportunities_V1_CollectionHealth {
                try await scene.receivables.getCollectionHealth(
                    .with {
                        $0.month = month
                        $0.groupBy = team ? .team : .rep
                    }, metadata: try await scene.clients.metadata(caller))
            }
            let october = try await health(scene.finance)
            let row = try #require(october.rows.first)
            #expect(october.rows.count == 1 && row.key == scene.cast.rep.userID)
            #expect(row.instalmentsDue == 2 && row.due.minorUnits == 6_667 && row.collected.minorUnits == 3_333)
            #expect(row.collectionRateBp == 4_999, "33.33 of 66.67")
            #expect(row.paidOnTime == 1 && row.termComplianceBp == 5_000 && row.paidInFull == 1 && row.averageDaysToCash == -1)
            #expect(row.invoicedOnTime == 0 && row.invoicingTimelinessBp == 0, "the third was invoiced after its due date")
            #expect(october.total.due == row.due && october.total.collectionRateBp == row.collectionRateBp)
            #expect(october.blindSpots.count == 1)
            #expect(october.blindSpots.first?.waitingOn == "sales" && october.blindSpots.first?.outstanding.minorUnits == 3_334)
            let september = try await health(scene.finance, month: "2026-09")
            #expect(september.rows.first?.paidOnTime == 0 && september.rows.first?.averageDaysToCash == 4, "paid four days late")
            #expect(try await health(scene.finance, team: true).rows.map(\.key) == ["/north/n1"])
            #expect(try await health(scene.cast.ownManager).rows.count == 1)
            #expect(try await health(scene.cast.prefixManager).rows.isEmpty)
            #expect(try await health(scene.cast.stranger).rows.isEmpty)
            for month in ["2026-13", "2026-1", "", "2026-10-01", "十月"] {
                let refusal = await refusal { try await health(scene.finance, month: month) }
                #expect(refusal?.code == .invalidArgument && refusal?.message.hasPrefix("month") == true, "\(month)")
            }
        }
    }

    @Test func everyNewTextFieldRefusesBadTextAndOutsidersAndReplayedKeysGetNothing() async throws {
        try await Self.hosted { scene in
            let submitted = try await scene.submitted()
            let asRep = try await scene.clients.metadata(scene.cast.rep)
            let asFinance = try await scene.clients.metadata(scene.finance)
            let pdf = Self.pdf
            // Signing: the string-prefix sibling's manager and another tenant find no such contract.
            for outsider in [scene.cast.prefixManager, scene.cast.stranger] {
                let metadata = try await scene.clients.metadata(outsider)
                let refusal = await refusal {
                    try await scene.contracts.signContract(
                        .with {
                            $0.id = submitted.id; $0.document = pdf; $0.feedback = "已盖章"
                        }, metadata: metadata)
                }
                #expect(refusal?.code == .notFound, "\(outsider.userID)")
            }
            let contract = try await scene.sign(submitted)
            let payment = try await scene.pay(contract.id, 1_000, reference: "T-1").payment
            let instalment = try await scene.account(contract.id).instalments[1]
            await QuoteTests.expectRefused([
                (
                    "feedback",
                    { text in
                        _ = try await scene.contracts.signContract(
                            .with {
                                $0.id = submitted.id; $0.document = pdf; $0.feedback = text
                            }, metadata: asRep)
                    }
                ),
                (
                    "key_action",
                    { text in
                        _ = try await scene.contracts.signContract(
                            .with {
                                $0.id = submitted.id; $0.document = pdf; $0.feedback = "已盖章"; $0.keyAction = text
                            }, metadata: asRep)
                    }
                ),
                (
                    "invoice_number",
                    { text in
                        _ = try await scene.receivables.recordInvoice(
                            .with {
                                $0.instalmentID = instalment.instalmentID; $0.step = .issued; $0.invoiceNumber = text
                            }, metadata: asFinance)
                    }
                ),
                (
                    "reason",
                    { text in
                        _ = try await scene.receivables.refundPayment(
                            .with {
                                $0.paymentID = payment.id; $0.reference = "RF-X"; $0.amount = QuoteTests.money(1); $0.reason = text
                            },
                            metadata: asFinance)
                    }
                ),
                (
                    "reference",
                    { text in
                        _ = try await scene.receivables.refundPayment(
                            .with {
                                $0.paymentID = payment.id; $0.reference = text; $0.amount = QuoteTests.money(1); $0.reason = "退款"
                            },
                            metadata: asFinance)
                    }
                ),
                (
                    "owner_id",
                    { text in
                        _ = try await scene.receivables.listReceivables(.with { $0.ownerID = text }, metadata: asFinance)
                    }
                ),
                (
                    "month",
                    { text in
                        _ = try await scene.receivables.getCollectionHealth(.with { $0.month = text }, metadata: asFinance)
                    }
                ),
            ])
            // Another tenant's finance cannot refund the payment or read the contract's board.
            let strangerFinance = Caller(tenant: scene.cast.stranger.tenant, userID: "qian.cw", roles: [.finance], orgPath: "/")
            let asStranger = try await scene.clients.metadata(strangerFinance)
            let strangerRefund = await refusal {
                try await scene.receivables.refundPayment(
                    .with {
                        $0.paymentID = payment.id; $0.reference = "RF-S"; $0.amount = QuoteTests.money(1); $0.reason = "退款"
                    },
                    metadata: asStranger)
            }
            #expect(strangerRefund?.code == .notFound)
            #expect(try await scene.receivables.listReceivables(.with { $0.contractID = contract.id }, metadata: asStranger).receivables.isEmpty)

            // A key replayed by another finance user is their own call, never the first caller's answer.
            let colleague = Caller(tenant: scene.cast.rep.tenant, userID: "zhao.cw", roles: [.finance], orgPath: "/finance")
            let first = try await scene.receivables.recordPayment(
                .with {
                    $0.contractID = contract.id; $0.reference = "K-1"; $0.amount = QuoteTests.money(500); $0.receivedOn = "2026-11-20"
                }, metadata: try await scene.clients.metadata(scene.finance, key: "pay-key-1"))
            let replayed = try await scene.receivables.recordPayment(
                .with {
                    $0.contractID = contract.id; $0.reference = "K-2"; $0.amount = QuoteTests.money(700); $0.receivedOn = "2026-11-21"
                }, metadata: try await scene.clients.metadata(colleague, key: "pay-key-1"))
            #expect(replayed.payment.id != first.payment.id && replayed.payment.reference == "K-2" && replayed.payment.recordedBy == "zhao.cw")
            let refund = Sales_Opportunities_V1_RefundPaymentRequest.with {
                $0.paymentID = first.payment.id; $0.reference = "RF-K"; $0.amount = QuoteTests.money(100); $0.reason = "多付"
            }
            let refunded = try await scene.receivables.refundPayment(
                refund, metadata: try await scene.clients.metadata(scene.finance, key: "refund-key"))
            let other = try await scene.receivables.refundPayment(
                refund.with {
                    $0.paymentID = replayed.payment.id; $0.reference = "RF-K2"
                },
                metadata: try await scene.clients.metadata(colleague, key: "refund-key"))
            #expect(other.payment.id == replayed.payment.id && refunded.payment.id == first.payment.id)
            #expect(try await Self.events("PaymentRefunded", of: contract.id, in: scene.database).count == 2)
        }
    }
}

extension Sales_Opportunities_V1_RefundPaymentRequest {
    func with(_ change: (inout Self) -> Void) -> Self {
        var copy = self
        change(&copy)
        return copy
    }
}
