import Hummingbird
import Logging
import Prometheus

/// The per-service HTTP port Prometheus scrapes: GET /metrics in the text exposition format.
public enum MetricsServer {
    public static func make(host: String, port: Int, registry: PrometheusCollectorRegistry, logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            var buffer: [UInt8] = []
            buffer.reserveCapacity(16 * 1024)
            registry.emit(into: &buffer)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "sales-metrics"),
            logger: logger)
    }
}
