import Foundation
import GRPCCore
import Logging
import SalesModel

/// Verifies `authorization: Bearer …` on every call but health checks, and makes the caller
/// available to the handler through `RequestContext`.
struct AuthInterceptor: ServerInterceptor {
    let authority: TokenAuthority
    /// Fully qualified services that need no token (health, the dev token issuer).
    let exemptServices: Set<String>
    /// Methods that need no token, "service/method".
    let exemptMethods: Set<String>

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        var requestContext = RequestContext.current ?? RequestContext(requestID: "-", logger: RequestContext.logger)
        let exempt =
            exemptServices.contains(context.descriptor.service.fullyQualifiedService)
            || exemptMethods.contains(context.descriptor.fullyQualifiedMethod)
        let header = request.metadata[stringValues: "authorization"].first(where: { _ in true })
        if let header {
            guard header.hasPrefix("Bearer ") || header.hasPrefix("bearer ") else {
                throw RPCError(code: .unauthenticated, message: "the authorization header must read \"Bearer <token>\"")
            }
            // Blanks trimmed by hand: Foundation's trimmingCharacters showed in every call's profile.
            var token = header.dropFirst("Bearer ".count)
            while token.first?.isWhitespace == true { token.removeFirst() }
            while token.last?.isWhitespace == true { token.removeLast() }
            let bearer = String(token)
            do {
                requestContext.caller = try await authority.verify(bearer)
            } catch {
                throw RPCError(error)
            }
            requestContext.bearerToken = bearer
            requestContext.logger[metadataKey: "tenant"] = "\(requestContext.caller!.tenant)"
            requestContext.logger[metadataKey: "user"] = "\(requestContext.caller!.userID)"
        } else if !exempt {
            throw RPCError(code: .unauthenticated, message: "missing authorization metadata: send \"authorization: Bearer <token>\"")
        }
        let bound = requestContext
        let response = try await RequestContext.$current.withValue(bound) { try await next(request, context) }
        return response.wrappingProducer { produce in
            try await RequestContext.$current.withValue(bound) { try await produce() }
        }
    }
}
