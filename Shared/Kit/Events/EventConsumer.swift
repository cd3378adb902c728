import Foundation
import GRPCCore
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceLifecycle
import SwiftProtobuf

/// Follows another service's event feed and applies each event exactly once: the effect, the
/// applied event id and the cursor are written in one transaction. Delivery is at least once
/// (a crash before commit means the event comes again); the applied-id record turns a repeat
/// into a no-op. Reconnects with backoff when the producer is away.
public struct EventConsumer: Service {
    public typealias Handler = @Sendable (Sales_Common_V1_EventEnvelope, PostgresConnection) async throws -> Void

    public let name: String
    let source: PeerClient
    let database: Database
    let eventTypes: [String]
    let serviceToken: @Sendable () async throws -> String
    let readiness: HealthStatus?
    let handler: Handler

    public init(
        name: String, source: PeerClient, database: Database, eventTypes: [String],
        serviceToken: @escaping @Sendable () async throws -> String,
        startsAfter readiness: HealthStatus? = nil, handler: @escaping Handler
    ) {
        self.name = name
        self.source = source
        self.database = database
        self.eventTypes = eventTypes
        self.serviceToken = serviceToken
        self.readiness = readiness
        self.handler = handler
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
            var applied = 0
            for try await event in response.messages {
                try await apply(event, logger: logger)
                applied += 1
            }
            return applied
        }
    }

    func loadCursor() async throws -> Int64 {
        let rows = try await database.query("SELECT last_sequence FROM consumer_cursors WHERE consumer = \(name)")
        for try await sequence in rows.decode(Int64.self) { return sequence }
        return 0
    }

    func apply(_ event: Sales_Common_V1_EventEnvelope, logger: Logger) async throws {
        guard let eventID = UUID(uuidString: event.eventID) else {
            logger.error("skipping an event with a malformed id", metadata: ["sequence": "\(event.sequence)"])
            return
        }
        try await database.transaction { connection in
            let inserted = try await connection.query(
                """
                INSERT INTO consumer_applied_events (consumer, event_id, sequence) VALUES (\(name), \(eventID), \(event.sequence))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger)
            var isNew = false
            for try await _ in inserted { isNew = true }
            if isNew { try await handler(event, connection) }
            try await connection.query(
                """
                INSERT INTO consumer_cursors (consumer, last_sequence) VALUES (\(name), \(event.sequence))
                ON CONFLICT (consumer) DO UPDATE
                SET last_sequence = GREATEST(consumer_cursors.last_sequence, EXCLUDED.last_sequence), updated_at = now()
                """, logger: logger)
        }
    }
}
