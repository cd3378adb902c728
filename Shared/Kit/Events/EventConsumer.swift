import Foundation
import GRPCCore
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceLifecycle
import SwiftProtobuf

/// Follows another service's event feed and applies each event exactly once: the effects, the
/// applied event ids and the cursor are written in one transaction (one per batch of the events
/// that arrived while the previous batch was applied). Delivery is at least once
/// (a crash before commit means the event comes again); the applied-id record turns a repeat
/// into a no-op. Reconnects with backoff when the producer is away.
public struct EventConsumer: Service {
    public typealias Handler = @Sendable (Sales_Common_V1_EventEnvelope, PostgresConnection) async throws -> Void
    /// A transaction's new events, in feed order: for handlers that write a batch in one
    /// statement, where a statement per event would cost a round trip each (a 100,000-row
    /// payment file is 100,000 events).
    public typealias BatchHandler = @Sendable ([Sales_Common_V1_EventEnvelope], PostgresConnection) async throws -> Void

    public let name: String
    let source: PeerClient
    let database: Database
    let eventTypes: [String]
    let serviceToken: @Sendable () async throws -> String
    let readiness: HealthStatus?
    let handler: BatchHandler

    public init(
        name: String, source: PeerClient, database: Database, eventTypes: [String],
        serviceToken: @escaping @Sendable () async throws -> String,
        startsAfter readiness: HealthStatus? = nil, batchHandler: @escaping BatchHandler
    ) {
        self.name = name
        self.source = source
        self.database = database
        self.eventTypes = eventTypes
        self.serviceToken = serviceToken
        self.readiness = readiness
        self.handler = batchHandler
    }

    /// A consumer whose handler takes the events one at a time.
    public init(
        name: String, source: PeerClient, database: Database, eventTypes: [String],
        serviceToken: @escaping @Sendable () async throws -> String,
        startsAfter readiness: HealthStatus? = nil, handler: @escaping Handler
    ) {
        self.init(
            name: name, source: source, database: database, eventTypes: eventTypes, serviceToken: serviceToken, startsAfter: readiness
        ) { events, connection in
            for event in events { try await handler(event, connection) }
        }
    }

    public func run() async throws {
        var logger = database.logger
        logger[metadataKey: "consumer"] = "\(name)"
        let feed = Sales_Common_V1_EventFeed.Client(wrapping: source.grpc)
        await cancelWhenGracefulShutdown { [logger] in
            // The consumer's tables exist once the host has migrated and turned SERVING.
            while let readiness, !readiness.isServing, !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(50))
            }
            var failures = 0
            while !Task.isCancelled {
                do {
                    let applied = try await follow(feed, logger: logger)
                    if applied > 0 { failures = 0 }
                } catch {
                    if Task.isCancelled { break }
                    failures += 1
                    logger.warning(
                        "event stream interrupted; reconnecting",
                        metadata: [
                            "source": "\(source.service.rawValue)", "error": "\(error)",
                        ])
                }
                let delay = Duration.milliseconds(min(5000, 100 * (1 << min(failures, 6))))
                try? await Task.sleep(for: delay)
            }
        }
    }

    /// Subscribes from the stored cursor and applies events until the stream ends; returns how many.
    private func follow(_ feed: Sales_Common_V1_EventFeed.Client<some ClientTransport>, logger: Logger) async throws -> Int {
        let cursor = try await loadCursor()
        let token = try await serviceToken()
        let request = Sales_Common_V1_SubscribeRequest.with {
            $0.afterSequence = cursor
            $0.eventTypes = eventTypes
            $0.follow = true
        }
        return try await feed.subscribe(request, metadata: ["authorization": "Bearer \(token)"]) { response in
            // The stream is read by its own task, so events that arrive while a batch is being
            // applied wait in `arrivals` and go together in the next transaction.
            let arrivals = ArrivalBatches<Sales_Common_V1_EventEnvelope>(capacity: Self.batchLimit * 2)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        for try await event in response.messages {
                            guard await arrivals.push(event) else { return }
                        }
                        arrivals.finish()
                    } catch {
                        arrivals.finish(throwing: error)
                    }
                }
                defer {
                    arrivals.close()
                    group.cancelAll()
                }
                var applied = 0
                while let batch = try await arrivals.next(limit: Self.batchLimit) {
                    do {
                        try await apply(batch, logger: logger)
                    } catch  where batch.count > 1 {
                        // One failing event must not hold back those before it: apply them singly,
                        // so the failure comes from that event alone, with the cursor just before it.
                        for event in batch { try await apply([event], logger: logger) }
                    }
                    applied += batch.count
                }
                return applied
            }
        }
    }

    func loadCursor() async throws -> Int64 {
        let rows = try await database.query("SELECT last_sequence FROM consumer_cursors WHERE consumer = \(name)")
        for try await sequence in rows.decode(Int64.self) { return sequence }
        return 0
    }

    /// The most events applied in one transaction.
    static let batchLimit = 200

    /// Applies `events` in one transaction: those not applied before go to the handler together,
    /// in order, and the cursor moves past the last.
    func apply(_ events: [Sales_Common_V1_EventEnvelope], logger: Logger) async throws {
        guard let last = events.last else { return }
        let identified = events.compactMap { event -> (event: Sales_Common_V1_EventEnvelope, id: UUID)? in
            guard let id = UUID(uuidString: event.eventID) else {
                logger.error("skipping an event with a malformed id", metadata: ["sequence": "\(event.sequence)"])
                return nil
            }
            return (event, id)
        }
        try await database.transaction { connection in
            var fresh = Set<UUID>()
            if !identified.isEmpty {
                let inserted = try await connection.query(
                    """
                    INSERT INTO consumer_applied_events (consumer, event_id, sequence)
                    SELECT \(name), e.id, e.sequence FROM unnest(\(identified.map(\.id))::uuid[], \(identified.map(\.event.sequence))::bigint[])
                        AS e (id, sequence)
                    ON CONFLICT DO NOTHING RETURNING event_id
                    """, logger: logger)
                for try await id in inserted.decode(UUID.self) { fresh.insert(id) }
            }
            // `remove` answers true once per id, so an event repeated within the batch applies once.
            let new = identified.filter { fresh.remove($0.id) != nil }.map(\.event)
            if !new.isEmpty { try await handler(new, connection) }
            try await connection.query(
                """
                INSERT INTO consumer_cursors (consumer, last_sequence) VALUES (\(name), \(last.sequence))
                ON CONFLICT (consumer) DO UPDATE
                SET last_sequence = GREATEST(consumer_cursors.last_sequence, EXCLUDED.last_sequence), updated_at = now()
                """, logger: logger)
        }
    }
}
