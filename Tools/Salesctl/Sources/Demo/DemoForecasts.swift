import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SalesProto
import SwiftProtobuf

/// Two years of the demo reps' deal history, imported into forecasting so scores, period
/// forecasts and backtests have something to learn from; then a trained model and one dispute.
/// Running it again imports nothing new (each deal answers "unchanged").
enum DemoForecasts {
    static func load(
        people: [(id: String, team: String)], tokens: [String: String], adminToken: String,
        client: GRPCClient<HTTP2ClientTransport.Posix>
    ) async throws -> Int {
        let forecasts = Sales_Forecasting_V1_ForecastService.Client(wrapping: client)
        let admin: Metadata = ["authorization": "Bearer \(adminToken)"]
        let now = Date()
        // Whole days, so a second run the same day generates the same history.
        let today = Calendar(identifier: .gregorian).startOfDay(for: now)
        let start = Calendar(identifier: .gregorian).date(byAdding: .month, value: -24, to: today)!
        let deals = PipelineGenerator(.init(seed: 12, start: start, months: 25, dealsPerMonth: 60, people: people)).deals(now: today)
        for batch in stride(from: 0, to: deals.count, by: 500) {
            _ = try await forecasts.importHistory(.with { $0.deals = Array(deals[batch..<min(batch + 500, deals.count)]) }, metadata: admin)
        }
        _ = try await forecasts.train(.init(), metadata: admin)
        // 李娜 disputes the score of one of her open deals: the board is waiting on its directors.
        if let token = tokens["li.na"] {
            let hers: Metadata = ["authorization": "Bearer \(token)"]
            let scores = try await forecasts.scoreDeals(.with { $0.page.pageSize = 5 }, metadata: hers).scores
            if let deal = scores.first, !deal.hasDispute {
                _ = try await forecasts.disputeScore(
                    .with {
                        $0.dealID = deal.dealID
                        $0.reason = "等待董事会审批"
                        $0.newExpectedClose = Google_Protobuf_Timestamp(date: now.addingTimeInterval(45 * 86_400))
                    }, metadata: hers)
            }
        }
        return deals.count
    }
}
