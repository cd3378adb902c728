import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SalesProto
import SwiftProtobuf

/// Two years of the demo reps' deal history, imported into forecasting so scores, period
/// forecasts and backtests have something to learn from; then a trained model, one dispute, and
/// a file source of external signals with competitor news on one of 李娜's deals.
/// Running it again imports nothing new (each deal answers "unchanged").
enum DemoForecasts {
    static func load(
        people: [(id: String, team: String)], tokens: [String: String], adminToken: String, signalDrop: String?,
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
        if let signalDrop {
            try await loadSignals(deals, owner: "li.na", folder: URL(fileURLWithPath: signalDrop), client: client, admin: admin, today: today)
        }
        return deals.count
    }

    /// A file of external signals about three of 李娜's open deals (competitor news, a capital
    /// increase, a tender) in the demo tenant's "news" source, read once: the news alerts her with
    /// the playbook's three best responses. Signals carry ids, so a second load adds nothing.
    static func loadSignals(
        _ deals: [Sales_Forecasting_V1_HistoryDeal], owner: String, folder: URL, client: GRPCClient<HTTP2ClientTransport.Posix>,
        admin: Metadata, today: Date
    ) async throws {
        let open = deals.filter { $0.outcome == .open && $0.ownerID == owner }.prefix(3)
        guard open.count == 3 else { return }
        let news = folder.appendingPathComponent(DemoOrg.tenant).appendingPathComponent("news")
        try FileManager.default.createDirectory(at: news, withIntermediateDirectories: true)
        let at = today.addingTimeInterval(-86_400).formatted(.iso8601)
        let signals: [[String: String]] = [
            [
                "id": "demo-news-1", "signal": "competitor_news", "deal_id": open[open.startIndex].externalID, "at": at,
                "headline": "某竞品宣布华东区同类产品降价 30%, 并承诺免费迁移", "competitor": "某竞品",
            ],
            [
                "id": "demo-registry-1", "signal": "capital_increase", "deal_id": open[open.startIndex + 1].externalID, "at": at,
                "headline": "注册资本由 2000 万增至 5000 万",
            ],
            [
                "id": "demo-tender-1", "signal": "tender_published", "deal_id": open[open.startIndex + 2].externalID, "at": at,
                "headline": "数字化改造项目招标公告发布",
            ],
        ]
        let lines = try signals.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }
        try (lines.joined(separator: "\n") + "\n").write(to: news.appendingPathComponent("demo.jsonl"), atomically: true, encoding: .utf8)
        let watch = Sales_Forecasting_V1_SignalWatchService.Client(wrapping: client)
        _ = try await watch.saveSignalSource(
            .with {
                $0.source = .with {
                    $0.name = "news"
                    $0.kind = .file
                    $0.location = "news"
                }
            }, metadata: admin)
        _ = try await watch.pollSignalSource(.with { $0.name = "news" }, metadata: admin)
    }
}
