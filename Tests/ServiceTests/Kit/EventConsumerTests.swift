import Foundation
import Logging
import PostgresNIO
import SalesControl
import SalesModel
import SalesProto
import SwiftProtobuf
import Synchronization
import TestSupport
import Testing

@testable import ServiceKit

/// A consumer's transaction: the events not applied before reach the handler together, in feed
/// order, once each (a repeat within the batch or from an earlier batch is left out), and the
/// cursor moves past the last event even when none was new.
@Suite struct EventConsumerTests {
    @Test func aBatchHandlerGetsEachNewEventOnceInOrderInOneCall() async throws {
        let bootstrap = try await TestEnvironment.freshDatabase(prefix: "consumer")
        let database = Database(url: bootstrap.url(for: .forecasting), schema: "forecasting", logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            defer { group.cancelAll() }
            try await Migrator(schema: "forecasting", migrations: KitMigrations.all).run(on: database)
            let calls = Mutex<[[Int64]]>([])
            let consumer = EventConsumer(
                name: "test.batches", source: try PeerClient(.opportunities, at: PeerAddress(host: "127.0.0.1", port: 1)),
                database: database, eventTypes: ["Thing"], serviceToken: { "" }
            ) { (events: [Sales_Common_V1_EventEnvelope], _) in
                calls.withLock { $0.append(events.map(\.sequence)) }
            }
            let events = (1...4).map { sequence in
                Sales_Common_V1_EventEnvelope.with {
                    $0.eventID = UUID().uuidString
                    $0.sequence = Int64(sequence)
                    $0.eventType = "Thing"
                }
            }
            let logger = Logger(label: "test")
            try await consumer.apply([events[0], events[1], events[0], events[2]], logger: logger)
            try await consumer.apply([events[1], events[3]], logger: logger)
            try await consumer.apply([events[2]], logger: logger)
            #expect(calls.withLock { $0 } == [[1, 2, 3], [4]], "one call a transaction, repeats left out, none for a batch of repeats")
            #expect(try await consumer.loadCursor() == 4, "the cursor stays at the furthest event applied")
        }
    }
}
