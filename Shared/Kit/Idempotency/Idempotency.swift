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
            let isFirst = try await !claim(method, [Call(key: key, caller: caller, request: request)], on: connection, logger: logger).isEmpty
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
        let call = Call(key: key, caller: caller, request: request)
        switch try await stored(method, [call], as: Response.self, on: connection, logger: logger)[0] {
        case .success(let response): return response
        case .failure(let error): throw error
        case nil: throw differentRequest(key)
        }
    }

    /// The stored answers to repeats, read after `claim` in the same transaction, one statement for
    /// a batch: for each call its answer as its caller may see it now, or the error a repeat gets;
    /// nil where no answer is stored yet (a key repeated within one batch), for `run` to settle
    /// after the commit.
    public static func stored<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ method: String, _ calls: [Call<Request>], as: Response.Type, on connection: PostgresConnection, logger: Logger
    ) async throws -> [Result<Response, ServiceError>?] {
        var answers = [Result<Response, ServiceError>?](repeating: nil, count: calls.count)
        guard !calls.isEmpty else { return answers }
        var binds = PostgresBindings(capacity: 3)
        binds.append(calls.map(\.key.tenant))
        binds.append(calls.map(\.key.scope))
        binds.append(calls.map(\.key.text))
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT a.n, k.method, k.request_hash, k.caller_id, k.response
                    FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS a (tenant_id, scope, key, n)
                    JOIN idempotency_keys k ON (k.tenant_id, k.scope, k.key) = (a.tenant_id, a.scope, a.key)
                    """, binds: binds),
            logger: logger)
        for try await (position, storedMethod, storedHash, storedCaller, stored) in rows.decode((Int64, String, String, String, ByteBuffer?).self) {
            let index = Int(position) - 1
            let call = calls[index]
            guard storedMethod == method, storedHash == (try fingerprint(method: method, request: call.request)) else {
                answers[index] = .failure(differentRequest(call.key))
                continue
            }
            guard let stored else { continue }
            guard storedCaller == call.caller.userID else {
                // Only a shared key gets here: the effect happened, but its answer was another caller's.
                answers[index] = .failure(
                    .alreadyExists(
                        "\(quoted: call.key.text) was already used by another caller of the tenant; the request took effect once, and its answer is theirs"
                    ))
                continue
            }
            answers[index] = .success(PersonalData.shown(try Response(serializedBytes: Array(stored.readableBytesView)), to: call.caller))
        }
        return answers
    }

    private static func differentRequest(_ key: Key) -> ServiceError {
        .invalidArgument(
            field: "idempotency-key", rule: "\(quoted: key.text) was already used for a different request; use a new key for a new request")
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
        /// Whom the answer is for.
        public let caller: Caller
        public let request: Request

        public init(key: Key, caller: Caller, request: Request) {
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
            keys: calls.map(\.key), callers: calls.map(\.caller.userID), method: method,
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
