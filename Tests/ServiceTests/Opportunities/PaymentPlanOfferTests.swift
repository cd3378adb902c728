import Foundation
import GRPCCore
import OpportunitiesService
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

/// Up to three instalment plans that fit the customer's credit (green to the term benchmark,
/// yellow to half of it, red paid at signing) and monthly budget, each split to the fen; and what
/// did not fit, with why.
@Suite struct PaymentPlanOfferTests {
    @Test func offersFitTheCreditAndTheBudgetAndSplitToTheFen() async throws {
        let people = StageMoveTests.People()
        try await QuoteTests.hosted { clients, quotes in
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
                }, metadata: try await clients.metadata(people.admin))
            let deal = try await clients.newDeal(by: people.rep)
            func offer(_ code: String, budget: Int64? = nil, total: Int64? = nil, as caller: Caller? = nil) async throws
                -> Sales_Opportunities_V1_OfferPaymentPlansResponse
            {
                try await quotes.offerPaymentPlans(
                    .with {
                        $0.opportunityID = deal.id
                        $0.creditCode = code
                        $0.industry = "医疗"
                        if let budget { $0.budgetPerMonth = QuoteTests.money(budget) }
                        if let total { $0.total = QuoteTests.money(total) }
                    }, metadata: try await clients.metadata(caller ?? people.rep))
            }
            // Green, no budget: in full, then the two plans reaching the 60-day benchmark.
            let green = try await offer(QuoteTests.green)
            #expect(green.credit.grade == .green && green.longestDaysAllowed == 60)
            #expect(green.offers.map(\.name) == ["一次付清", "两期 50/50", "三期 30/40/30"])
            #expect(green.offers[2].paymentPlan.map(\.dueDays) == [0, 30, 60])
            #expect(green.offers.allSatisfy { $0.paymentPlan.reduce(0) { $0 + $1.amount.minorUnits } == 128_000_000 })

            // A budget of 500,000.00 a month: only equal monthly parts carry 1,280,000.00 in 60 days.
            let tight = try await offer(QuoteTests.green, budget: 50_000_000)
            #expect(tight.offers.map(\.name) == ["按月等额 3 期"])
            #expect(tight.offers[0].paymentPlan.map(\.amount.minorUnits) == [42_675_200, 42_662_400, 42_662_400])
            #expect(tight.notOffered.count == 3 && tight.notOffered[0].hasPrefix("一次付清：30 天内要付"))

            // Yellow: half the benchmark. Red: paid in full at signing, and with a budget nothing fits.
            let yellow = try await offer(QuoteTests.yellow)
            #expect(yellow.longestDaysAllowed == 30 && yellow.offers.map(\.longestDays) == [0, 30, 30])
            let red = try await offer(QuoteTests.red)
            #expect(red.credit.grade == .red && red.offers.map(\.name) == ["一次付清"])
            #expect(red.notOffered.allSatisfy { $0.hasSuffix("信用只允许签约时一次付清") })
            #expect(try await offer(QuoteTests.red, budget: 50_000_000).offers.isEmpty)

            // 100.00 in three: 30/40/30 exactly; equal monthly parts lose no fen.
            let hundred = try await offer(QuoteTests.green, budget: 3_400, total: 10_000)
            #expect(hundred.offers.first { $0.name == "按月等额 3 期" }?.paymentPlan.map(\.amount.minorUnits) == [3_334, 3_333, 3_333])

            // Bad input, another tenant's deal.
            let cases: [(String, @Sendable (inout Sales_Opportunities_V1_OfferPaymentPlansRequest) -> Void)] = [
                ("budget_per_month.currency", { $0.budgetPerMonth = QuoteTests.money(100, "USD") }),
                ("total", { $0.total = QuoteTests.money(-5) }),
                ("credit_code", { $0.creditCode = "12345" }),
            ]
            for (field, change) in cases {
                var request = Sales_Opportunities_V1_OfferPaymentPlansRequest.with { $0.opportunityID = deal.id }
                change(&request)
                let frozen = request
                let error = await #expect(throws: RPCError.self) {
                    try await quotes.offerPaymentPlans(frozen, metadata: try await clients.metadata(people.rep))
                }
                #expect(error?.code == .invalidArgument && error?.message.hasPrefix(field) == true, "\(error?.message ?? "")")
            }
            let stranger = Caller(tenant: TenantID("other-\(UInt32.random(in: 0...UInt32.max))")!, userID: "x", roles: [.admin], orgPath: "/")
            let hidden = await #expect(throws: RPCError.self) { try await offer(QuoteTests.green, as: stranger) }
            #expect(hidden?.code == .notFound)
        }
    }
}
