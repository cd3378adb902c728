import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

@testable import ForecastingService

/// A signal about a customer with no open deal is kept as unmatched; a deal of that customer that
/// appears on the feed later starts with the signals of the 90 days before it, once each.
@Suite struct SignalCarryOverTests {
    @Test func aDealThatAppearsLaterPicksUpTheSignalsAboutItsCustomer() async throws {
        try await ForecastScene.hosted { scene in
            let helper = SignalWatchTests()
            try await helper.saveFileSource("news", folder: "news-feed", in: scene)
            let folder = try scene.sourceFolder("news-feed")
            let long = Date().addingTimeInterval(-200 * 86_400).formatted(.iso8601)
            try [
                SignalWatchTests.line(["id": "t1", "signal": "tender_published", "at": SignalWatchTests.twoDaysAgo, "customer_id": "C-late"]),
                SignalWatchTests.line(["id": "t0", "signal": "capital_increase", "at": long, "customer_id": "C-late"]),
                SignalWatchTests.line(["id": "o1", "signal": "tender_published", "at": SignalWatchTests.twoDaysAgo, "customer_id": "C-other"]),
            ].joined(separator: "\n").write(to: folder.appendingPathComponent("1.jsonl"), atomically: true, encoding: .utf8)
            let polled = try await scene.signalWatch.pollSignalSource(.with { $0.name = "news" }, metadata: try await scene.metadata(scene.admin))
            #expect(polled.unmatched == 3, "\(polled)")

            // The deal arrives by the feed, as the consumer applies it.
            let recorder = FeedRecorder(
                history: HistoryStore(database: scene.database),
                signals: SignalSourceStore(database: scene.database, sealing: SealedText(secret: "test-secret", label: "test")),
                logger: Logger(label: "test"))
            let created = Sales_Opportunities_V1_OpportunityCreated.with {
                $0.opportunity = .with {
                    $0.id = "D-LATE"
                    $0.ownerID = "rep01"
                    $0.orgPath = "/east/hz"
                    $0.customerType = "enterprise"
                    $0.customerID = "C-late"
                    $0.amount = .init(minorUnits: 20_000_000, currency: "CNY")
                    $0.createdAt = Google_Protobuf_Timestamp(date: Date().addingTimeInterval(-3_600))
                    $0.stageKey = "初步接触"
                }
            }
            let envelope = try Sales_Common_V1_EventEnvelope.with {
                $0.eventID = UUID().uuidString
                $0.tenantID = scene.admin.tenant.rawValue
                $0.eventType = Sales_Opportunities_V1_OpportunityCreated.protoMessageName
                $0.payloadJson = try created.jsonString()
            }
            try await scene.database.transaction { connection in try await recorder.apply(envelope, on: connection) }
            // The tender of two days ago counts; the capital increase of 200 days ago and another customer's tender do not.
            #expect(try await helper.externalSignals(of: "D-LATE", in: scene) == ["tender_published"])
            // The same event again changes nothing: the deal is known.
            try await scene.database.transaction { connection in try await recorder.apply(envelope, on: connection) }
            #expect(try await helper.externalSignals(of: "D-LATE", in: scene) == ["tender_published"])
        }
    }
}
