import GRPCCore

/// The gRPC error a call was refused with, or nil when it succeeded. A call that failed without a
/// gRPC status (the connection dropped, a response that did not decode) is returned as UNKNOWN:
/// never counted as a success.
package func refusal<Result>(_ body: () async throws -> Result) async -> RPCError? {
    do {
        _ = try await body()
        return nil
    } catch let error as RPCError {
        return error
    } catch {
        return RPCError(code: .unknown, message: "\(error)")
    }
}
