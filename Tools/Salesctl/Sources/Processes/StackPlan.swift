import Foundation
import SalesModel
import ServiceKit

/// How to run the six executables: where they are, how they reach Postgres, which ports.
public struct StackPlan: Sendable {
    public var binDirectory: String
    public var databaseURLs: [ServiceName: DatabaseURL]
    public var portBase: Int
    public var jwtSecret: String
    public var logDirectory: String
    public var host = "127.0.0.1"
    public var developmentMode = true
    public var logFormat = "text"
    /// The leads service's company registry (SALES_LEADS_COMPANY_REGISTRY), e.g. `file:/…/companies.csv`.
    public var companyRegistry: String?
    /// The opportunities service's credit bureau (SALES_OPPORTUNITIES_CREDIT_BUREAU), e.g. `file:/…/bureau.csv`.
    public var creditBureau: String?
    /// Every service's work calendar file (SALES_WORK_CALENDAR), when not the standard one.
    public var workCalendar: String?
    /// Where uploaded evidence files are kept (SALES_ATTACHMENTS_DIR).
    public var attachmentsDirectory: String?
    /// Where file sources of external signals are dropped (SALES_SIGNAL_DROP_DIR), for forecasting.
    public var signalDropDirectory: String?
    /// The file ERP's folder (SALES_ERP_DIR), for opportunities.
    public var erpDirectory: String?
    /// Further variables for every service, set last (a test stack's background sweep interval).
    public var settings: [String: String] = [:]

    public init(binDirectory: String, databaseURLs: [ServiceName: DatabaseURL], portBase: Int, jwtSecret: String, logDirectory: String) {
        self.binDirectory = binDirectory
        self.databaseURLs = databaseURLs
        self.portBase = portBase
        self.jwtSecret = jwtSecret
        self.logDirectory = logDirectory
    }

    public func grpcPort(_ service: ServiceName) -> Int { service.grpcPort(base: portBase) }
    public var gatewayHTTPPort: Int { ServiceName.gatewayHTTPPort(base: portBase) }

    /// The variables a service reads at start (ServiceConfiguration.fromEnvironment).
    public func environment(for service: ServiceName) -> [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SALES_") }
        env["SALES_DATABASE_URL"] = databaseURLs[service]?.rendered
        env["SALES_JWT_SECRET"] = jwtSecret
        env["SALES_HOST"] = host
        env["SALES_GRPC_PORT"] = "\(service.grpcPort(base: portBase))"
        env["SALES_METRICS_PORT"] = "\(service.metricsPort(base: portBase))"
        env["SALES_DEV_MODE"] = developmentMode ? "1" : "0"
        env["SALES_LOG_FORMAT"] = logFormat
        env["SALES_EXIT_WITH_PARENT"] = "1"
        if service == .gateway { env["SALES_HTTP_PORT"] = "\(gatewayHTTPPort)" }
        if service == .leads, let companyRegistry { env["SALES_LEADS_COMPANY_REGISTRY"] = companyRegistry }
        if service == .opportunities, let creditBureau { env["SALES_OPPORTUNITIES_CREDIT_BUREAU"] = creditBureau }
        if let workCalendar { env["SALES_WORK_CALENDAR"] = workCalendar }
        if let attachmentsDirectory { env["SALES_ATTACHMENTS_DIR"] = attachmentsDirectory }
        if service == .opportunities, let erpDirectory { env["SALES_ERP_DIR"] = erpDirectory }
        if service == .forecasting, let signalDropDirectory { env["SALES_SIGNAL_DROP_DIR"] = signalDropDirectory }
        for peer in ServiceName.allCases where peer != service {
            env[peer.environmentKey + "_ADDR"] = "\(host):\(peer.grpcPort(base: portBase))"
        }
        env.merge(settings) { _, setting in setting }
        return env
    }
}
