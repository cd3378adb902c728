import Foundation
import GRPCCore
import OpportunitiesService
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

/// The quotes' credit pre-screen asking a bureau's HTTP API over real HTTP: its rating with its
/// note, no record, and a bureau that fails, each said in the quote's findings; the token sent.
@Suite struct CreditBureauTests {
    @Test func aQuoteCarriesTheBureausAnswerAndABureauThatFailsIsSaid() async throws {
        let endpoints = VendorEndpoints()
        try await endpoints.serving { base in
            let environment = Environment([
                "SALES_OPPORTUNITIES_CREDIT_BUREAU": base + "/bureau", "SALES_OPPORTUNITIES_CREDIT_BUREAU_TOKEN": VendorEndpoints.bureauToken,
            ])
            try await ServiceHarness.with(
                .opportunities, migrations: OpportunitiesServer.migrations,
                build: { try OpportunitiesServer.components($0, environment: environment) }
            ) { grpc, tokens in
                let clients = StageMoveTests.Clients(grpc, tokens: tokens)
                let quotes = QuoteTests.Quotes(wrapping: grpc)
                let rep = OpportunityEdgeTests.Cast().rep
                let deal = try await clients.newDeal(by: rep)
                func quote(_ code: String) async throws -> Sales_Opportunities_V1_Quote {
                    try await quotes.createQuote(
                        .with {
                            $0.opportunityID = deal.id
                            $0.lines = [QuoteTests.line("监护仪", 2, 5_000_000)]
                            $0.paymentPlan = QuoteTests.plan([(5_000, 0), (5_000, 30)])
                            $0.creditCode = code
                            $0.industry = "医疗"
                        }, metadata: try await clients.metadata(rep))
                }
                let rated = try await quote(VendorEndpoints.registeredCode)
                #expect(rated.credit.grade == .red && rated.needsApproval)
                #expect(rated.credit.findings.contains { $0.source == "bureau" && $0.reason.hasSuffix("red: 3 起未结执行案件") })
                let unknown = try await quote(QuoteTests.unknown)
                #expect(unknown.credit.findings.contains { $0.reason == "the credit bureau has no record of \(QuoteTests.unknown)" })
                let failing = try await quote(VendorEndpoints.failingCode)
                #expect(failing.credit.grade == .yellow)
                #expect(failing.credit.findings.contains { $0.reason == "the credit bureau did not answer (it answered 502); screened without it" })
                let asked = await endpoints.calls.filter { $0.path.hasPrefix("/bureau/reports/") }
                #expect(asked.count == 3 && asked.allSatisfy { $0.headers["authorization"] == "Bearer \(VendorEndpoints.bureauToken)" })
                // Kept for an hour: the same company again is not asked twice.
                _ = try await quote(VendorEndpoints.registeredCode)
                #expect(await endpoints.calls.filter { $0.path.hasPrefix("/bureau/reports/") }.count == 3)
            }
        }
    }
}
