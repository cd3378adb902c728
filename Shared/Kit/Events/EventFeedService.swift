import Foundation
import GRPCCore
import PostgresNIO
import SalesModel
import SalesProto
import SwiftProtobuf

/// Serves this service's outbox as sales.common.v1.EventFeed: every event after a cursor, in
/// commit order, then (with `follow`) new ones as they commit. Only service tokens may read it.
struct EventFeedService: Sales_Common_V1_EventFeed.SimpleServiceProtocol {
    let database: Database
    let draining: DrainSignal
    var pollInterval: Duration = .milliseconds(100)
    var batchSize = 500
    /// How many sequences one read passes over at most, matching or not.
    var scanWindow = 10_000

    func subscribe(
        request: Sales_Common_V1_SubscribeRequest,
        response: RPCWriter<Sales_Common_V1_EventEnvelope>,
        context: ServerContext
    ) async throws {
        guard try RequestContext.caller().isService else {
            throw ServiceError.permissionDenied("the event feed is for the platform's services: use a service token")
        }
        guard request.afterSequence >= 0 else {
            throw ServiceError.invalidArgument(field: "after_sequence", rule: "must be 0 or a sequence from this feed")
        }
        var cursor = request.afterSequence
        let types = request.eventTypes
        while !Task.isCancelled, !draining.isDraining {
            let page = try await fetch(after: cursor, types: types)
            for event in page.events { try await response.write(event) }
            cursor = page.next
            if !page.hasMore {
                guard request.follow else { return }
                try await Task.sleep(for: pollInterval)
            }
        }
    }

    /// A read of the feed: the events to send, where the next read starts, and whether it should
    /// start at once (a full page, or a full window passed over).
    struct Page {
        var events: [Sales_Common_V1_EventEnvelope]
        var next: Int64
        var hasMore: Bool
    }

    /// The events of `types` among the next `scanWindow` sequences after the cursor. The cursor
    /// moves past the window even when none of it matched: a subscriber of a rare type would
    /// otherwise read every later event again on each poll, a cost that grows with the outbox.
    /// Passing over is safe because sequences commit in order (`Outbox`): once the window's last
    /// sequence is visible, no smaller one can still appear.
    func fetch(after cursor: Int64, types: [String]) async throws -> Page {
        let window = try await database.query(
            """
            SELECT max(sequence), count(*)::integer
            FROM (SELECT sequence FROM outbox WHERE sequence > \(cursor) ORDER BY sequence LIMIT \(scanWindow)) w
            """)
        var end: Int64?
        var scanned = 0
        for try await (last, count) in window.decode((Int64?, Int).self) { (end, scanned) = (last, count) }
        guard let end else { return Page(events: [], next: cursor, hasMore: false) }
        let events = try await events(after: cursor, through: end, types: types)
        let isFull = events.count == batchSize
        return Page(events: events, next: isFull ? events[events.count - 1].sequence : end, hasMore: isFull || scanned == scanWindow)
    }

    private func events(after cursor: Int64, through end: Int64, types: [String]) async throws -> [Sales_Common_V1_EventEnvelope] {
        let rows = try await database.query(
            """
            SELECT sequence, event_id, tenant_id, aggregate_type, aggregate_id, event_type, occurred_at, payload::text
            FROM outbox
            WHERE sequence > \(cursor) AND sequence <= \(end)
              AND (cardinality(\(types)::text[]) = 0 OR event_type = ANY(\(types)::text[]))
            ORDER BY sequence LIMIT \(batchSize)
            """)
        var events: [Sales_Common_V1_EventEnvelope] = []
        for try await (sequence, eventID, tenant, aggregateType, aggregateID, eventType, occurredAt, payload)
            in rows.decode((Int64, UUID, String, String, String, String, Date, String).self)
        {
            events.append(
                .with {
                    $0.sequence = sequence
                    $0.eventID = eventID.uuidString.lowercased()
                    $0.tenantID = tenant
                    $0.aggregateType = aggregateType
                    $0.aggregateID = aggregateID
                    $0.eventType = eventType
                    $0.occurredAt = Google_Protobuf_Timestamp(date: occurredAt)
                    $0.payloadJson = payload
                })
        }
        return events
    }
}
