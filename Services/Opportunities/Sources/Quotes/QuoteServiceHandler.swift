import Foundation
import GRPCCore
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// sales.opportunities.v1.QuoteService: quotes on deals the caller can see, priced to the fen and
/// screened for credit when created; the tenant's margin floor and term benchmarks.
struct QuoteServiceHandler: Sales_Opportunities_V1_QuoteService.SimpleServiceProtocol {
    let deals: OpportunityStore
    let quotes: QuoteStore
    let bureau: (any CreditBureau)?
    /// The customer's own payment record, in the tenant's calendar.
    let receivables: ReceivableStore
    let calendars: TenantCalendars

    func createQuote(request: Sales_Opportunities_V1_CreateQuoteRequest, context: ServerContext) async throws -> Sales_Opportunities_V1_Quote {
        let caller = try RequestContext.caller()
        let dealID = try Require.uuid(request.opportunityID, field: "opportunity_id")
        let draft = try QuoteDraft(lines: request.lines, plan: request.paymentPlan)
        let industry = try Require.optionalText(request.industry, field: "industry", maxLength: 50)
        let code = try Self.creditCode(request.creditCode)
        // Seen before the screen too: the bureau is not asked for a deal the caller cannot see, and it
        // is asked outside the transaction, so its answer time holds no lock.
        let seen = try await deals.visible(dealID, for: caller)
        let policy = try await quotes.policy(tenant: caller.tenant)
        let today = await calendars.today(for: caller.tenant)
        var history: PaymentHistory?
        if let customer = seen.customerID { history = try await receivables.history(of: customer, tenant: caller.tenant, today: today) }
        let screening = CreditScreening(
            bureau: await answer(for: code), termDays: draft.termDays, industry: industry, policy: policy, history: history)
        let logger = RequestContext.logger
        return try await Idempotency.run("CreateQuote", request: request, database: deals.database) { connection in
            let deal = try await deals.visible(dealID, for: caller, on: connection)
            guard deal.stage != .won, deal.stage != .lost else {
                throw ServiceError.failedPrecondition("the deal is \(deal.stageKey) already; quotes are made on open deals")
            }
            let quote = Self.quote(draft, screening: screening, policy: policy, deal: deal, code: code, industry: industry, by: caller)
            try await quotes.insert(quote, tenant: caller.tenant, on: connection, logger: logger)
            return quote
        }
    }

    func getQuote(request: Sales_Opportunities_V1_GetQuoteRequest, context: ServerContext) async throws -> Sales_Opportunities_V1_Quote {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.id, field: "id")
        return try await quotes.visible(id, for: caller, deals: deals).quote
    }

    func listQuotes(
        request: Sales_Opportunities_V1_ListQuotesRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_ListQuotesResponse {
        let caller = try RequestContext.caller()
        let deal = try await deals.visible(try Require.uuid(request.opportunityID, field: "opportunity_id"), for: caller)
        let quotes = try await quotes.quotes(of: deal.id, tenant: caller.tenant)
        return .with { $0.quotes = quotes }
    }

    func decideQuote(request: Sales_Opportunities_V1_DecideQuoteRequest, context: ServerContext) async throws -> Sales_Opportunities_V1_Quote {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.id, field: "id")
        let comment = try Require.optionalText(request.comment, field: "comment", maxLength: 500)
        return try await changing(id, for: caller, method: "DecideQuote", request: request) { quote, deal in
            try QuoteApproval.decide(&quote, approve: request.approve, comment: comment, deal: deal, by: caller, at: Date())
        }
    }

    func acceptQuote(request: Sales_Opportunities_V1_AcceptQuoteRequest, context: ServerContext) async throws -> Sales_Opportunities_V1_Quote {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.id, field: "id")
        return try await changing(id, for: caller, method: "AcceptQuote", request: request) { quote, deal in
            try QuoteApproval.accept(&quote, deal: deal, by: caller, at: Date())
        }
    }

    /// Locks the quote, checks its deal is the caller's to see (NOT_FOUND otherwise, like the
    /// deal), applies `change` and writes the quote back, in one transaction.
    private func changing(
        _ id: UUID, for caller: Caller, method: String, request: some SwiftProtobuf.Message,
        change: @Sendable (inout Sales_Opportunities_V1_Quote, Opportunity) throws -> Void
    ) async throws -> Sales_Opportunities_V1_Quote {
        let logger = RequestContext.logger
        return try await Idempotency.run(method, request: request, database: deals.database) { connection in
            var (quote, deal) = try await quotes.visible(id, for: caller, deals: deals, lock: true, on: connection)
            let before = quote
            try change(&quote, deal)
            if quote != before { try await quotes.update(quote, tenant: caller.tenant, on: connection, logger: logger) }
            return quote
        }
    }

    func getCreditPolicy(
        request: Sales_Opportunities_V1_GetCreditPolicyRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_CreditPolicy {
        let caller = try RequestContext.caller()
        return try await quotes.policy(tenant: caller.tenant).message
    }

    func setCreditPolicy(
        request: Sales_Opportunities_V1_SetCreditPolicyRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_CreditPolicy {
        let caller = try RequestContext.caller(allowedTo: .administer, "setting the credit policy")
        let policy = try CreditPolicy(request.policy)
        try await quotes.save(policy, tenant: caller.tenant, by: caller)
        return policy.message
    }

    func offerPaymentPlans(request: Sales_Opportunities_V1_OfferPaymentPlansRequest, context: ServerContext) async throws
        -> Sales_Opportunities_V1_OfferPaymentPlansResponse
    {
        let caller = try RequestContext.caller()
        let deal = try await deals.visible(try Require.uuid(request.opportunityID, field: "opportunity_id"), for: caller)
        let total = request.hasTotal ? try request.total.validated(field: "total") : deal.amount
        guard total.minorUnits > 0 else {
            throw ServiceError.invalidArgument(field: "total", rule: "must be more than zero (the deal's amount is zero)")
        }
        var budget: Money?
        if request.hasBudgetPerMonth {
            let given = try request.budgetPerMonth.validated(field: "budget_per_month")
            guard given.currency == total.currency else {
                throw ServiceError.invalidArgument(field: "budget_per_month.currency", rule: "must be the total's currency, \(total.currency.code)")
            }
            budget = given
        }
        let industry = try Require.optionalText(request.industry, field: "industry", maxLength: 50)
        let code = try Self.creditCode(request.creditCode)
        let policy = try await quotes.policy(tenant: caller.tenant)
        var history: PaymentHistory?
        if let customer = deal.customerID {
            history = try await receivables.history(of: customer, tenant: caller.tenant, today: await calendars.today(for: caller.tenant))
        }
        // The customer's credit alone: no term is being judged yet.
        let credit = CreditScreening(bureau: await answer(for: code), termDays: nil, industry: industry, policy: policy, history: history).message
        let benchmark = policy.benchmarkDays(for: industry)
        let longest = PaymentPlanOffers.longestDays(grade: credit.grade, benchmark: benchmark)
        let (offers, notOffered) = PaymentPlanOffers(
            total: total, budgetPerMonth: budget, longestDays: longest,
            benchmarkLabel: "\(industry.isEmpty ? "默认" : industry)基准 \(benchmark) 天，信用 \(CreditScreening.name(credit.grade))"
        ).offers()
        return .with {
            $0.offers = offers
            $0.credit = credit
            $0.longestDaysAllowed = longest
            $0.notOffered = notOffered
        }
    }

    private func answer(for code: CreditCode?) async -> CreditScreening.BureauAnswer {
        guard let code else { return .noCode }
        guard let bureau else { return .noBureau }
        switch await bureau.report(for: code) {
        case .found(let report): return .report(report)
        case .notFound: return .noRecord(code: code.rawValue)
        case .unavailable(let why): return .unanswered(why)
        }
    }

    private static func creditCode(_ text: String) throws(ServiceError) -> CreditCode? {
        guard !text.isEmpty else { return nil }
        guard let code = CreditCode(text) else {
            throw .invalidArgument(
                field: "credit_code", rule: "\(quoted: text) is not a unified social credit code (18 characters, check character verified)")
        }
        return code
    }

    static func quote(
        _ draft: QuoteDraft, screening: CreditScreening, policy: CreditPolicy, deal: Opportunity, code: CreditCode?, industry: String,
        by caller: Caller
    ) -> Sales_Opportunities_V1_Quote {
        var approvalReasons: [String] = []
        if draft.marginBasisPoints < policy.marginFloorBasisPoints {
            approvalReasons.append(
                "the margin, \(percent(draft.marginBasisPoints)), is under the tenant's floor of \(percent(policy.marginFloorBasisPoints))")
        }
        if screening.grade == .red, let red = screening.findings.first(where: { $0.grade == .red }) {
            approvalReasons.append("the credit grade is red: \(red.reason)")
        }
        return .with {
            $0.id = UUID.random().apiString
            $0.opportunityID = deal.id.apiString
            $0.lines = draft.lines.map { line in
                .with {
                    $0.product = line.product
                    $0.quantity = line.quantity
                    $0.unitListPrice = .init(line.unitListPrice)
                    $0.discountBasisPoints = line.discountBasisPoints
                    $0.unitCost = .init(line.unitCost)
                    $0.price = .init(line.price)
                    $0.cost = .init(line.cost)
                }
            }
            $0.paymentPlan = draft.plan.map { instalment in
                .with {
                    $0.shareBasisPoints = instalment.shareBasisPoints
                    $0.dueDays = instalment.dueDays
                    $0.amount = .init(instalment.amount)
                }
            }
            $0.total = .init(draft.total)
            $0.cost = .init(draft.cost)
            $0.marginBasisPoints = draft.marginBasisPoints
            $0.credit = screening.message
            $0.needsApproval = !approvalReasons.isEmpty
            $0.approvalReasons = approvalReasons
            $0.approvals = QuoteApproval.steps(needed: !approvalReasons.isEmpty, chain: policy.approvalChain)
            $0.state = approvalReasons.isEmpty ? .ready : .pendingApproval
            $0.creditCode = code?.rawValue ?? ""
            $0.industry = industry
            $0.createdBy = caller.userID
            $0.createdAt = Google_Protobuf_Timestamp(date: Date())
        }
    }

    /// 1,850 basis points → "18.50%".
    static func percent(_ basisPoints: Int32) -> String {
        let sign = basisPoints < 0 ? "-" : ""
        let magnitude = basisPoints.magnitude
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)%"
    }
}

extension CreditPolicy {
    init(_ message: Sales_Opportunities_V1_CreditPolicy) throws(ServiceError) {
        guard (0...10_000).contains(message.marginFloorBasisPoints) else {
            throw .invalidArgument(
                field: "policy.margin_floor_basis_points", rule: "must be 0 to 10,000 (1,850 is 18.5%); got \(message.marginFloorBasisPoints)")
        }
        guard (1...QuoteDraft.longestTermDays).contains(message.defaultTermDays) else {
            throw .invalidArgument(
                field: "policy.default_term_days", rule: "must be 1 to \(QuoteDraft.longestTermDays) days; got \(message.defaultTermDays)")
        }
        guard message.industryTerms.count <= 200 else {
            throw .invalidArgument(field: "policy.industry_terms", rule: "at most 200 industries; got \(message.industryTerms.count)")
        }
        var terms: [String: Int32] = [:]
        for (index, term) in message.industryTerms.enumerated() {
            let industry = try Require.text(term.industry, field: "policy.industry_terms[\(index)].industry", maxLength: 50)
            guard terms[industry] == nil else {
                throw .invalidArgument(field: "policy.industry_terms[\(index)].industry", rule: "\(quoted: industry) is listed twice")
            }
            guard (1...QuoteDraft.longestTermDays).contains(term.benchmarkDays) else {
                throw .invalidArgument(
                    field: "policy.industry_terms[\(index)].benchmark_days",
                    rule: "must be 1 to \(QuoteDraft.longestTermDays) days; got \(term.benchmarkDays)")
            }
            terms[industry] = term.benchmarkDays
        }
        let chain = message.approvalChain.isEmpty ? CreditPolicy.standard.approvalChain : message.approvalChain
        guard chain.count <= 5 else {
            throw .invalidArgument(field: "policy.approval_chain", rule: "at most 5 steps; got \(chain.count)")
        }
        for (index, approver) in chain.enumerated() {
            switch approver {
            case .manager, .finance, .admin: break
            case .unspecified, .UNRECOGNIZED:
                throw .invalidArgument(field: "policy.approval_chain[\(index)]", rule: "must be a manager, finance or an administrator")
            }
            guard !chain[..<index].contains(approver) else {
                throw .invalidArgument(field: "policy.approval_chain[\(index)]", rule: "each approver decides one step; \(approver) is listed twice")
            }
        }
        self.init(
            marginFloorBasisPoints: message.marginFloorBasisPoints, defaultTermDays: message.defaultTermDays, industryTerms: terms,
            approvalChain: chain)
    }

    var message: Sales_Opportunities_V1_CreditPolicy {
        .with {
            $0.marginFloorBasisPoints = marginFloorBasisPoints
            $0.defaultTermDays = defaultTermDays
            $0.industryTerms = industryTerms.sorted { $0.key < $1.key }.map { industry, days in
                .with {
                    $0.industry = industry
                    $0.benchmarkDays = days
                }
            }
            $0.approvalChain = approvalChain
        }
    }
}
