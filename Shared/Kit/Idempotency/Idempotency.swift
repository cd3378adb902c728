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
        guard isUsable(key) else {
            throw ServiceError.invalidArgument(field: "idempotency-key", rule: "must be 1 to 200 characters")
        }
        let tenant = try RequestContext.caller().tenant.rawValue
        let logger = RequestContext.logger
        return try await database.transaction { connection in
            let isFirst = try await !claim(method, [Call(tenant: tenant, key: key, request: request)], on: connection, logger: logger).isEmpty
            if isFirst {
                let response = try await body(connection)
                try await keep(response, tenant: tenant, key: key, on: connection, logger: logger)
                return response
            }
            let hash = try fingerprint(method: method, request: request)
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

extension Idempotency {
    /// One call of a batch written in a single transaction.
    public struct Call<Request: SwiftProtobuf.Message>: Sendable {
        public let tenant: String
        public let key: String
        public let request: Request

        public init(tenant: String, key: String, request: Request) {
            self.tenant = tenant
            self.key = key
            self.request = request
        }
    }

    /// Whether a key can be used at all (the single path refuses the others with the reason).
    public static func isUsable(_ key: String) -> Bool { (1...200).contains(key.count) }

    /// Claims the keys of a batch in one statement, inside the batch's transaction. Returns the
    /// indexes of the calls that are first uses; the others (repeats, or a key another
    /// transaction holds) go through `run`, which answers them as it answers any repeat.
    public static func claim<Request: SwiftProtobuf.Message>(
        _ method: String, _ calls: [Call<Request>], on connection: PostgresConnection, logger: Logger
    ) async throws -> Set<Int> {
        guard !calls.isEmpty else { return [] }
        let statement = ClaimKeys(
            tenants: calls.map(\.tenant), keys: calls.map(\.key), method: method,
            requestHashes: try calls.map { try fingerprint(method: method, request: $0.request) })
        var first: Set<String> = []
        for try await (tenant, key) in try await connection.execute(statement, logger: logger) { first.insert(tenant + "\u{0}" + key) }
        // A key repeated within the batch is claimed once: by its first call.
        var seen: Set<String> = []
        return Set(calls.indices.filter { index in
            let id = calls[index].tenant + "\u{0}" + calls[index].key
            return first.contains(id) && seen.insert(id).inserted
        })
    }

    /// Keeps a first call's response for its repeats, written with the transaction's last statement.
    public static func keep(
        _ response: some SwiftProtobuf.Message, tenant: String, key: String, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let answer = TransactionTail.Answer(tenant: tenant, key: key, response: ByteBuffer(bytes: try response.serializedBytes() as [UInt8]))
        if let pending = TransactionTail.current {
            pending.keep(answer)
        } else {
            try await Outbox.write([], answers: [answer], on: connection, logger: logger)
        }
    }
}
