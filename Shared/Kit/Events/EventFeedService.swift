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
            let batch = try await fetch(after: cursor, types: types)
            for event in batch {
                try await response.write(event)
                cursor = event.sequence
            }
            if batch.count < batchSize {
                guard request.follow else { return }
                try await Task.sleep(for: pollInterval)
            }
        }
    }

    private func fetch(after cursor: Int64, types: [String]) async throws -> [Sales_Common_V1_EventEnvelope] {
        let rows = try await database.query(
            """
            SELECT sequence, event_id, tenant_id, aggregate_type, aggregate_id, event_type, occurred_at, payload::text
            FROM outbox
            WHERE sequence > \(cursor) AND (cardinality(\(types)::text[]) = 0 OR event_type = ANY(\(types)::text[]))
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
