import Logging
import PostgresNIO
import SalesControl
import SalesModel
import SalesProto
import TestSupport
import Testing

@testable import ServiceKit

/// The event feed's reads: a subscriber of a rare type passes over the events it does not want a
/// window at a time and never reads them again; a full page resumes after its last event.
@Suite struct EventFeedTests {
    @Test func aRareTypesSubscriberPassesOverOtherEventsOnceAndAFullPageResumesAfterItsLastEvent() async throws {
        let bootstrap = try await TestEnvironment.freshDatabase(prefix: "feed")
        let database = Database(url: bootstrap.url(for: .leads), schema: "leads", logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            defer { group.cancelAll() }
            try await Migrator(schema: "leads", migrations: KitMigrations.all).run(on: database)
            // 25,000 common events, then one rare one, then 700 more common ones.
            for (type, count) in [("Common", 25_000), ("Rare", 1), ("Common", 700)] {
                try await database.query(
                    """
                    INSERT INTO outbox (event_id, tenant_id, aggregate_type, aggregate_id, event_type, payload)
                    SELECT gen_random_uuid(), 'feed', 'thing', \(type), \(type), '{}' FROM generate_series(1, \(count))
                    """)
            }
            let first = try await database.query("SELECT min(sequence) FROM outbox").collect()[0].decode(Int64.self) - 1
            let feed = EventFeedService(database: database, draining: DrainSignal())

            var cursor = first
            var reads: [(events: Int, next: Int64, hasMore: Bool)] = []
            repeat {
                let page = try await feed.fetch(after: cursor, types: ["Rare"])
                reads.append((page.events.count, page.next - first, page.hasMore))
                if let event = page.events.first { #expect(event.aggregateID == "Rare") }
                cursor = page.next
            } while reads.last!.hasMore
            #expect(reads.map(\.events) == [0, 0, 1])
            #expect(reads.map(\.next) == [10_000, 20_000, 25_701], "each read passes over at most one window")
            let idle = try await feed.fetch(after: cursor, types: ["Rare"])
            #expect(idle.events.isEmpty && idle.next == cursor && !idle.hasMore)

            let page = try await feed.fetch(after: first, types: [])
            #expect(page.events.count == feed.batchSize && page.hasMore)
            #expect(page.next == page.events.last!.sequence, "a full page resumes after its last event, not the window's end")
        }
    }
}
