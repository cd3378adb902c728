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
    /// Forecasting on the running stack: `salesctl import history` with its bad rows reported, and
    /// the opportunities feed keeping a live deal's history (created, a behaviour signal, won).
    @Suite struct ForecastFlowTests {
        static let tenant = TenantID("e2e-forecast-\(UInt16.random(in: 0...UInt16.max))")!
        static let admin = Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq")
        static let rep = Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/east/east-sh")

        @Test func aHistoryFileGoesInOnceWithItsBadRowsReported() async throws {
            let (stack, database, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let folder = NSTemporaryDirectory() + "history-\(UUID().uuidString)/"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let file = folder + "history.csv"
            try """
            商机编号,事件,时间,值,预计成交,负责人,团队,客户类型,金额,产品线,客户编号
            H-1,创建,2026-03-02 09:00,,,li.na,/east/east-sh,government,"1,200,000.00",ERP,C-0001
            H-1,阶段,2026-03-02 09:00,线索确认,,,,,,
            H-1,销售填报,2026-03-02 09:00,60,2026-05-31,,,,,
            H-1,行为,2026-04-10 15:00,budget_confirmed,,,,,,
            H-1,外部信号,2026-04-12 08:00,tender_published,,,,,,
            H-1,赢单,2026-05-20 17:00,,,,,,,
            H-2,创建,2026-03-05,,,li.na,/east/east-sh,smb,50000,
            H-2,行为,2026-03-06 10:00,not_a_signal,,,,,,
            H-3,创建,2026-03-07,,,li.na,/east/east-sh,smb,50000,
            H-3,阶段,2026-3-40,需求分析,,,,,,
            H-4,创建,2026-03-08,,,li.na,/east/east-sh,enterprise,300000,
            H-4,输单,2026-04-01,,,,,,,

            """.write(toFile: file, atomically: true, encoding: .utf8)
            let importer = HistoryImport(port: stack.plan.grpcPort(.forecasting), token: try await client.token(Self.admin))
            let report = try await importer.run(file: file)
            #expect(report.deals == 4)
            #expect(report.created == 2)
            #expect(report.refused.map(\.line) == [9, 11], "\(report.refused)")
            #expect(report.refused.map(\.column) == ["value", "at"])
            let again = try await importer.run(file: file)
            #expect(again.created == 0 && again.unchanged == 2)
            // The customer column is kept, for external signals about the customer to reach the deal.
            let customer = try await TestEnvironment.withAdminConnection(to: database.url(for: .forecasting)) { connection in
                try await connection.query(
                    "SELECT customer_id FROM forecasting.forecast_deals WHERE tenant_id = \(Self.tenant.rawValue) AND deal_id = 'H-1'",
                    logger: Logger(label: "test")
                ).collect().map { try $0.decode(String.self) }.first
            }
            #expect(customer == "C-0001")
        }

        @Test func theOpportunitiesFeedKeepsALiveDealsHistory() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let admin = try await client.metadata(Self.admin)
            let rep = try await client.metadata(Self.rep)
            // A year of history to learn from, so the live deal can be scored.
            try await client.with(.forecasting) { grpc in
                let forecasts = Sales_Forecasting_V1_ForecastService.Client(wrapping: grpc)
                let start = Calendar(identifier: .gregorian).date(byAdding: .month, value: -12, to: Date())!
                let people = [("li.na", "/east/east-sh"), ("zhang.wei", "/east/east-sh"), ("liu.yang", "/east/east-hz")].map {
                    (id: $0.0, team: $0.1)
                }
                let deals = PipelineGenerator(.init(start: start, months: 13, dealsPerMonth: 30, people: people)).deals(now: Date())
                for batch in stride(from: 0, to: deals.count, by: 500) {
                    _ = try await forecasts.importHistory(.with { $0.deals = Array(deals[batch..<min(batch + 500, deals.count)]) }, metadata: admin)
                }
                _ = try await forecasts.train(.init(), metadata: admin)
            }
            let deal = try await client.with(.opportunities) { grpc in
                let deals = Sales_Opportunities_V1_OpportunityService.Client(wrapping: grpc)
                let deal = try await deals.createOpportunity(
                    .with {
                        $0.name = "监护仪"; $0.customerName = "中山医院"
                        $0.amount = .with {
                            $0.minorUnits = 30_000_000; $0.currency = "CNY"
                        }
                        $0.expectedClose = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: 20 * 86_400))
                    }, metadata: rep)
                _ = try await deals.recordActivity(
                    .with {
                        $0.activity = .with {
                            $0.opportunityID = deal.id
                            $0.kind = .call
                            $0.occurredAt = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: -60))
                            $0.summary = "客户财务确认预算"
                            $0.signals = ["budget_confirmed"]
                        }
                    }, metadata: rep)
                return deal
            }
            try await client.with(.forecasting) { grpc in
                let forecasts = Sales_Forecasting_V1_ForecastService.Client(wrapping: grpc)
                let seen = try await client.eventually {
                    let score = try? await forecasts.scoreDeals(.with { $0.dealID = deal.id }, metadata: rep).scores.first
                    return score?.behaviourPoints == 1 ? score : nil
                }
                #expect(seen.amount.minorUnits == 30_000_000)
                #expect(seen.ownerID == "li.na")
                #expect(seen.credibility == .l1)
                #expect(seen.repExpectedClose.seconds == deal.expectedClose.seconds)
            }
            try await client.with(.opportunities) { grpc in
                _ = try await Sales_Opportunities_V1_OpportunityService.Client(wrapping: grpc).advanceStage(
                    .with {
                        $0.opportunityID = deal.id
                        $0.toStage = "赢单"
                        $0.overrideReason = "客户当面签约，补录"
                    }, metadata: admin)
            }
            try await client.with(.forecasting) { grpc in
                let forecasts = Sales_Forecasting_V1_ForecastService.Client(wrapping: grpc)
                // Won, it is no longer an open deal to score.
                _ = try await client.eventually { () -> Bool? in
                    do {
                        _ = try await forecasts.scoreDeals(.with { $0.dealID = deal.id }, metadata: rep)
                        return nil
                    } catch let error as RPCError where error.code == .notFound { return true }
                }
            }
        }
    }
}
