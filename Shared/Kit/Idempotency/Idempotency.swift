import Crypto
import Foundation
import PostgresNIO
import SwiftProtobuf

/// Runs a create or command at most once per `idempotency-key`: the same key with the same
/// request returns the first response; the same key with another request is INVALID_ARGUMENT.
/// The key is recorded in the transaction of the effect, so a rolled-back attempt leaves no trace
/// and a concurrent duplicate waits for the first to commit, then reads its response.
public enum Idempotency {
    /// `key` overrides the client's `idempotency-key` (an intake adapter keys on the channel's message id).
    public static func run<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ method: String, request: Request, database: Database, key: String? = nil,
        body: @Sendable (PostgresConnection) async throws -> Response
    ) async throws -> Response {
        guard let key = key ?? RequestContext.current?.idempotencyKey else { return try await database.transaction(body) }
        guard (1...200).contains(key.count) else {
            throw ServiceError.invalidArgument(field: "idempotency-key", rule: "must be 1 to 200 characters")
        }
        let tenant = try RequestContext.caller().tenant.rawValue
        let hash = try fingerprint(method: method, request: request)
        let logger = RequestContext.logger
        return try await database.transaction { connection in
            let claimed = try await connection.query(
                """
                INSERT INTO idempotency_keys (tenant_id, key, method, request_hash) VALUES (\(tenant), \(key), \(method), \(hash))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger)
            var isFirst = false
            for try await _ in claimed { isFirst = true }
            if isFirst {
                let response = try await body(connection)
                let bytes = ByteBuffer(bytes: try response.serializedBytes() as [UInt8])
                try await connection.query(
                    "UPDATE idempotency_keys SET response = \(bytes) WHERE tenant_id = \(tenant) AND key = \(key)",
                    logger: logger)
                return response
            }
            let rows = try await connection.query(
                "SELECT method, request_hash, response FROM idempotency_keys WHERE tenant_id = \(tenant) AND key = \(key)",
                logger: logger)
            for try await (storedMethod, storedHash, stored) in rows.decode((String, String, ByteBuffer?).self) {
                guard storedMethod == method, storedHash == hash, let stored else { break }
                return try Response(serializedBytes: Array(stored.readableBytesView))
            }
            throw ServiceError.invalidArgument(
                field: "idempotency-key",
                rule: "\"\(key)\" was already used for a different request; use a new key for a new request")
        }
    }

    static func fingerprint(method: String, request: some SwiftProtobuf.Message) throws -> String {
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        let bytes: [UInt8] = try request.serializedBytes(options: options)
        var hasher = SHA256()
        hasher.update(data: Data(method.utf8))
        hasher.update(data: bytes)
        return hasher.finalize().hexEncoded
    }
}
