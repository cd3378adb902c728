import ForecastingService
import Foundation
import GRPCCore
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

/// External signal sources (a dropped file, a customer's relay over real HTTP) and the competitor
/// watch: each signal reaches its customer's open deals once, competitor news alerts each owner
/// once, and what cannot be read is reported by line and field.
@Suite struct SignalWatchTests {
    /// An open deal of `customer`, created 20 days ago.
    static func openDeal(_ id: String, owner: String, team: String, customer: String) -> Sales_Forecasting_V1_HistoryDeal {
        let created = Date().addingTimeInterval(-20 * 86_400)
        return .with {
            $0.externalID = id
            $0.ownerID = owner
            $0.team = team
            $0.customerID = customer
            $0.segment = "enterprise"
            $0.amount = .init(minorUnits: 30_000_000, currency: "CNY")
            $0.createdAt = Google_Protobuf_Timestamp(date: created)
            $0.events = [
                .with {
                    $0.at = Google_Protobuf_Timestamp(date: created); $0.stage = "方案报价"
                }
            ]
        }
    }

    static func line(_ fields: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]), as: UTF8.self)
    }

    static let twoDaysAgo = Date().addingTimeInterval(-2 * 86_400).formatted(.iso8601)

    func importDeals(_ deals: [Sales_Forecasting_V1_HistoryDeal], in scene: ForecastScene) async throws {
        let answer = try await scene.forecasts.importHistory(.with { $0.deals = deals }, metadata: try await scene.metadata(scene.admin))
        #expect(answer.deals.allSatisfy { !$0.result.isEmpty }, "\(answer.deals.filter { $0.result.isEmpty })")
    }

    /// The external signals in a deal's stored history.
    func externalSignals(of deal: String, in scene: ForecastScene) async throws -> [String] {
        let rows = try await scene.database.query(
            "SELECT history FROM forecast_deals WHERE tenant_id = \(scene.admin.tenant.rawValue) AND deal_id = \(deal)")
        for try await bytes in rows.decode(ByteBuffer.self) {
            let history = try Sales_Forecasting_V1_HistoryDeal(serializedBytes: Array(buffer: bytes))
            return history.events.compactMap { if case .external(let key) = $0.kind { key } else { nil } }
        }
        return []
    }

    func alertBodies(to owner: String, in scene: ForecastScene) async throws -> [String] {
        let rows = try await scene.database.query(
            """
            SELECT body FROM notification_deliveries
            WHERE tenant_id = \(scene.admin.tenant.rawValue) AND notice = 'competitor_alert' AND recipient = \(owner) ORDER BY seq
            """)
        var bodies: [String] = []
        for try await body in rows.decode(String.self) { bodies.append(body) }
        return bodies
    }

    func saveFileSource(_ name: String, folder: String, in scene: ForecastScene) async throws {
        _ = try await scene.signalWatch.saveSignalSource(
            .with {
                $0.source = .with {
                    $0.name = name; $0.kind = .file; $0.location = folder
                }
            }, metadata: try await scene.metadata(scene.admin))
    }

    @Test func aFileSourceBringsEachSignalToItsCustomersOpenDealsOnceAndReportsBadLines() async throws {
        try await ForecastScene.hosted { scene in
            var closed = Self.openDeal("D-A3", owner: "rep01", team: "/east/hz", customer: "C-1")
            closed.outcome = .won
            closed.closedAt = Google_Protobuf_Timestamp(date: Date().addingTimeInterval(-86_400))
            try await importDeals(
                [
                    Self.openDeal("D-A1", owner: "rep01", team: "/east/hz", customer: "C-1"),
                    Self.openDeal("D-A2", owner: "rep02", team: "/east/sh", customer: "C-1"), closed,
                    Self.openDeal("D-B1", owner: "rep01", team: "/east/hz", customer: "C-2"),
                ], in: scene)
            try await saveFileSource("news", folder: "news-feed", in: scene)
            let folder = try scene.sourceFolder("news-feed")
            let at = Self.twoDaysAgo
            let lines = [
                Self.line([
                    "id": "n1", "signal": "competitor_news", "at": at, "customer_id": "C-1", "headline": "某竞品宣布华东区降价 30%", "competitor": "某竞品",
                ]),
                Self.line(["id": "r1", "signal": "capital_increase", "at": at, "deal_id": "D-B1", "headline": "注册资本增至 5000 万"]),
                #"{"id": "broken""#,
                Self.line(["id": "u1", "signal": "made_up", "at": at, "customer_id": "C-1"]),
                Self.line(["id": "b1", "signal": "proposal_opened", "at": at, "customer_id": "C-1"]),
                Self.line([
                    "id": "f1", "signal": "tender_published", "at": Date().addingTimeInterval(86_400).formatted(.iso8601), "customer_id": "C-1",
                ]),
                Self.line(["id": "m1", "signal": "tender_published", "at": at]),
                Self.line(["id": "z1", "signal": "tender_published", "at": at, "customer_id": "C-404"]),
                Self.line(["id": "c1", "signal": "tender_published", "at": at, "customer_id": "C-1", "headline": "a\u{0}b"]),
                Self.line(["id": 5, "signal": "tender_published", "at": at, "customer_id": "C-1"]),
                "",
            ]
            try lines.joined(separator: "\n").write(to: folder.appendingPathComponent("2026-12-01.jsonl"), atomically: true, encoding: .utf8)

            let admin = try await scene.metadata(scene.admin)
            let polled = try await scene.signalWatch.pollSignalSource(.with { $0.name = "news" }, metadata: admin)
            #expect(polled.received == 10 && polled.applied == 2 && polled.unmatched == 1 && polled.alreadyReceived == 0)
            #expect(polled.refused.map(\.line) == [3, 4, 5, 6, 7, 9, 10])
            #expect(polled.refused.map(\.field) == ["(signal)", "signal", "signal", "at", "customer_id", "headline", "id"])
            #expect(polled.refused.allSatisfy { $0.reason.hasPrefix("2026-12-01.jsonl line \($0.line): ") && $0.errorCode == "INVALID_ARGUMENT" })
            #expect(polled.refused[1].reason.contains("not in the signal catalog"))
            #expect(polled.alerts == 2)
            #expect(polled.cursor == "2026-12-01.jsonl:10")
            let stopped = try await scene.signalWatch.listSignalSources(.init(), metadata: admin).sources[0].lastError
            #expect(stopped.hasPrefix("7 signals could not be read; the first: 2026-12-01.jsonl line 3: "), "\(stopped)")

            // The customer's open deals have the news; its closed deal does not; the registry change reached its deal alone.
            #expect(try await externalSignals(of: "D-A1", in: scene) == ["competitor_news"])
            #expect(try await externalSignals(of: "D-A2", in: scene) == ["competitor_news"])
            #expect(try await externalSignals(of: "D-A3", in: scene).isEmpty)
            #expect(try await externalSignals(of: "D-B1", in: scene) == ["capital_increase"])

            // Each owner is alerted on their own deal. This service alone has no playbook to ask
            // (CompetitorWatchFlowTests asks the opportunities service's): the alert still goes out.
            let mine = try await scene.signalWatch.listCompetitorAlerts(.init(), metadata: try await scene.metadata(scene.rep)).alerts
            #expect(mine.map(\.dealID) == ["D-A1"])
            #expect(mine.first?.headline == "某竞品宣布华东区降价 30%" && mine.first?.competitor == "某竞品" && mine.first?.responses.isEmpty == true)
            let theirs = try await scene.signalWatch.listCompetitorAlerts(.init(), metadata: try await scene.metadata(scene.otherRep)).alerts
            #expect(theirs.map(\.dealID) == ["D-A2"])
            let region = try await scene.signalWatch.listCompetitorAlerts(.init(), metadata: try await scene.metadata(scene.eastManager)).alerts
            #expect(Set(region.map(\.dealID)) == ["D-A1", "D-A2"])
            let bodies = try await alertBodies(to: "rep01", in: scene)
            #expect(bodies.count == 1)
            #expect(bodies.first?.contains("某竞品宣布华东区降价 30%") == true && bodies.first?.contains("打法库中还没有应对竞品的打法") == true)

            // Read again: nothing new. A later file repeats n1 and adds n2: n1 counts once.
            let again = try await scene.signalWatch.pollSignalSource(.with { $0.name = "news" }, metadata: admin)
            #expect(again.received == 0 && again.cursor == "2026-12-01.jsonl:10")
            try [
                Self.line(["id": "n1", "signal": "competitor_news", "at": at, "customer_id": "C-1"]),
                Self.line(["id": "n2", "signal": "competitor_news", "at": at, "customer_id": "C-1", "headline": "某竞品挖走客户的项目经理"]),
            ].joined(separator: "\n").write(to: folder.appendingPathComponent("2026-12-02.jsonl"), atomically: true, encoding: .utf8)
            let later = try await scene.signalWatch.pollSignalSource(.with { $0.name = "news" }, metadata: admin)
            #expect(later.received == 2 && later.alreadyReceived == 1 && later.applied == 1 && later.alerts == 2)
            #expect(try await externalSignals(of: "D-A1", in: scene) == ["competitor_news", "competitor_news"])
            #expect(try await alertBodies(to: "rep01", in: scene).count == 2)

            let sources = try await scene.signalWatch.listSignalSources(.init(), metadata: admin).sources
            #expect(sources.count == 1 && sources[0].signalsApplied == 3 && sources[0].lastError.isEmpty && sources[0].hasLastPolledAt)
        }
    }

    @Test func aRelayIsAskedWithItsCursorAloneAndItsTokenIsNeverAnswered() async throws {
        let endpoints = VendorEndpoints()
        try await endpoints.serving { base in
            try await ForecastScene.hosted { scene in
                try await importDeals([Self.openDeal("D-R1", owner: "rep01", team: "/east/hz", customer: "C-R")], in: scene)
                var signals = (0..<1_200).map { ["id": "t\($0)", "signal": "tender_published", "at": Self.twoDaysAgo, "customer_id": "C-elsewhere"] }
                signals.append(["id": "cap", "signal": "capital_increase", "at": Self.twoDaysAgo, "customer_id": "C-R"])
                await endpoints.serveRelaySignals(signals)
                let admin = try await scene.metadata(scene.admin)
                let relay = Sales_Forecasting_V1_SignalSource.with {
                    $0.name = "registry-relay"; $0.kind = .httpRelay; $0.location = base + "/relay"
                }

                // Without the relay's token: refused, and the source says why.
                _ = try await scene.signalWatch.saveSignalSource(.with { $0.source = relay }, metadata: admin)
                let refused = await #expect(throws: RPCError.self) {
                    try await scene.signalWatch.pollSignalSource(.with { $0.name = "registry-relay" }, metadata: admin)
                }
                #expect(refused?.code == .failedPrecondition && refused?.message.contains("refused the token") == true)
                let failing = try await scene.signalWatch.listSignalSources(.init(), metadata: admin).sources[0]
                #expect(failing.lastError.contains("refused the token") && failing.cursor.isEmpty)

                var withToken = relay
                withToken.token = VendorEndpoints.relayToken
                let saved = try await scene.signalWatch.saveSignalSource(.with { $0.source = withToken }, metadata: admin)
                #expect(saved.hasToken_p && saved.token.isEmpty)
                let polled = try await scene.signalWatch.pollSignalSource(.with { $0.name = "registry-relay" }, metadata: admin)
                #expect(polled.received == 1_201 && polled.applied == 1 && polled.unmatched == 1_200 && polled.cursor == "1201")
                #expect(try await externalSignals(of: "D-R1", in: scene) == ["capital_increase"])
                let asked = await endpoints.calls(to: "/relay/signals").filter {
                    $0.headers["authorization"] == "Bearer \(VendorEndpoints.relayToken)"
                }
                #expect(asked.map { $0.query["after"] ?? "?" } == ["", "500", "1000"])
                #expect(asked.allSatisfy { Set($0.query.keys) == ["after", "limit"] && $0.rawBody.isEmpty })
                let listed = try await scene.signalWatch.listSignalSources(.init(), metadata: admin).sources[0]
                #expect(listed.token.isEmpty && listed.hasToken_p && listed.lastError.isEmpty && listed.signalsApplied == 1)

                // Saved again without the token, the same relay keeps it.
                _ = try await scene.signalWatch.saveSignalSource(.with { $0.source = relay }, metadata: admin)
                #expect(try await scene.signalWatch.pollSignalSource(.with { $0.name = "registry-relay" }, metadata: admin).received == 0)

                // A relay that is not running: UNAVAILABLE, recorded on the source.
                var down = relay
                down.name = "down-relay"
                down.location = "http://127.0.0.1:1/relay"
                _ = try await scene.signalWatch.saveSignalSource(.with { $0.source = down }, metadata: admin)
                let unreachable = await #expect(throws: RPCError.self) {
                    try await scene.signalWatch.pollSignalSource(.with { $0.name = "down-relay" }, metadata: admin)
                }
                #expect(unreachable?.code == .unavailable)
            }
        }
    }

    @Test func anotherTenantAndASiblingPathSeeNothingAndBadSettingsAreRefused() async throws {
        try await ForecastScene.hosted { scene in
            try await importDeals([Self.openDeal("D-S1", owner: "rep01", team: "/east/hz", customer: "C-S")], in: scene)
            try await saveFileSource("news", folder: "news", in: scene)
            try Self.line(["id": "s1", "signal": "competitor_news", "at": Self.twoDaysAgo, "customer_id": "C-S"])
                .write(to: try scene.sourceFolder("news").appendingPathComponent("a.jsonl"), atomically: true, encoding: .utf8)
            _ = try await scene.signalWatch.pollSignalSource(.with { $0.name = "news" }, metadata: try await scene.metadata(scene.admin))

            let stranger = try await scene.metadata(scene.stranger)
            let notFound = await #expect(throws: RPCError.self) {
                try await scene.signalWatch.pollSignalSource(.with { $0.name = "news" }, metadata: stranger)
            }
            #expect(notFound?.code == .notFound)
            #expect(try await scene.signalWatch.listSignalSources(.init(), metadata: stranger).sources.isEmpty)
            #expect(try await scene.signalWatch.listCompetitorAlerts(.init(), metadata: stranger).alerts.isEmpty)
            // The other tenant's own file, about a customer id this tenant also has, reaches none of this tenant's deals.
            _ = try await scene.signalWatch.saveSignalSource(
                .with {
                    $0.source = .with {
                        $0.name = "news"; $0.kind = .file; $0.location = "news"
                    }
                }, metadata: stranger)
            let theirFolder = scene.dropFolder.appendingPathComponent(scene.stranger.tenant.rawValue).appendingPathComponent("news")
            try FileManager.default.createDirectory(at: theirFolder, withIntermediateDirectories: true)
            try Self.line(["id": "s1", "signal": "competitor_news", "at": Self.twoDaysAgo, "customer_id": "C-S"])
                .write(to: theirFolder.appendingPathComponent("a.jsonl"), atomically: true, encoding: .utf8)
            let theirs = try await scene.signalWatch.pollSignalSource(.with { $0.name = "news" }, metadata: stranger)
            #expect(theirs.received == 1 && theirs.unmatched == 1 && theirs.alerts == 0)
            #expect(try await externalSignals(of: "D-S1", in: scene) == ["competitor_news"])
            let sibling = Caller(tenant: scene.admin.tenant, userID: "h.head", roles: [.manager], orgPath: "/east/h")
            #expect(try await scene.signalWatch.listCompetitorAlerts(.init(), metadata: try await scene.metadata(sibling)).alerts.isEmpty)
            #expect(try await scene.signalWatch.listCompetitorAlerts(.init(), metadata: try await scene.metadata(scene.rep)).alerts.count == 1)

            let admin = try await scene.metadata(scene.admin)
            let bad: [(Sales_Forecasting_V1_SignalSource, String)] = [
                (
                    .with {
                        $0.name = "news/x"; $0.kind = .file; $0.location = "news"
                    }, "source.name"
                ),
                (
                    .with {
                        $0.name = "up"; $0.kind = .file; $0.location = "../news"
                    }, "source.location"
                ),
                (
                    .with {
                        $0.name = "up"; $0.kind = .file; $0.location = "news"; $0.token = "t"
                    }, "source.token"
                ),
                (
                    .with {
                        $0.name = "up"; $0.kind = .httpRelay; $0.location = "file:///etc/passwd"
                    }, "source.location"
                ),
                (
                    .with {
                        $0.name = "up"; $0.kind = .httpRelay; $0.location = "https://relay.example.cn/s?x=1"
                    }, "source.location"
                ),
                (
                    .with {
                        $0.name = "up"; $0.kind = .httpRelay; $0.location = "https://user:pw@relay.example.cn"
                    }, "source.location"
                ),
                (
                    .with {
                        $0.name = "up"; $0.location = "news"
                    }, "source.kind"
                ),
            ]
            for (source, field) in bad {
                let error = await #expect(throws: RPCError.self) {
                    try await scene.signalWatch.saveSignalSource(.with { $0.source = source }, metadata: admin)
                }
                #expect(error?.code == .invalidArgument && error?.message.hasPrefix(field) == true, "\(field): \(error?.message.prefix(120) ?? "")")
                #expect((error?.message.count ?? .max) < 400)
            }
            // NUL, BEL and 100 KB in each text field (the kit's edge check), named, quoted short.
            let watch = scene.signalWatch
            func save(_ change: @escaping @Sendable (inout Sales_Forecasting_V1_SignalSource, String) -> Void)
                -> @Sendable (String) async throws -> Void
            {
                { text in
                    var source = Sales_Forecasting_V1_SignalSource.with {
                        $0.name = "up"; $0.kind = .httpRelay; $0.location = "https://relay.example.cn"
                    }
                    change(&source, text)
                    let sent = source
                    _ = try await watch.saveSignalSource(.with { $0.source = sent }, metadata: admin)
                }
            }
            await QuoteTests.expectRefused([
                ("source.name", save { $0.name = $1 }),
                ("source.location", save { $0.location = $1 }),
                ("source.token", save { $0.token = $1 }),
                ("name", { text in _ = try await watch.pollSignalSource(.with { $0.name = text }, metadata: admin) }),
            ])
            #expect(try await watch.listSignalSources(.init(), metadata: admin).sources.map(\.name) == ["news"], "nothing refused was kept")

            // A manager at the deal's own path sees its alert.
            let own = Caller(tenant: scene.admin.tenant, userID: "hz.head", roles: [.manager], orgPath: "/east/hz")
            #expect(try await watch.listCompetitorAlerts(.init(), metadata: try await scene.metadata(own)).alerts.map(\.dealID) == ["D-S1"])
            // The same idempotency key from another tenant's admin saves their own source.
            _ = try await watch.saveSignalSource(
                .with {
                    $0.source = .with {
                        $0.name = "keyed"; $0.kind = .file; $0.location = "mine"
                    }
                },
                metadata: try await scene.metadata(scene.admin, key: "same-key"))
            let theirSource = try await watch.saveSignalSource(
                .with {
                    $0.source = .with {
                        $0.name = "other-keyed"; $0.kind = .file; $0.location = "theirs"
                    }
                },
                metadata: try await scene.metadata(scene.stranger, key: "same-key"))
            #expect(theirSource.name == "other-keyed")
            #expect(try await watch.listSignalSources(.init(), metadata: stranger).sources.map(\.name) == ["news", "other-keyed"])

            let denied = await #expect(throws: RPCError.self) {
                try await scene.signalWatch.saveSignalSource(
                    .with {
                        $0.source = .with {
                            $0.name = "mine"; $0.kind = .file; $0.location = "mine"
                        }
                    }, metadata: try await scene.metadata(scene.rep))
            }
            #expect(denied?.code == .permissionDenied)

            // A folder nobody created: FAILED_PRECONDITION naming it, kept as the source's last error.
            try await saveFileSource("missing", folder: "not-there", in: scene)
            let missing = await #expect(throws: RPCError.self) {
                try await scene.signalWatch.pollSignalSource(.with { $0.name = "missing" }, metadata: admin)
            }
            #expect(missing?.code == .failedPrecondition && missing?.message.contains("not-there") == true)
            let listed = try await scene.signalWatch.listSignalSources(.init(), metadata: admin).sources
            #expect(listed.first { $0.name == "missing" }?.lastError.contains("not-there") == true)
        }
    }
}
