import Crypto
import Foundation
import PostgresNIO
import SalesModel
import SwiftProtobuf

/// Runs a create or command at most once per `idempotency-key`: the same key with the same
/// request returns the first response; the same key with another request is INVALID_ARGUMENT.
/// The key is recorded in the transaction of the effect, so a rolled-back attempt leaves no trace
/// and a concurrent duplicate waits for the first to commit, then reads its response.
///
/// A stored response goes back only to the caller it was made for, and a repeat is shown
/// personal data as the caller may see it now (`PersonalDataMasking`), never as it was stored.
public enum Idempotency {
    /// `shared` overrides the client's key with one the tenant shares (an intake adapter keys on
    /// the channel's message id).
    public static func run<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ method: String, request: Request, database: Database, shared: String? = nil,
        body: @Sendable (PostgresConnection) async throws -> Response
    ) async throws -> Response {
        let context = RequestContext.current
        guard shared != nil || context?.idempotencyKey != nil else { return try await database.transaction(body) }
        let caller = try RequestContext.caller()
        // The client's key is scoped where the context says (RequestContext.idempotencyKey(of:)).
        guard let key = shared.map({ Key.shared($0, tenant: caller.tenant) }) ?? context?.idempotencyKey(of: caller) else {
            return try await database.transaction(body)
        }
        return try await run(method, request: request, key: key, caller: caller, database: database, body: body)
    }

    /// The same, for a key already resolved (a lead written alone after its batch failed).
    public static func run<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ method: String, request: Request, key: Key, caller: Caller, database: Database,
        body: @Sendable (PostgresConnection) async throws -> Response
    ) async throws -> Response {
        try await runOnce(method, request: request, key: key, caller: caller, database: database, body: body).response
    }

    /// A response, and whether it is the stored answer to an earlier use of the key.
    public struct Outcome<Response: Sendable>: Sendable {
        public let response: Response
        public let isRepeat: Bool

        public init(response: Response, isRepeat: Bool) {
            self.response = response
            self.isRepeat = isRepeat
        }
    }

    /// `run` for a caller that must tell a first call from a repeat (an import's "already imported").
    public static func runOnce<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ method: String, request: Request, key: Key, caller: Caller, database: Database,
        body: @Sendable (PostgresConnection) async throws -> Response
    ) async throws -> Outcome<Response> {
        guard key.isUsable else {
            throw ServiceError.invalidArgument(field: "idempotency-key", rule: "must be 1 to 200 characters")
        }
        let logger = RequestContext.logger
        return try await database.transaction { connection in
            let isFirst = try await !claim(method, [Call(key: key, caller: caller.userID, request: request)], on: connection, logger: logger).isEmpty
            if isFirst {
                let response = try await body(connection)
                try await keep(response, key: key, on: connection, logger: logger)
                return Outcome(response: response, isRepeat: false)
            }
            let stored: Response = try await replay(method, request: request, key: key, caller: caller, on: connection, logger: logger)
            return Outcome(response: stored, isRepeat: true)
        }
    }

    /// The stored answer to a repeat, once it is known to be the same request by the same caller.
    private static func replay<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ method: String, request: Request, key: Key, caller: Caller, on connection: PostgresConnection, logger: Logger
    ) async throws -> Response {
        let hash = try fingerprint(method: method, request: request)
        let rows = try await connection.query(
            """
            SELECT method, request_hash, caller_id, response FROM idempotency_keys
            WHERE tenant_id = \(key.tenant) AND scope = \(key.scope) AND key = \(key.text)
            """,
            logger: logger)
        for try await (storedMethod, storedHash, storedCaller, stored) in rows.decode((String, String, String, ByteBuffer?).self) {
            guard storedMethod == method, storedHash == hash, let stored else { break }
            guard storedCaller == caller.userID else {
                // Only a shared key gets here: the effect happened, but its answer was another caller's.
                throw ServiceError.alreadyExists(
                    "\(quoted: key.text) was already used by another caller of the tenant; the request took effect once, and its answer is theirs")
            }
            return PersonalData.shown(try Response(serializedBytes: Array(stored.readableBytesView)), to: caller)
        }
        throw ServiceError.invalidArgument(
            field: "idempotency-key",
            rule: "\(quoted: key.text) was already used for a different request; use a new key for a new request")
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
        public let key: Key
        /// The user id of the caller the answer is for.
        public let caller: String
        public let request: Request

        public init(key: Key, caller: String, request: Request) {
            self.key = key
            self.caller = caller
            self.request = request
        }
    }

    /// Claims the keys of a batch in one statement, inside the batch's transaction. Returns the
    /// indexes of the calls that are first uses; the others (repeats, or a key another
    /// transaction holds) go through `run`, which answers them as it answers any repeat.
    public static func claim<Request: SwiftProtobuf.Message>(
        _ method: String, _ calls: [Call<Request>], on connection: PostgresConnection, logger: Logger
    ) async throws -> Set<Int> {
        guard !calls.isEmpty else { return [] }
        let statement = ClaimKeys(
            keys: calls.map(\.key), callers: calls.map(\.caller), method: method,
            requestHashes: try calls.map { try fingerprint(method: method, request: $0.request) })
        var first: Set<Key> = []
        for try await key in try await connection.execute(statement, logger: logger) { first.insert(key) }
        // A key repeated within the batch is claimed once: by its first call.
        var seen: Set<Key> = []
        return Set(calls.indices.filter { index in first.contains(calls[index].key) && seen.insert(calls[index].key).inserted })
    }

    /// Keeps a first call's response for its repeats, written with the transaction's last statement.
    public static func keep(
        _ response: some SwiftProtobuf.Message, key: Key, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let answer = TransactionTail.Answer(key: key, response: ByteBuffer(bytes: try response.serializedBytes() as [UInt8]))
        if let pending = TransactionTail.current {
            pending.keep(answer)
        } else {
            try await Outbox.write([], answers: [answer], on: connection, logger: logger)
        }
    }
}
