import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Quotes on the demo's deals in 方案报价 and beyond, one of each credit grade: a green customer on
/// ordinary terms (accepted), a yellow one the bureau noted, and a red one whose quote waits for approval;
/// under the tenant's policy (an 18.5% margin floor, 90-day terms, 60 for 医疗器械).
enum DemoQuotes {
    struct Offer {
        let company: String
        let product: String
        let quantity: Int64
        let unitYuan: Int64
        let discountBasisPoints: Int32
        let unitCostYuan: Int64
        let plan: [(share: Int32, days: Int32)]
    }

    static let offers = [
        Offer(
            company: "宁波精工机械有限公司", product: "腔镜手术系统", quantity: 1, unitYuan: 1_280_000, discountBasisPoints: 500,
            unitCostYuan: 820_000, plan: [(3_000, 0), (6_000, 30), (1_000, 90)]),
        Offer(
            company: "杭州云帆软件有限公司", product: "超声刀耗材（年包）", quantity: 12, unitYuan: 36_800, discountBasisPoints: 0,
            unitCostYuan: 24_000, plan: [(5_000, 0), (5_000, 120)]),
        Offer(
            company: "深圳智联电子有限公司", product: "监护仪", quantity: 20, unitYuan: 58_000, discountBasisPoints: 1_500,
            unitCostYuan: 43_000, plan: [(2_000, 0), (8_000, 180)]),
    ]

    static func load(_ deals: [DemoDeals.Deal], adminToken: String, client: GRPCClient<HTTP2ClientTransport.Posix>) async throws {
        let quotes = Sales_Opportunities_V1_QuoteService.Client(wrapping: client)
        _ = try await quotes.setCreditPolicy(
            .with {
                $0.policy = .with {
                    $0.marginFloorBasisPoints = 1_850
                    $0.defaultTermDays = 90
                    $0.industryTerms = [
                        .with {
                            $0.industry = "医疗器械"; $0.benchmarkDays = 60
                        }
                    ]
                }
            }, metadata: ["authorization": "Bearer \(adminToken)"])
        // The deals that reached 方案报价 and stay open.
        let quoted = deals.indices.filter { [2, 3].contains(DemoDeals.depths[$0 % DemoDeals.depths.count]) }.map { deals[$0] }
        for (index, (deal, offer)) in zip(quoted, offers).enumerated() {
            guard let company = DemoCompanies.all.first(where: { $0.name == offer.company }) else { continue }
            let quote = try await quotes.createQuote(
                .with {
                    $0.opportunityID = deal.id
                    $0.lines = [
                        .with {
                            $0.product = offer.product
                            $0.quantity = offer.quantity
                            $0.unitListPrice = .init(minorUnits: offer.unitYuan * 100, currency: "CNY")
                            $0.discountBasisPoints = offer.discountBasisPoints
                            $0.unitCost = .init(minorUnits: offer.unitCostYuan * 100, currency: "CNY")
                        }
                    ]
                    $0.paymentPlan = offer.plan.map { part in
                        .with {
                            $0.shareBasisPoints = part.share
                            $0.dueDays = part.days
                        }
                    }
                    $0.creditCode = company.code.rawValue
                    $0.industry = company.industry
                }, metadata: ["authorization": "Bearer \(deal.token)", "idempotency-key": "demo-quote-\(index)"])
            // The customer took the green offer; the red one waits for its approvals.
            if quote.credit.grade == .green, quote.state == .ready {
                _ = try await quotes.acceptQuote(.with { $0.id = quote.id }, metadata: ["authorization": "Bearer \(deal.token)"])
            }
        }
    }
}
