import GRPCCore
import Logging
import PostgresNIO
import SwiftProtobuf

/// Turns any error escaping a handler into an RPCError with a precise code, so nothing ends as
/// UNKNOWN. Unexpected errors are logged in full and reported with the request id to quote.
enum ErrorClassifier {
    static func rpcError(for error: any Error, requestID: String, logger: Logger) -> RPCError {
        switch error {
        case let error as RPCError:
            // Inner interceptors wrap a handler's plain error as UNKNOWN with the error as cause.
            if error.code == .unknown, let cause = error.cause { return rpcError(for: cause, requestID: requestID, logger: logger) }
            if error.code == .invalidArgument, let cause = error.cause as? BinaryDecodingError {
                let what =
                    cause == .invalidUTF8 ? "a text field is not valid UTF-8; send text as UTF-8" : "it is not a valid protobuf message (\(cause))"
                return RPCError(code: .invalidArgument, message: "the request could not be read: \(what)")
            }
            // Only the code and message go on: an error a peer answered carries that peer's response
            // metadata, which sent again as this call's trailers broke the caller's stream.
            return RPCError(code: error.code, message: error.message)
        case let error as any RPCErrorConvertible:
            return RPCError(error)
        case is CancellationError:
            return RPCError(code: .cancelled, message: "the call was cancelled")
        case let error as PSQLError
        where error.code == .connectionError || error.code == .serverClosedConnection
            || error.code == .poolClosed:
            logger.error("database unreachable", metadata: ["error": "\(String(reflecting: error))"])
            return RPCError(code: .unavailable, message: "the database is unreachable; retry later (request \(requestID))")
        case let error as PSQLError where error.isConcurrencyConflict:
            logger.notice("transaction aborted by a concurrent one", metadata: ["error": "\(String(reflecting: error))"])
            return RPCError(code: .aborted, message: "a concurrent change to the same records won; nothing was written, send the call again")
        case let error as PSQLError where error.isUnstorableText:
            // Text the edge check let through but Postgres cannot store: still the caller's input.
            logger.warning("text refused by the database", metadata: ["error": "\(String(reflecting: error))"])
            return RPCError(
                code: .invalidArgument,
                message:
                    "a text value cannot be stored (\(error.serverInfo?[.message] ?? "refused by the database")); remove control characters or shorten it"
            )
        default:
            logger.error("unexpected error", metadata: ["error": "\(String(reflecting: error))"])
            return RPCError(code: .internalError, message: "internal error; quote request \(requestID) when reporting it")
        }
    }
}
