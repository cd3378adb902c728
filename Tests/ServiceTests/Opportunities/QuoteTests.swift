import Foundation
import GRPCCore
import GRPCInProcessTransport
import OpportunitiesService
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

/// Quotes on the opportunities service: lines priced to the fen, a payment plan that never loses
/// one, a credit grade from the bureau and the tenant's term benchmark with its reasons, approval
/// when the margin is under the floor or the grade is red; and the bad input.
@Suite struct QuoteTests {
    typealias Quotes = Sales_Opportunities_V1_QuoteService.Client<InProcessTransport.Client>

    /// The bureau's file: a green, a yellow and a red company (valid codes, check characters computed).
    static let green = CreditCode.completing("91310000MA1K0GRN0")!.rawValue
    static let yellow = CreditCode.completing("91310000MA1K0YLW0")!.rawValue
    static let red = CreditCode.completing("91310000MA1K0RED0")!.rawValue
    static let unknown = CreditCode.completing("91310000MA1K0UNK0")!.rawValue

    static func hosted<Result: Sendable>(_ body: @Sendable (StageMoveTests.Clients, Quotes) async throws -> Result) async throws -> Result {
        try await hosted { clients, quotes, _ in try await body(clients, quotes) }
    }

    /// The same, with the service's database (for a test that counts events in the outbox).
    static func hosted<Result: Sendable>(_ body: @Sendable (StageMoveTests.Clients, Quotes, Database) async throws -> Result) async throws
        -> Result
    {
        let bureau = NSTemporaryDirectory() + "bureau-\(UUID().uuidString).csv"
        try "credit_code,grade,note\n\(green),green,\n\(yellow),黄,两笔逾期已结清\n\(red),red,被列为失信被执行人\n"
            .write(toFile: bureau, atomically: true, encoding: .utf8)
        let environment = Environment(["SALES_OPPORTUNITIES_CREDIT_BUREAU": "file:\(bureau)", "SALES_ERP_DIR": erpFolder.path])
        return try await ServiceHarness.with(
            .opportunities, migrations: OpportunitiesServer.migrations,
            build: { try OpportunitiesServer.components($0, environment: environment) }
        ) { grpc, tokens, database in
            try await body(StageMoveTests.Clients(grpc, tokens: tokens), Quotes(wrapping: grpc), database)
        }
    }

    /// The file ERP's folder: one for all tests, as each test's tenant is its own.
    static let erpFolder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("sales-erp-tests", isDirectory: true)

    static func money(_ fen: Int64, _ currency: String = "CNY") -> Sales_Common_V1_Money {
        .with {
            $0.minorUnits = fen
            $0.currency = currency
        }
    }

    static func line(_ product: String, _ quantity: Int64, _ unitFen: Int64, discount: Int32 = 0, unitCost: Int64 = 0)
        -> Sales_Opportunities_V1_QuoteLine
    {
        .with {
            $0.product = product
            $0.quantity = quantity
            $0.unitListPrice = money(unitFen)
            $0.discountBasisPoints = discount
            $0.unitCost = money(unitCost)
        }
    }

    static func plan(_ parts: [(share: Int32, days: Int32)]) -> [Sales_Opportunities_V1_PlannedInstalment] {
        parts.map { part in
            .with {
                $0.shareBasisPoints = part.share
                $0.dueDays = part.days
            }
        }
    }

    @Test func linesArePricedToTheFenAndThePlanSumsToTheTotal() async throws {
        let people = StageMoveTests.People()
        try await Self.hosted { clients, quotes in
            let deal = try await clients.newDeal(by: people.rep)
            let quote = try await quotes.createQuote(
                .with {
                    $0.opportunityID = deal.id
                    // 3 × 33.33 = 99.99; 7 × 12.99 = 90.93 less 12.5% = 79.56375 → 79.56; 1 × 0.01 less 50% = 0.005 → 0.01.
                    $0.lines = [
                        Self.line("超声刀耗材", 3, 3_333, unitCost: 2_000), Self.line("腔镜维保", 7, 1_299, discount: 1_250, unitCost: 1_000),
                        Self.line("手写笔", 1, 1, discount: 5_000),
                    ]
                    $0.paymentPlan = Self.plan([(3_333, 0), (3_333, 30), (3_334, 60)])
                    $0.creditCode = Self.green
                }, metadata: try await clients.metadata(people.rep))
            #expect(quote.lines.map(\.price.minorUnits) == [9_999, 7_956, 1])
            #expect(quote.lines.map(\.cost.minorUnits) == [6_000, 7_000, 0])
            #expect(quote.total.minorUnits == 17_956 && quote.total.currency == "CNY")
            #expect(quote.cost.minorUnits == 13_000)
            #expect(quote.marginBasisPoints == 2_760, "(17,956 − 13,000) / 17,956 = 27.60%")
            // 5,984.73, 5,984.73 and 5,986.53 exactly: the two fen left go to the largest remainders.
            #expect(quote.paymentPlan.map(\.amount.minorUnits) == [5_985, 5_985, 5_986])
            #expect(quote.paymentPlan.map(\.amount.minorUnits).reduce(0, +) == quote.total.minorUnits)

            // 100.00 in three: 33.33, 33.33, 33.34 — never 99.99 or 100.01.
            let hundred = try await quotes.createQuote(
                .with {
                    $0.opportunityID = deal.id
                    $0.lines = [Self.line("年度服务", 1, 10_000)]
                    $0.paymentPlan = Self.plan([(3_333, 0), (3_333, 30), (3_334, 60)])
                }, metadata: try await clients.metadata(people.rep))
            #expect(hundred.paymentPlan.map(\.amount.minorUnits) == [3_333, 3_333, 3_334])
            // Without a plan: one instalment of the whole total, due on signing.
            let single = try await quotes.createQuote(
                .with {
                    $0.opportunityID = deal.id
                    $0.lines = [Self.line("年度服务", 3, 3_333)]
                }, metadata: try await clients.metadata(people.rep))
            #expect(single.paymentPlan.map(\.amount.minorUnits) == [9_999] && single.paymentPlan[0].dueDays == 0)

            let listed = try await quotes.listQuotes(.with { $0.opportunityID = deal.id }, metadata: try await clients.metadata(people.rep))
            #expect(listed.quotes.map(\.id) == [single.id, hundred.id, quote.id], "newest first")
            #expect(try await quotes.getQuote(.with { $0.id = quote.id }, metadata: try await clients.metadata(people.rep)) == quote)
        }
    }

    @Test func theCreditGradeComesFromTheBureauAndTheTermWithItsReasons() async throws {
        let people = StageMoveTests.People()
        try await Self.hosted { clients, quotes in
            _ = try await quotes.setCreditPolicy(
                .with {
                    $0.policy = .with {
                        $0.marginFloorBasisPoints = 1_850
                        $0.defaultTermDays = 90
                        $0.industryTerms = [
                            .with {
                                $0.industry = "医疗"; $0.benchmarkDays = 60
                            }
                        ]
                    }
                }, metadata: try await clients.metadata(people.admin))
            let deal = try await clients.newDeal(by: people.rep)
            func quote(code: String, days: Int32, industry: String = "医疗", unitCost: Int64 = 0) async throws -> Sales_Opportunities_V1_Quote {
                try await quotes.createQuote(
                    .with {
                        $0.opportunityID = deal.id
                        $0.lines = [Self.line("监护仪", 2, 5_000_000, unitCost: unitCost)]
                        $0.paymentPlan = Self.plan([(5_000, 0), (5_000, days)])
                        $0.creditCode = code
                        $0.industry = industry
                    }, metadata: try await clients.metadata(people.rep))
            }
            let green = try await quote(code: Self.green, days: 60)
            #expect(green.credit.grade == .green && !green.needsApproval)
            #expect(green.credit.findings.map(\.source).sorted() == ["bureau", "term"])
            #expect(green.credit.findings.contains { $0.reason == "the longest term, 60 days, is within the benchmark for 医疗 (60 days)" })

            let yellow = try await quote(code: Self.yellow, days: 30)
            #expect(yellow.credit.grade == .yellow && !yellow.needsApproval)
            #expect(yellow.credit.findings.first?.reason.hasSuffix("yellow: 两笔逾期已结清") == true, "worst first: \(yellow.credit.findings)")

            let red = try await quote(code: Self.red, days: 30)
            #expect(red.credit.grade == .red && red.needsApproval)
            #expect(red.approvalReasons == ["the credit grade is red: the credit bureau file rates \(Self.red) red: 被列为失信被执行人"])

            // A green company on 150 days where 医疗's benchmark is 60: red by the term alone.
            let long = try await quote(code: Self.green, days: 150)
            #expect(long.credit.grade == .red && long.needsApproval)
            #expect(long.credit.findings.first?.reason == "the longest term, 150 days, is more than twice the benchmark for 医疗 (60 days)")
            // Another industry uses the default 90 days: 120 is over it, not twice.
            let other = try await quote(code: Self.green, days: 120, industry: "教育")
            #expect(other.credit.grade == .yellow)
            #expect(other.credit.findings.first?.reason == "the longest term, 120 days, is longer than the tenant's default (90 days)")

            let unknown = try await quote(code: Self.unknown, days: 30)
            #expect(unknown.credit.grade == .yellow && unknown.credit.findings.first?.reason == "the credit bureau has no record of \(Self.unknown)")
            let noCode = try await quote(code: "", days: 30)
            #expect(noCode.credit.findings.first?.reason == "no credit code was given, so the credit bureau was not asked")

            // A thin margin needs approval whatever the grade: 10,000,000 at cost 4,200,000 a unit is 16%.
            let thin = try await quote(code: Self.green, days: 30, unitCost: 4_200_000)
            #expect(thin.credit.grade == .green && thin.marginBasisPoints == 1_600 && thin.needsApproval)
            #expect(thin.approvalReasons == ["the margin, 16.00%, is under the tenant's floor of 18.50%"])
        }
    }

    @Test func badInputNamesTheFieldAndStrangersSeeNothing() async throws {
        let cast = OpportunityEdgeTests.Cast()
        let admin = Caller(tenant: cast.rep.tenant, userID: "admin", roles: [.admin], orgPath: "/hq")
        try await Self.hosted { clients, quotes in
            let deal = try await clients.newDeal(by: cast.rep)
            let rep = try await clients.metadata(cast.rep)
            let good = Sales_Opportunities_V1_CreateQuoteRequest.with {
                $0.opportunityID = deal.id
                $0.lines = [Self.line("监护仪", 1, 100_000)]
            }
            func refusal(_ change: (inout Sales_Opportunities_V1_CreateQuoteRequest) -> Void) async -> RPCError? {
                var request = good
                change(&request)
                return await #expect(throws: RPCError.self) { try await quotes.createQuote(request, metadata: rep) }
            }
            let cases: [(String, (inout Sales_Opportunities_V1_CreateQuoteRequest) -> Void)] = [
                ("lines", { $0.lines = [] }),
                ("lines[0].product", { $0.lines[0].product = " " }),
                ("lines[0].product", { $0.lines[0].product = "监护\u{0}仪" }),
                ("lines[0].product", { $0.lines[0].product = String(repeating: "仪", count: 100_000) }),
                ("lines[0].quantity", { $0.lines[0].quantity = 0 }),
                ("lines[0].unit_list_price", { $0.lines[0].clearUnitListPrice() }),
                ("lines[0].unit_list_price.minor_units", { $0.lines[0].unitListPrice.minorUnits = -1 }),
                ("lines[0].discount_basis_points", { $0.lines[0].discountBasisPoints = 10_001 }),
                (
                    "lines[1].unit_list_price.currency",
                    {
                        $0.lines.append(Self.line("耗材", 1, 100))
                        $0.lines[1].unitListPrice.currency = "USD"
                        $0.lines[1].unitCost.currency = "USD"
                    }
                ),
                ("lines[0].unit_cost.currency", { $0.lines[0].unitCost.currency = "USD" }),
                (
                    "lines[0].quantity",
                    {
                        $0.lines[0].quantity = 1_000_000; $0.lines[0].unitListPrice.minorUnits = .max / 2
                    }
                ),
                ("payment_plan", { $0.paymentPlan = Self.plan([(5_000, 0), (4_999, 30)]) }),
                ("payment_plan[1].due_days", { $0.paymentPlan = Self.plan([(5_000, 30), (5_000, 10)]) }),
                ("payment_plan[0].due_days", { $0.paymentPlan = Self.plan([(10_000, 1_096)]) }),
                ("payment_plan[0].share_basis_points", { $0.paymentPlan = Self.plan([(0, 0), (10_000, 10)]) }),
                ("credit_code", { $0.creditCode = "91310000MA1K0GRN0X" }),
                ("opportunity_id", { $0.opportunityID = "not-a-uuid" }),
            ]
            for (field, change) in cases {
                let error = await refusal(change)
                #expect(error?.code == .invalidArgument, "\(field)")
                #expect(error?.message.hasPrefix("\(field):") == true, "\(field): \(error?.message ?? "")")
                #expect((error?.message.count ?? .max) < 400)
            }

            // The team's own manager sees the quote; the prefix sibling's manager and another tenant do not.
            let quote = try await quotes.createQuote(good, metadata: try await clients.metadata(cast.rep, key: "q-\(UUID().uuidString)"))
            #expect(try await quotes.getQuote(.with { $0.id = quote.id }, metadata: try await clients.metadata(cast.ownManager)) == quote)
            for outsider in [cast.prefixManager, cast.stranger] {
                let metadata = try await clients.metadata(outsider)
                let get = await #expect(throws: RPCError.self) { try await quotes.getQuote(.with { $0.id = quote.id }, metadata: metadata) }
                #expect(get?.code == .notFound && get?.message == "quote \(quote.id) not found")
                let list = await #expect(throws: RPCError.self) {
                    try await quotes.listQuotes(.with { $0.opportunityID = deal.id }, metadata: metadata)
                }
                #expect(list?.code == .notFound)
                let create = await #expect(throws: RPCError.self) { try await quotes.createQuote(good, metadata: metadata) }
                #expect(create?.code == .notFound)
            }

            // A retried create with its key is the same quote; the key from another user is their own call.
            let key = "quote-\(UUID().uuidString)"
            let first = try await quotes.createQuote(good, metadata: try await clients.metadata(cast.rep, key: key))
            let again = try await quotes.createQuote(good, metadata: try await clients.metadata(cast.rep, key: key))
            #expect(first == again)
            let theirs = await #expect(throws: RPCError.self) {
                try await quotes.createQuote(good, metadata: try await clients.metadata(cast.prefixManager, key: key))
            }
            #expect(theirs?.code == .notFound, "their own request: the deal is not theirs to see")

            // A closed deal takes no quotes.
            _ = try await clients.advance(deal.id, to: "输单", override: "客户取消采购", by: admin)
            let closed = await refusal { _ in }
            #expect(closed?.code == .failedPrecondition)

            // Only an administrator sets the policy, and a policy is checked.
            let denied = await #expect(throws: RPCError.self) {
                try await quotes.setCreditPolicy(.with { $0.policy = .with { $0.defaultTermDays = 90 } }, metadata: rep)
            }
            #expect(denied?.code == .permissionDenied)
            let policies: [(String, Sales_Opportunities_V1_CreditPolicy)] = [
                ("policy.default_term_days", .with { $0.defaultTermDays = 0 }),
                (
                    "policy.margin_floor_basis_points",
                    .with {
                        $0.defaultTermDays = 90; $0.marginFloorBasisPoints = 10_001
                    }
                ),
                (
                    "policy.industry_terms[1].industry",
                    .with {
                        $0.defaultTermDays = 90
                        $0.industryTerms = [
                            .with {
                                $0.industry = "医疗"; $0.benchmarkDays = 60
                            },
                            .with {
                                $0.industry = "医疗"; $0.benchmarkDays = 30
                            },
                        ]
                    }
                ),
            ]
            for (field, policy) in policies {
                let error = await #expect(throws: RPCError.self) {
                    try await quotes.setCreditPolicy(.with { $0.policy = policy }, metadata: try await clients.metadata(admin))
                }
                #expect(error?.code == .invalidArgument && error?.message.hasPrefix("\(field):") == true, "\(error?.message ?? "")")
            }
            #expect(try await quotes.getCreditPolicy(.init(), metadata: rep).marginFloorBasisPoints == 1_850, "the standard policy until one is set")
        }
    }

    @Test func aQuoteThatNeedsApprovalGoesThroughItsChainBeforeTheCustomerAcceptsIt() async throws {
        let people = StageMoveTests.People()
        let tenant = people.rep.tenant
        let manager = Caller(tenant: tenant, userID: "zhou.east", roles: [.manager], orgPath: "/east")
        let otherManager = Caller(tenant: tenant, userID: "qian.north", roles: [.manager], orgPath: "/north")
        let finance = Caller(tenant: tenant, userID: "sun.cw", roles: [.finance], orgPath: "/hq")
        let both = Caller(tenant: tenant, userID: "li.both", roles: [.manager, .finance], orgPath: "/east")
        try await Self.hosted { clients, quotes in
            let deal = try await clients.newDeal(by: people.rep)
            func create(_ code: String) async throws -> Sales_Opportunities_V1_Quote {
                try await quotes.createQuote(
                    .with {
                        $0.opportunityID = deal.id
                        $0.lines = [Self.line("监护仪", 2, 5_000_000, unitCost: 3_000_000)]
                        $0.creditCode = code
                    }, metadata: try await clients.metadata(people.rep))
            }
            func decide(_ id: String, _ approve: Bool, _ comment: String = "", as caller: Caller) async throws -> Sales_Opportunities_V1_Quote {
                try await quotes.decideQuote(
                    .with {
                        $0.id = id
                        $0.approve = approve
                        $0.comment = comment
                    }, metadata: try await clients.metadata(caller))
            }
            func refused(_ id: String, _ approve: Bool, _ comment: String = "", as caller: Caller) async -> RPCError? {
                await #expect(throws: RPCError.self) { try await decide(id, approve, comment, as: caller) }
            }
            func accept(_ id: String) async throws -> Sales_Opportunities_V1_Quote {
                try await quotes.acceptQuote(.with { $0.id = id }, metadata: try await clients.metadata(people.rep))
            }

            let red = try await create(Self.red)
            #expect(red.state == .pendingApproval && red.approvals.map(\.approver) == [.manager, .finance])
            let early = await #expect(throws: RPCError.self) { try await accept(red.id) }
            #expect(early?.code == .failedPrecondition)
            #expect(early?.message == "quote \(red.id) waits for approval: step 1 of 2, a manager of /east/east-sh, has not decided")

            #expect(await refused(red.id, true, as: finance)?.code == .permissionDenied, "step 1 is a manager's")
            #expect(await refused(red.id, true, as: people.rep)?.code == .permissionDenied, "never the deal's own rep")
            #expect(await refused(red.id, true, as: otherManager)?.code == .notFound, "another branch's manager cannot see the deal")
            #expect(await refused(red.id, true, as: people.stranger)?.code == .notFound)

            let first = try await decide(red.id, true, "价格可以", as: manager)
            #expect(first.state == .pendingApproval && first.approvals[0].decidedBy == "zhou.east" && first.approvals[0].approved)
            #expect(await refused(red.id, true, as: manager)?.code == .permissionDenied, "step 2 is finance's")
            let noReason = await refused(red.id, false, as: finance)
            #expect(noReason?.code == .invalidArgument && noReason?.message.hasPrefix("comment:") == true)
            let approved = try await decide(red.id, true, as: finance)
            #expect(approved.state == .ready && approved.approvals.allSatisfy(\.approved))
            #expect(await refused(red.id, true, as: finance)?.code == .failedPrecondition, "nothing left to decide")

            let accepted = try await accept(red.id)
            #expect(accepted.state == .accepted && accepted.acceptedBy == "li.na" && accepted.hasAcceptedAt)
            #expect(try await accept(red.id) == accepted, "accepting again changes nothing")
            #expect(try await quotes.getQuote(.with { $0.id = red.id }, metadata: try await clients.metadata(people.rep)) == accepted)

            // A rejection ends the quote, with the approver's reason.
            let rejected = try await create(Self.red)
            _ = try await decide(rejected.id, false, "账期太长，改成 30 天", as: manager)
            let late = await #expect(throws: RPCError.self) { try await accept(rejected.id) }
            #expect(late?.code == .failedPrecondition && late?.message.contains("账期太长，改成 30 天") == true)

            // One person holding both roles decides one step only.
            let twice = try await create(Self.red)
            _ = try await decide(twice.id, true, as: both)
            #expect(await refused(twice.id, true, as: both)?.code == .permissionDenied)

            // A quote that needs no approval is ready at once.
            let green = try await create(Self.green)
            #expect(green.state == .ready && green.approvals.isEmpty && !green.needsApproval)
            #expect(try await accept(green.id).state == .accepted)

            // The chain is the tenant's: each approver once, only known approvers.
            let admin = try await clients.metadata(people.admin)
            for (chain, field) in [
                ([Sales_Opportunities_V1_Approver.manager, .manager], "policy.approval_chain[1]"), ([.unspecified], "policy.approval_chain[0]"),
            ] {
                let error = await #expect(throws: RPCError.self) {
                    try await quotes.setCreditPolicy(
                        .with {
                            $0.policy = .with {
                                $0.defaultTermDays = 90; $0.approvalChain = chain
                            }
                        }, metadata: admin)
                }
                #expect(error?.code == .invalidArgument && error?.message.hasPrefix("\(field):") == true, "\(error?.message ?? "")")
            }
            _ = try await quotes.setCreditPolicy(
                .with {
                    $0.policy = .with {
                        $0.defaultTermDays = 90; $0.marginFloorBasisPoints = 1_850; $0.approvalChain = [.admin]
                    }
                }, metadata: admin)
            #expect(try await create(Self.red).approvals.map(\.approver) == [.admin])
            #expect(red.approvals.count == 2, "a quote keeps the chain it was created under")
        }
    }

    /// The three values that were once holes: a NUL, another control character, 100 KB.
    static let badTexts = ["批注\u{0}", "批注\u{7}", String(repeating: "长", count: 100_000)]

    /// Each call refuses each bad text with INVALID_ARGUMENT naming the field and quoting a short prefix.
    static func expectRefused(_ calls: [(field: String, call: @Sendable (String) async throws -> Void)]) async {
        for (field, call) in calls {
            for text in badTexts {
                let error = await #expect(throws: RPCError.self) { try await call(text) }
                #expect(error?.code == .invalidArgument, "\(field)")
                #expect(error?.message.hasPrefix("\(field):") == true, "\(field): \(error?.message.prefix(120) ?? "")")
                #expect((error?.message.count ?? .max) < 400, "\(field): the value is quoted by a short prefix")
            }
        }
    }

    @Test func everyTextFieldRefusesNULControlCharactersAndHugeValuesByName() async throws {
        let cast = OpportunityEdgeTests.Cast()
        let admin = Caller(tenant: cast.rep.tenant, userID: "admin", roles: [.admin], orgPath: "/hq")
        try await Self.hosted { clients, quotes in
            let deal = try await clients.newDeal(by: cast.rep)
            let rep = try await clients.metadata(cast.rep)
            let manager = try await clients.metadata(cast.ownManager)
            let adminMetadata = try await clients.metadata(admin)
            let good = Sales_Opportunities_V1_CreateQuoteRequest.with {
                $0.opportunityID = deal.id
                $0.lines = [Self.line("监护仪", 1, 100_000)]
            }
            let red = try await quotes.createQuote(
                .with {
                    $0.opportunityID = deal.id
                    $0.lines = [Self.line("监护仪", 1, 100_000)]
                    $0.creditCode = Self.red
                }, metadata: rep)
            func create(_ change: @escaping @Sendable (inout Sales_Opportunities_V1_CreateQuoteRequest, String) -> Void)
                -> @Sendable (String) async throws -> Void
            {
                { text in
                    var request = good
                    change(&request, text)
                    _ = try await quotes.createQuote(request, metadata: rep)
                }
            }
            await Self.expectRefused([
                ("opportunity_id", create { $0.opportunityID = $1 }),
                ("lines[0].product", create { $0.lines[0].product = $1 }),
                ("lines[0].unit_list_price.currency", create { $0.lines[0].unitListPrice.currency = $1 }),
                ("credit_code", create { $0.creditCode = $1 }),
                ("industry", create { $0.industry = $1 }),
                ("id", { text in _ = try await quotes.getQuote(.with { $0.id = text }, metadata: rep) }),
                ("opportunity_id", { text in _ = try await quotes.listQuotes(.with { $0.opportunityID = text }, metadata: rep) }),
                (
                    "id",
                    { text in
                        _ = try await quotes.decideQuote(
                            .with {
                                $0.id = text; $0.approve = true
                            }, metadata: manager)
                    }
                ),
                (
                    "comment",
                    { text in
                        _ = try await quotes.decideQuote(
                            .with {
                                $0.id = red.id; $0.comment = text
                            }, metadata: manager)
                    }
                ),
                ("id", { text in _ = try await quotes.acceptQuote(.with { $0.id = text }, metadata: rep) }),
                (
                    "policy.industry_terms[0].industry",
                    { text in
                        _ = try await quotes.setCreditPolicy(
                            .with {
                                $0.policy = .with {
                                    $0.defaultTermDays = 90
                                    $0.industryTerms = [
                                        .with {
                                            $0.industry = text; $0.benchmarkDays = 60
                                        }
                                    ]
                                }
                            }, metadata: adminMetadata)
                    }
                ),
            ])
            #expect(try await quotes.getQuote(.with { $0.id = red.id }, metadata: rep).state == .pendingApproval, "nothing was decided")
        }
    }

    @Test func deciderAndAcceptorSeeTheQuoteOnlyThroughItsDeal() async throws {
        let cast = OpportunityEdgeTests.Cast()
        try await Self.hosted { clients, quotes in
            let deal = try await clients.newDeal(by: cast.rep)
            let quote = try await quotes.createQuote(
                .with {
                    $0.opportunityID = deal.id
                    $0.lines = [Self.line("监护仪", 1, 100_000)]
                    $0.creditCode = Self.red
                }, metadata: try await clients.metadata(cast.rep))
            // The manager at the string-prefix sibling /north/n and another tenant: NOT_FOUND, the quote untouched.
            for outsider in [cast.prefixManager, cast.stranger] {
                let metadata = try await clients.metadata(outsider)
                let decide = await #expect(throws: RPCError.self) {
                    try await quotes.decideQuote(
                        .with {
                            $0.id = quote.id; $0.approve = true
                        }, metadata: metadata)
                }
                #expect(decide?.code == .notFound && decide?.message == "quote \(quote.id) not found")
                let accept = await #expect(throws: RPCError.self) { try await quotes.acceptQuote(.with { $0.id = quote.id }, metadata: metadata) }
                #expect(accept?.code == .notFound)
            }
            // The team's own manager decides the first step; the same key from the prefix sibling's
            // manager is their own request (NOT_FOUND), never the stored answer with the quote.
            let key = "decide-\(UUID().uuidString)"
            let request = Sales_Opportunities_V1_DecideQuoteRequest.with {
                $0.id = quote.id; $0.approve = true
            }
            let decided = try await quotes.decideQuote(request, metadata: try await clients.metadata(cast.ownManager, key: key))
            #expect(decided.approvals[0].decidedBy == cast.ownManager.userID)
            #expect(try await quotes.decideQuote(request, metadata: try await clients.metadata(cast.ownManager, key: key)) == decided)
            let replayed = await #expect(throws: RPCError.self) {
                try await quotes.decideQuote(request, metadata: try await clients.metadata(cast.prefixManager, key: key))
            }
            #expect(replayed?.code == .notFound)
            #expect(try await quotes.getQuote(.with { $0.id = quote.id }, metadata: try await clients.metadata(cast.rep)) == decided)
        }
    }
}
