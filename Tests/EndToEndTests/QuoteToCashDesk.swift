import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport

extension EndToEnd {
    /// One rep's way from a deal to a signed contract over real gRPC, for the quote-to-cash
    /// suites: each step as the rep takes it, with the service's own checks on the way.
    struct QuoteToCashDesk {
        typealias Transport = HTTP2ClientTransport.Posix
        let client: StackClient
        let rep: Caller
        let deals: Sales_Opportunities_V1_OpportunityService.Client<Transport>
        let quotes: Sales_Opportunities_V1_QuoteService.Client<Transport>
        let contracts: Sales_Opportunities_V1_ContractService.Client<Transport>
        let receivables: Sales_Opportunities_V1_ReceivableService.Client<Transport>

        init(client: StackClient, grpc: GRPCClient<Transport>, rep: Caller) {
            self.client = client
            self.rep = rep
            deals = .init(wrapping: grpc)
            quotes = .init(wrapping: grpc)
            contracts = .init(wrapping: grpc)
            receivables = .init(wrapping: grpc)
        }

        /// A deal brought to 商务谈判 through each gate (a visit meeting the decision maker on the
        /// way), so the won stage's gate is one step away.
        func negotiatingDeal(_ name: String, customer: String, amount fen: Int64) async throws -> Sales_Opportunities_V1_Opportunity {
            let asRep = try await client.metadata(rep)
            let deal = try await deals.createOpportunity(
                .with {
                    $0.name = name; $0.customerName = customer; $0.pipeline = "new-business"; $0.amount = .cny(fen)
                    $0.expectedClose = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: 30 * 86_400))
                }, metadata: asRep)
            func advance(_ stage: String, _ action: String, _ feedback: String) async throws {
                _ = try await deals.advanceStage(
                    .with {
                        $0.opportunityID = deal.id; $0.toStage = stage; $0.keyAction = action; $0.feedback = feedback
                    }, metadata: asRep)
            }
            try await advance("需求确认", "电话沟通", "预算已批")
            _ = try await deals.recordActivity(
                .with {
                    $0.activity = .with {
                        $0.opportunityID = deal.id; $0.kind = .visit; $0.occurredAt = .init(date: Date(timeIntervalSinceNow: -3_600))
                        $0.summary = "拜访设备科，介绍方案"; $0.place = "\(customer)设备科"; $0.latitude = 31.2116; $0.longitude = 121.4689
                        $0.decisionMakerMet = "王主任"; $0.objection = "预算要到明年"; $0.nextCommitment = "下周二演示"
                        $0.signals = ["decision_maker_met"]
                    }
                }, metadata: asRep)
            try await advance("方案报价", "发送方案", "要看方案")
            try await advance("商务谈判", "处理异议", "价格可以谈")
            return deal
        }

        /// A quote of one line at `fen` paid by `plan` (basis points, days after signing), as created.
        func quote(
            _ deal: Sales_Opportunities_V1_Opportunity, fen: Int64, plan: [(share: Int32, days: Int32)], creditCode: String = "",
            unitCost: Int64? = nil
        ) async throws -> Sales_Opportunities_V1_Quote {
            try await quotes.createQuote(
                .with {
                    $0.opportunityID = deal.id; $0.creditCode = creditCode
                    $0.lines = [
                        .with {
                            $0.product = "年度服务"; $0.quantity = 1; $0.unitListPrice = .cny(fen)
                            if let unitCost { $0.unitCost = .cny(unitCost) }
                        }
                    ]
                    $0.paymentPlan = plan.map { step in
                        .with {
                            $0.shareBasisPoints = step.share; $0.dueDays = step.days
                        }
                    }
                }, metadata: try await client.metadata(rep))
        }

        func accept(_ quote: Sales_Opportunities_V1_Quote) async throws -> Sales_Opportunities_V1_Quote {
            try await quotes.acceptQuote(.with { $0.id = quote.id }, metadata: try await client.metadata(rep))
        }

        /// The accepted quote's own terms, from `signing`, submitted and signed (winning the deal).
        func signedContract(_ quote: Sales_Opportunities_V1_Quote, signing: String) async throws -> Sales_Opportunities_V1_Contract {
            let asRep = try await client.metadata(rep)
            let contract = try await contracts.createContract(
                .with {
                    $0.quoteID = quote.id; $0.signingDate = signing
                }, metadata: asRep)
            _ = try await contracts.submitContract(.with { $0.id = contract.id }, metadata: asRep)
            return try await contracts.signContract(
                .with {
                    $0.id = contract.id; $0.document = Data("%PDF-1.7\n1 0 obj<<>>endobj\n签字页\n%%EOF\n".utf8); $0.feedback = "客户法务已盖章"
                }, metadata: asRep)
        }
    }
}

extension EndToEnd {
    /// The people of a fresh tenant for a quote-to-cash suite: a rep of /east/east-sh, the east
    /// region's manager, a manager whose path is only a string prefix of the rep's team (never its
    /// ancestor), finance, an admin, and an admin of another tenant.
    struct QuoteToCashCast {
        let tenant: TenantID

        init(_ prefix: String) {
            tenant = TenantID("\(prefix)-\(UInt32.random(in: 0...UInt32.max))")!
        }

        var rep: Caller { Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/east/east-sh") }
        var manager: Caller { Caller(tenant: tenant, userID: "zhou.east", roles: [.manager], orgPath: "/east") }
        var siblingManager: Caller { Caller(tenant: tenant, userID: "wu.es", roles: [.manager], orgPath: "/east/east-s") }
        var finance: Caller { Caller(tenant: tenant, userID: "qian.cw", roles: [.finance], orgPath: "/finance") }
        var admin: Caller { Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq") }
        var stranger: Caller { Caller(tenant: TenantID(tenant.rawValue + "-other")!, userID: "qian.cw", roles: [.admin], orgPath: "/") }
    }
}
