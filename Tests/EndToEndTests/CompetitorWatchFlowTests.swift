import Foundation
import GRPCCore
import Logging
import PostgresNIO
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

extension EndToEnd {
    /// The competitor watch on the running stack: deals created in opportunities reach forecasting
    /// by the feed with their customer; a file of competitor news about the customer alerts each
    /// open deal's owner with the opportunities playbook's atoms about competitors, asked over gRPC.
    @Suite struct CompetitorWatchFlowTests {
        static let tenant = TenantID("e2e-watch-\(UInt16.random(in: 0...UInt16.max))")!
        static let admin = Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq")
        static let rep = Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/east/east-sh")
        static let otherRep = Caller(tenant: tenant, userID: "zhang.wei", roles: [.rep], orgPath: "/east/east-sh")

        @Test func competitorNewsOnACustomerAlertsEachOwnerWithThePlaybooksResponses() async throws {
            let (stack, database, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let admin = try await client.metadata(Self.admin)
            let customer = UUID().uuidString.lowercased()
            let deals = try await client.with(.opportunities) { grpc in
                let playbook = Sales_Opportunities_V1_PlaybookService.Client(wrapping: grpc)
                for (objection, strategies) in [
                    ("竞品降价", ["算五年总成本, 申请价格保护", "安排同级客户参观"]), ("已有竞品在用", ["请科主任交流切换体会"]), ("预算要到明年", ["先签意向"]),
                ] {
                    _ = try await playbook.savePlaybookAtom(
                        .with {
                            $0.atom = .with {
                                $0.customerType = "*"; $0.stage = "*"; $0.objection = objection
                                $0.strategies = strategies.map { text in .with { $0.text = text } }
                            }
                        }, metadata: admin)
                }
                let opportunities = Sales_Opportunities_V1_OpportunityService.Client(wrapping: grpc)
                var deals: [Sales_Opportunities_V1_Opportunity] = []
                for owner in [Self.rep, Self.otherRep] {
                    deals.append(
                        try await opportunities.createOpportunity(
                            .with {
                                $0.name = "监护仪"; $0.customerName = "中山医院"; $0.customerID = customer
                                $0.amount = .with {
                                    $0.minorUnits = 30_000_000; $0.currency = "CNY"
                                }
                                $0.expectedClose = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: 20 * 86_400))
                            }, metadata: try await client.metadata(owner)))
                }
                return deals
            }
            // Both deals reached forecasting's history with their customer.
            _ = try await client.eventually { () -> Bool? in
                let known = try await TestEnvironment.withAdminConnection(to: database.url(for: .forecasting)) { connection in
                    try await connection.query(
                        "SELECT count(*) FROM forecasting.forecast_deals WHERE tenant_id = \(Self.tenant.rawValue) AND customer_id = \(customer)",
                        logger: Logger(label: "test")
                    ).collect().map { try $0.decode(Int64.self) }.first ?? 0
                }
                return known == 2 ? true : nil
            }

            let folder = URL(fileURLWithPath: stack.plan.signalDropDirectory!).appendingPathComponent(Self.tenant.rawValue)
                .appendingPathComponent("news")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try
                #"{"id": "n1", "signal": "competitor_news", "at": "\#(Date().addingTimeInterval(-3_600).formatted(.iso8601))", "customer_id": "\#(customer)", "headline": "某竞品宣布降价 30%", "competitor": "某竞品"}"#
                .write(to: folder.appendingPathComponent("news.jsonl"), atomically: true, encoding: .utf8)
            try await client.with(.forecasting) { grpc in
                let watch = Sales_Forecasting_V1_SignalWatchService.Client(wrapping: grpc)
                _ = try await watch.saveSignalSource(
                    .with {
                        $0.source = .with {
                            $0.name = "news"; $0.kind = .file; $0.location = "news"
                        }
                    }, metadata: admin)
                let polled = try await watch.pollSignalSource(.with { $0.name = "news" }, metadata: admin)
                #expect(polled.applied == 1 && polled.alerts == 2)
                let mine = try await watch.listCompetitorAlerts(.init(), metadata: try await client.metadata(Self.rep)).alerts
                #expect(mine.map(\.dealID) == [deals[0].id])
                // The atoms about competitors (their objection holds "竞品"), each atom's strategies in order; not the budget one.
                let responses = mine.first?.responses ?? []
                #expect(Set(responses.map(\.text)) == ["算五年总成本, 申请价格保护", "安排同级客户参观", "请科主任交流切换体会"])
                #expect(responses.allSatisfy { !$0.atomID.isEmpty && $0.objection.contains("竞品") })
                #expect(responses.first { $0.text == "安排同级客户参观" }?.strategy == 1)
                let theirs = try await watch.listCompetitorAlerts(.init(), metadata: try await client.metadata(Self.otherRep)).alerts
                #expect(theirs.map(\.dealID) == [deals[1].id])
                // Read again, nothing more is sent.
                #expect(try await watch.pollSignalSource(.with { $0.name = "news" }, metadata: admin).received == 0)
            }
            let bodies = try await TestEnvironment.withAdminConnection(to: database.url(for: .forecasting)) { connection in
                try await connection.query(
                    """
                    SELECT body FROM forecasting.notification_deliveries
                    WHERE tenant_id = \(Self.tenant.rawValue) AND notice = 'competitor_alert' ORDER BY recipient
                    """, logger: Logger(label: "test")
                ).collect().map { try $0.decode(String.self) }
            }
            #expect(bodies.count == 2 && bodies.allSatisfy { $0.contains("某竞品宣布降价 30%") && $0.contains("安排同级客户参观") && $0.contains("\n3. ") })
        }
    }
}
