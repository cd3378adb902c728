import Foundation
import Hummingbird
import Logging
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The dashboard as JSON over HTTP for browsers and BI tools: GET /api/v1/overview with the same
/// bearer token as gRPC. The body is the Overview message in protobuf's canonical JSON mapping.
enum DashboardHTTP {
    static func make(host: String, port: Int, tokens: TokenAuthority, aggregator: OverviewAggregator, logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        router.get("/healthz") { _, _ in "ok" }
        router.get("/api/v1/overview") { request, _ -> Response in
            guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
                return error(.unauthorized, "send \"Authorization: Bearer <token>\"")
            }
            let token = String(header.dropFirst("Bearer ".count))
            let caller: Caller
            do { caller = try await tokens.verify(token) } catch {
                return Self.error(.unauthorized, (error as? ServiceError)?.rpcErrorMessage ?? "the bearer token is not valid")
            }
            var requestLogger = logger
            let requestID = request.headers[.init("x-request-id")!] ?? UUID.random().uuidString.lowercased()
            requestLogger[metadataKey: "request_id"] = "\(requestID)"
            let context = RequestContext(requestID: requestID, logger: requestLogger, caller: caller, bearerToken: token)
            let overview = await RequestContext.$current.withValue(context) { await aggregator.overview(for: caller) }
            let json = try overview.jsonString()
            return Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "sales-gateway"), logger: logger)
    }

    private static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        let body = (try? JSONSerialization.data(withJSONObject: ["error": message])) ?? Data()
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
