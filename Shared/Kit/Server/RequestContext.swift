import GRPCCore
import Logging
import SalesModel

/// What the interceptors learned about the current call, visible to handlers as a task local.
public struct RequestContext: Sendable {
    public var requestID: String
    public var logger: Logger
    /// Set once the token is verified; nil only on exempt methods (health).
    public var caller: Caller?
    /// The verified bearer token, forwarded on calls this one makes to other services.
    public var bearerToken: String?
    /// The `idempotency-key` metadata entry, if the client sent one.
    public var idempotencyKey: String?
    /// `idempotency-scope: tenant`: the key names an effect the whole tenant shares (a
    /// conversion keyed on its lead), not one caller's request. The effect still happens once;
    /// its stored answer still goes back only to the caller it was made for.
    public var idempotencyKeyIsShared = false

    public init(
        requestID: String, logger: Logger, caller: Caller? = nil, bearerToken: String? = nil, idempotencyKey: String? = nil
    ) {
        self.requestID = requestID
        self.logger = logger
        self.caller = caller
        self.bearerToken = bearerToken
        self.idempotencyKey = idempotencyKey
    }

    @TaskLocal public static var current: RequestContext?

    /// The client's idempotency key, scoped as the client asked: to `caller`, or to the tenant.
    public func idempotencyKey(of caller: Caller) -> Idempotency.Key? {
        idempotencyKey.map { idempotencyKeyIsShared ? .shared($0, tenant: caller.tenant) : .client($0, caller: caller) }
    }

    /// The verified caller of the current call.
    public static func caller() throws(ServiceError) -> Caller {
        guard let caller = current?.caller else { throw .unauthenticated("this call needs a bearer token") }
        return caller
    }

    /// The caller, when they hold `permission`; else PERMISSION_DENIED saying what `action` needs.
    public static func caller(allowedTo permission: Permission, _ action: String) throws(ServiceError) -> Caller {
        let caller = try caller()
        guard caller.may(permission) else { throw .permissionDenied("\(action) needs \(permission.holders)") }
        return caller
    }

    public static var logger: Logger { current?.logger ?? Logger(label: "sales") }
}

extension StreamingServerResponse {
    /// Runs the response's producer, which executes after the interceptor has returned, with `wrap`.
    func wrappingProducer(
        _ wrap: @escaping @Sendable (_ produce: @Sendable () async throws -> Metadata) async throws -> Metadata
    ) -> Self {
        guard case .success(var contents) = accepted else { return self }
        let producer = contents.producer
        contents.producer = { writer in try await wrap { try await producer(writer) } }
        return StreamingServerResponse(accepted: .success(contents))
    }
}
