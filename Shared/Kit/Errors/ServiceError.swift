import GRPCCore

/// A failure a client can act on, mapped to the precise gRPC status. Messages name the field and
/// the rule broken, or the missing requirement; they never leak internals.
public enum ServiceError: Error, Sendable, Equatable, RPCErrorConvertible {
    /// `field` is the request field's path, e.g. "expected_amount.minor_units".
    case invalidArgument(field: String, rule: String)
    /// Also what out-of-scope records read as: never "exists but forbidden".
    case notFound(kind: String, id: String)
    case failedPrecondition(String)
    case alreadyExists(String)
    case unauthenticated(String)
    case permissionDenied(String)
    case unavailable(String)

    public var rpcErrorCode: RPCError.Code {
        switch self {
        case .invalidArgument: .invalidArgument
        case .notFound: .notFound
        case .failedPrecondition: .failedPrecondition
        case .alreadyExists: .alreadyExists
        case .unauthenticated: .unauthenticated
        case .permissionDenied: .permissionDenied
        case .unavailable: .unavailable
        }
    }

    /// The status's canonical name, as a bulk command reports an item's refusal: FAILED_PRECONDITION.
    public var statusName: String {
        "\(rpcErrorCode)".reduce(into: "") { name, character in
            if character.isUppercase { name += "_" }
            name += character.uppercased()
        }
    }

    public var rpcErrorMessage: String {
        let message =
            switch self {
            case .invalidArgument(let field, let rule): "\(field): \(rule)"
            case .notFound(let kind, let id):
                id.count > Self.longestID ? "\(kind) \(id.prefix(Self.longestID))… not found" : "\(kind) \(id) not found"
            case .failedPrecondition(let message), .alreadyExists(let message), .unauthenticated(let message),
                .permissionDenied(let message), .unavailable(let message):
                message
            }
        // The message travels in a header: kept well under clients' header limits (16 KB in grpcio).
        return message.count > Self.longestMessage ? message.prefix(Self.longestMessage) + "…" : message
    }

    static let longestID = 64
    static let longestMessage = 2_000

    /// The same error with its field named inside `parent` ("receipt.items[0].sku"), for a check
    /// of a nested message that names fields from its own root.
    public func within(_ parent: String) -> ServiceError {
        guard case .invalidArgument(let field, let rule) = self else { return self }
        return .invalidArgument(field: "\(parent).\(field)", rule: rule)
    }

    public var rpcErrorMetadata: Metadata {
        if case .invalidArgument(let field, _) = self { return ["field": "\(field)"] }
        return [:]
    }
}
