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
    /// Exact figures per scope on a tenant of its own, across every service the dashboard reads:
    /// a rep their own, a manager their region, finance the tenant, another tenant nothing, and
    /// another tenant's ids NOT_FOUND (or absent from lists) in every service.
    @Suite struct ScopeTests {
        let tenant = TenantID("scope-\(UInt32.random(in: 0...UInt32.max))")!
        let other = TenantID("scope-other-\(UInt32.random(in: 0...UInt32.max))")!
        var eastRep: Caller { Caller(tenant: tenant, userID: "e.rep", roles: [.rep], orgPath: "/east/sh") }
        var northRep: Caller { Caller(tenant: tenant, userID: "n.rep", roles: [.rep], orgPath: "/north/bj") }
        var eastManager: Caller { Caller(tenant: tenant, userID: "e.mgr", roles: [.manager], orgPath: "/east") }
        var northManager: Caller { Caller(tenant: tenant, userID: "n.mgr", roles: [.manager], orgPath: "/north") }
        var finance: Caller { Caller(tenant: tenant, userID: "fin", roles: [.finance], orgPath: "/hq") }
        var stranger: Caller { Caller(tenant: other, userID: "e.mgr", roles: [.admin], orgPath: "/east") }

        func phone() -> String { "135" + String(format: "%08d", Int.random(in: 0..<100_000_000)) }

        @Test func eachScopeSeesExactlyItsOwnFigures() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let (leadIDs, opportunityID) = try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                var ids: [String] = []
                for (rep, count) in [(eastRep, 3), (northRep, 2)] {
                    for index in 0..<count {
                        ids.append(
                            try await leads.createLead(
                                .with {
                                    $0.contactName = "范围\(index)"; $0.phone = phone(); $0.channel = .api
                                }, metadata: try await client.metadata(rep)
                            ).lead.id)
                    }
                }
                let converted = try await leads.convertLead(
                    .with {
                        $0.leadID = ids[0]
                        $0.opportunityName = "范围商机"
                        $0.expectedAmount = .with {
                            $0.minorUnits = 1_000_000; $0.currency = "CNY"
                        }
                        $0.expectedClose = Google_Protobuf_Timestamp(date: Date().addingTimeInterval(86_400 * 10))
                    }, metadata: try await client.metadata(eastRep))
                return (ids, converted.opportunityID)
            }
            try await client.with(.storeSales) { grpc in
                let stores = Sales_Storesales_V1_StoreService.Client(wrapping: grpc)
                _ = try await stores.createStore(
                    .with {
                        $0.code = "E-1"; $0.name = "东区一店"; $0.city = "上海"
                    }, metadata: try await client.metadata(eastManager))
                _ = try await stores.createStore(
                    .with {
                        $0.code = "N-1"; $0.name = "北区一店"; $0.city = "北京"
                    }, metadata: try await client.metadata(northManager))
            }

            func overview(_ caller: Caller) async throws -> Sales_Gateway_V1_Overview {
                try await client.with(.gateway) { grpc in
                    try await Sales_Gateway_V1_DashboardService.Client(wrapping: grpc).getOverview(
                        .init(), metadata: try await client.metadata(caller))
                }
            }
            // Incentives and forecasting learn of the opportunity from the feed.
            _ = try await client.eventually {
                let seen = try await overview(finance)
                return seen.incentives.opportunitiesRecorded == 1 && seen.forecasting.periods.count == 1 ? seen : nil
            }
            // (leads, converted, opportunities, incentives' opportunities, stores)
            let expected: [(String, Caller, [Int64])] = [
                ("east rep", eastRep, [3, 1, 1, 1, 0]),
                ("north rep", northRep, [2, 0, 0, 0, 0]),
                ("east manager", eastManager, [3, 1, 1, 1, 1]),
                ("north manager", northManager, [2, 0, 0, 0, 1]),
                ("finance", finance, [5, 1, 1, 1, 2]),
                ("another tenant", stranger, [0, 0, 0, 0, 0]),
            ]
            for (who, caller, figures) in expected {
                let seen = try await overview(caller)
                #expect(seen.unavailable.isEmpty, "\(who): \(seen.unavailable)")
                let got = [
                    seen.leads.total, seen.leads.converted, seen.opportunities.total, seen.incentives.opportunitiesRecorded, seen.stores.stores,
                ]
                #expect(got == figures, "\(who)")
            }
            let openAmount = try await overview(finance).opportunities.openAmount.minorUnits
            #expect(openAmount == 1_000_000)

            // Another tenant's ids: NOT_FOUND, or absent, in every service.
            let strangerMetadata = try await client.metadata(stranger)
            let financeMetadata = try await client.metadata(finance)
            let northMetadata = try await client.metadata(northManager)
            try await client.with(.leads) { grpc in
                let error = await #expect(throws: RPCError.self) {
                    try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).getLead(.with { $0.id = leadIDs[1] }, metadata: strangerMetadata)
                }
                #expect(error?.code == .notFound)
            }
            try await client.with(.opportunities) { grpc in
                let opportunities = Sales_Opportunities_V1_OpportunityService.Client(wrapping: grpc)
                let error = await #expect(throws: RPCError.self) {
                    try await opportunities.getOpportunity(.with { $0.id = opportunityID }, metadata: strangerMetadata)
                }
                #expect(error?.code == .notFound)
                let seenByFinance = try await opportunities.getOpportunity(.with { $0.id = opportunityID }, metadata: financeMetadata).id
                #expect(seenByFinance == opportunityID)
                let northError = await #expect(throws: RPCError.self) {
                    try await opportunities.getOpportunity(.with { $0.id = opportunityID }, metadata: try await client.metadata(northManager))
                }
                #expect(northError?.code == .notFound)
            }
            try await client.with(.incentives) { grpc in
                let incentives = Sales_Incentives_V1_IncentiveService.Client(wrapping: grpc)
                let creditsForStranger = try await incentives.listPipelineCredits(
                    .with { $0.opportunityID = opportunityID }, metadata: strangerMetadata
                ).credits
                #expect(creditsForStranger.isEmpty)
                let creditsForFinance = try await incentives.listPipelineCredits(
                    .with { $0.opportunityID = opportunityID }, metadata: financeMetadata
                ).credits.count
                #expect(creditsForFinance == 1)
            }
            try await client.with(.forecasting) { grpc in
                let forecasts = Sales_Forecasting_V1_ForecastService.Client(wrapping: grpc)
                let trackedForStranger = try await forecasts.listTrackedOpportunities(
                    .with { $0.opportunityID = opportunityID }, metadata: strangerMetadata
                ).opportunities
                #expect(trackedForStranger.isEmpty)
                let trackedForFinance = try await forecasts.listTrackedOpportunities(
                    .with { $0.opportunityID = opportunityID }, metadata: financeMetadata
                ).opportunities.count
                #expect(trackedForFinance == 1)
            }
            try await client.with(.storeSales) { grpc in
                let stores = Sales_Storesales_V1_StoreService.Client(wrapping: grpc)
                let storesForStranger = try await stores.listStores(.init(), metadata: strangerMetadata).stores
                #expect(storesForStranger.isEmpty)
                let storesForFinance = try await stores.listStores(.init(), metadata: financeMetadata).stores.map(\.code).sorted()
                #expect(storesForFinance == ["E-1", "N-1"])
                let storesForNorth = try await stores.listStores(.init(), metadata: northMetadata).stores.map(\.code)
                #expect(storesForNorth == ["N-1"])
            }
        }
    }
}
