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
    /// Issue 12, point 1, over real gRPC against the opportunities executable: the plans offered
    /// fit the customer's credit and budget and split to the fen; a red or thin-margin quote goes
    /// through the tenant's approval chain, each step by its own approver, before the customer may
    /// accept it; a rejection ends it with the approver's reason.
    @Suite struct QuoteApprovalFlowTests {
        let cast = QuoteToCashCast("approve")
        /// Codes the stack's file bureau grades green and red.
        static func code(graded grade: String) -> String { DemoCompanies.all.first { $0.credit.grade == grade }!.code.rawValue }

        @Test func offeredPlansFitTheCreditAndARedQuoteIsApprovedStepByStep() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            try await client.with(.opportunities) { grpc in
                let desk = QuoteToCashDesk(client: client, grpc: grpc, rep: cast.rep)
                let quotes = desk.quotes
                _ = try await quotes.setCreditPolicy(
                    .with {
                        $0.policy = .with {
                            $0.marginFloorBasisPoints = 1_850; $0.defaultTermDays = 90
                            $0.industryTerms = [
                                .with {
                                    $0.industry = "医疗"; $0.benchmarkDays = 60
                                }
                            ]
                        }
                    }, metadata: try await client.metadata(cast.admin))
                let deal = try await desk.negotiatingDeal("监护仪集采", customer: "华山医院", amount: 128_000_000)

                // Plans: green credit up to the industry's 60 days, each to the fen; red pays at signing.
                func offers(_ grade: String, budget: Int64? = nil, as caller: Caller? = nil) async throws
                    -> Sales_Opportunities_V1_OfferPaymentPlansResponse
                {
                    try await quotes.offerPaymentPlans(
                        .with {
                            $0.opportunityID = deal.id; $0.creditCode = Self.code(graded: grade); $0.industry = "医疗"
                            if let budget { $0.budgetPerMonth = .cny(budget) }
                        }, metadata: try await client.metadata(caller ?? cast.rep))
                }
                let green = try await offers("green")
                #expect(green.credit.grade == .green && green.longestDaysAllowed == 60)
                #expect(green.offers.map(\.name) == ["一次付清", "两期 50/50", "三期 30/40/30"])
                #expect(green.offers.allSatisfy { $0.paymentPlan.reduce(0) { $0 + $1.amount.minorUnits } == 128_000_000 && $0.longestDays <= 60 })
                let tight = try await offers("green", budget: 50_000_000)
                #expect(tight.offers.map(\.name) == ["按月等额 3 期"], "only equal monthly parts stay within 500,000.00 a month")
                #expect(tight.offers.first?.paymentPlan.map(\.amount.minorUnits) == [42_675_200, 42_662_400, 42_662_400])
                let red = try await offers("red")
                #expect(red.credit.grade == .red && red.offers.map(\.name) == ["一次付清"])
                let badBudget = await refusal {
                    try await quotes.offerPaymentPlans(
                        .with {
                            $0.opportunityID = deal.id;
                            $0.budgetPerMonth = .with {
                                $0.minorUnits = 100; $0.currency = "USD"
                            }
                        }, metadata: try await client.metadata(cast.rep))
                }
                #expect(badBudget?.code == .invalidArgument && badBudget?.message.hasPrefix("budget_per_month.currency") == true)
                #expect(await refusal { try await offers("green", as: cast.stranger) }?.code == .notFound)

                // The offered three-part plan on green credit and a healthy margin: ready at once.
                let plan = green.offers[2].paymentPlan.map { (share: $0.shareBasisPoints, days: $0.dueDays) }
                let ready = try await desk.quote(deal, fen: 128_000_000, plan: plan, creditCode: Self.code(graded: "green"), unitCost: 80_000_000)
                #expect(ready.state == .ready && !ready.needsApproval && ready.approvals.isEmpty)
                #expect(ready.paymentPlan.map(\.amount.minorUnits) == [38_400_000, 51_200_000, 38_400_000])

                // Red credit: the tenant's chain, a manager of the deal's team and then finance.
                func decide(_ quote: Sales_Opportunities_V1_Quote, _ approve: Bool, _ comment: String = "", as caller: Caller) async throws
                    -> Sales_Opportunities_V1_Quote
                {
                    try await quotes.decideQuote(
                        .with {
                            $0.id = quote.id; $0.approve = approve; $0.comment = comment
                        }, metadata: try await client.metadata(caller))
                }
                let risky = try await desk.quote(deal, fen: 128_000_000, plan: plan, creditCode: Self.code(graded: "red"), unitCost: 80_000_000)
                #expect(risky.state == .pendingApproval && risky.approvals.map(\.approver) == [.manager, .finance])
                #expect(risky.approvalReasons.contains { $0.hasPrefix("the credit grade is red: ") }, "\(risky.approvalReasons)")
                let early = await refusal { try await desk.accept(risky) }
                #expect(early?.code == .failedPrecondition)
                #expect(early?.message == "quote \(risky.id) waits for approval: step 1 of 2, a manager of /east/east-sh, has not decided")
                #expect(await refusal { try await decide(risky, true, as: cast.finance) }?.code == .permissionDenied)
                #expect(await refusal { try await decide(risky, true, as: cast.rep) }?.code == .permissionDenied)
                #expect(await refusal { try await decide(risky, true, as: cast.siblingManager) }?.code == .notFound)
                #expect(await refusal { try await decide(risky, true, as: cast.stranger) }?.code == .notFound)
                let first = try await decide(risky, true, "客户是老客户，同意", as: cast.manager)
                #expect(first.state == .pendingApproval && first.approvals[0].decidedBy == cast.manager.userID && first.approvals[0].approved)
                let noReason = await refusal { try await decide(risky, false, as: cast.finance) }
                #expect(noReason?.code == .invalidArgument && noReason?.message.hasPrefix("comment:") == true)
                #expect(try await decide(risky, true, as: cast.finance).state == .ready)
                let accepted = try await desk.accept(risky)
                #expect(accepted.state == .accepted && accepted.acceptedBy == cast.rep.userID)
                #expect(try await desk.accept(risky) == accepted, "accepting again changes nothing")

                // A margin under the floor: rejected by the manager, whose reason ends the quote.
                let thin = try await desk.quote(deal, fen: 128_000_000, plan: plan, creditCode: Self.code(graded: "green"), unitCost: 115_000_000)
                #expect(thin.approvalReasons == ["the margin, 10.15%, is under the tenant's floor of 18.50%"], "\(thin.approvalReasons)")
                _ = try await decide(thin, false, "毛利太低，重新报价", as: cast.manager)
                let late = await refusal { try await desk.accept(thin) }
                #expect(late?.code == .failedPrecondition && late?.message.contains("毛利太低，重新报价") == true, "\(late?.message ?? "")")

                // The chain is the tenant's to change; a quote keeps the chain it was made under.
                _ = try await quotes.setCreditPolicy(
                    .with {
                        $0.policy = .with {
                            $0.marginFloorBasisPoints = 1_850; $0.defaultTermDays = 90; $0.approvalChain = [.admin]
                        }
                    }, metadata: try await client.metadata(cast.admin))
                let byAdmin = try await desk.quote(deal, fen: 128_000_000, plan: plan, creditCode: Self.code(graded: "red"))
                #expect(byAdmin.approvals.map(\.approver) == [.admin])
                let kept = try await quotes.getQuote(.with { $0.id = risky.id }, metadata: try await client.metadata(cast.rep))
                #expect(kept.approvals.map(\.approver) == [.manager, .finance])
            }
        }
    }
}
