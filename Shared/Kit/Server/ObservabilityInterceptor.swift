import Foundation
import GRPCCore
import Logging
import Metrics
import SalesModel

/// The outermost interceptor: gives every call a request id and a logger, refuses calls while
/// the service is starting or draining, counts calls by method and final code, times them, and
/// turns any error that escapes into a precise status.
struct ObservabilityInterceptor: ServerInterceptor {
    let logger: Logger
    let health: HealthStatus

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let method = context.descriptor.fullyQualifiedMethod
        let requestID = request.metadata[stringValues: "x-request-id"].first(where: { _ in true }) ?? UUID.random().uuidString.lowercased()
        let logger = {
            var logger = self.logger
            logger[metadataKey: "request_id"] = "\(requestID)"
            logger[metadataKey: "method"] = "\(method)"
            return logger
        }()
        let started = ContinuousClock.now
        let requestContext = {
            var context = RequestContext(
                requestID: requestID, logger: logger,
                idempotencyKey: request.metadata[stringValues: "idempotency-key"].first(where: { _ in true }))
            context.idempotencyKeyIsShared = request.metadata[stringValues: "idempotency-scope"].contains("tenant")
            return context
        }()

        let finish: @Sendable (RPCError.Code?) -> Void = { code in
            let codeName = code.map { "\($0)" } ?? "ok"
            Counter(label: "grpc_server_handled_total", dimensions: [("method", method), ("code", codeName)]).increment()
            Timer(label: "grpc_server_handling_seconds", dimensions: [("method", method)])
                .recordNanoseconds((ContinuousClock.now - started).nanoseconds)
            if code != nil {
                logger.notice("call failed", metadata: ["code": "\(codeName)"])
            } else {
                logger.debug("call handled")
            }
        }

        let isHealth = context.descriptor.service.fullyQualifiedService == "grpc.health.v1.Health"
        if !isHealth, !health.isServing {
            finish(.unavailable)
            throw RPCError(code: .unavailable, message: "\(health.serviceName) is not serving (starting or shutting down); retry shortly")
        }

        let response: StreamingServerResponse<Output>
        do {
            response = try await RequestContext.$current.withValue(requestContext) { try await next(request, context) }
        } catch {
            let rpcError = ErrorClassifier.rpcError(for: error, requestID: requestID, logger: logger)
            finish(rpcError.code)
            throw rpcError
        }
        if case .failure(let error) = response.accepted {
            let rpcError = ErrorClassifier.rpcError(for: error, requestID: requestID, logger: logger)
            finish(rpcError.code)
            return StreamingServerResponse(error: rpcError)
        }
        return response.wrappingProducer { produce in
            do {
                let trailers = try await RequestContext.$current.withValue(requestContext) { try await produce() }
                finish(nil)
                return trailers
            } catch {
                let rpcError = ErrorClassifier.rpcError(for: error, requestID: requestID, logger: logger)
                finish(rpcError.code)
                throw rpcError
            }
        }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
