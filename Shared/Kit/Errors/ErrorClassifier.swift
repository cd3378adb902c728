import GRPCCore
import Logging
import PostgresNIO

/// Turns any error escaping a handler into an RPCError with a precise code, so nothing ends as
/// UNKNOWN. Unexpected errors are logged in full and reported with the request id to quote.
enum ErrorClassifier {
    static func rpcError(for error: any Error, requestID: String, logger: Logger) -> RPCError {
        switch error {
        case let error as RPCError:
            // Inner interceptors wrap a handler's plain error as UNKNOWN with the error as cause.
            if error.code == .unknown, let cause = error.cause { return rpcError(for: cause, requestID: requestID, logger: logger) }
            return error
        case let error as any RPCErrorConvertible:
            return RPCError(error)
        case is CancellationError:
            return RPCError(code: .cancelled, message: "the call was cancelled")
        case let error as PSQLError where error.code == .connectionError || error.code == .serverClosedConnection
            || error.code == .poolClosed:
            logger.error("database unreachable", metadata: ["error": "\(String(reflecting: error))"])
            return RPCError(code: .unavailable, message: "the database is unreachable; retry later (request \(requestID))")
        default:
            logger.error("unexpected error", metadata: ["error": "\(String(reflecting: error))"])
            return RPCError(code: .internalError, message: "internal error; quote request \(requestID) when reporting it")
        }
    }
}
