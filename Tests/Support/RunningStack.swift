import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SalesControl
import SalesModel
import SalesProto
import ServiceKit

/// The six real executables on their own database and ports, started once for the end-to-end
/// suites and shared by them.
package actor RunningStack {
    package static let shared = RunningStack()

    private var started: (Stack, StackBootstrap, TokenAuthority)?

    package func get() async throws -> (stack: Stack, database: StackBootstrap, tokens: TokenAuthority) {
        if let started { return started }
        let database = try await TestEnvironment.freshDatabase(prefix: "e2e")
        var plan = StackPlan(
            binDirectory: try TestEnvironment.binDirectory(),
            databaseURLs: Dictionary(uniqueKeysWithValues: ServiceName.allCases.map { ($0, database.url(for: $0)) }),
            portBase: TestEnvironment.portBase(), jwtSecret: TestEnvironment.jwtSecret,
            logDirectory: NSTemporaryDirectory() + "sales-e2e-\(getpid())")
        try FileManager.default.createDirectory(atPath: plan.logDirectory, withIntermediateDirectories: true)
        plan.companyRegistry = try DemoCompanies.registryFile(in: plan.logDirectory)
        plan.creditBureau = try DemoCompanies.bureauFile(in: plan.logDirectory)
        plan.workCalendar = try TestCalendar.file(in: plan.logDirectory)
        plan.attachmentsDirectory = plan.logDirectory + "/attachments"
        plan.signalDropDirectory = plan.logDirectory + "/signals"
        plan.erpDirectory = plan.logDirectory + "/erp"
        // The tests sweep by RPC when they mean to: a background pass landing between a test's
        // setup and its own sweep would take the leads and announcements it counts.
        plan.settings = Dictionary(
            uniqueKeysWithValues: [
                "SALES_LEADS_SWEEP_SECONDS", "SALES_OPPORTUNITIES_SWEEP_SECONDS", "SALES_STORE_SALES_SWEEP_SECONDS",
                "SALES_FORECASTING_SIGNAL_POLL_SECONDS", "SALES_OPPORTUNITIES_ERP_SECONDS",
            ].map {
                ($0, "86400")
            })
        let stack = Stack(plan: plan)
        try await stack.startAll()
        try await stack.waitUntilHealthy()
        let tokens = await TokenAuthority(secret: TestEnvironment.jwtSecret)
        started = (stack, database, tokens)
        return (stack, database, tokens)
    }
}

/// Calls into a running stack as a given person.
package struct StackClient: Sendable {
    package let plan: StackPlan
    package let tokens: TokenAuthority

    package init(plan: StackPlan, tokens: TokenAuthority) {
        self.plan = plan
        self.tokens = tokens
    }

    package func token(_ caller: Caller) async throws -> String {
        try await tokens.sign(caller)
    }

    package func metadata(_ caller: Caller?, idempotencyKey: String? = nil) async throws -> Metadata {
        var metadata: Metadata = [:]
        if let caller { metadata.addString("Bearer \(try await token(caller))", forKey: "authorization") }
        if let idempotencyKey { metadata.addString(idempotencyKey, forKey: "idempotency-key") }
        return metadata
    }

    package func with<Result: Sendable>(
        _ service: ServiceName, _ body: (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Result
    ) async throws -> Result {
        try await withGRPCClient(
            transport: .http2NIOPosix(target: .ipv4(address: plan.host, port: plan.grpcPort(service)), transportSecurity: .plaintext),
            handleClient: body)
    }

    /// The events of one type and tenant on a service's feed, read from its start with a service
    /// token, as the platform's consumers read it.
    package func events(
        of type: String, tenant: TenantID, on grpc: GRPCClient<HTTP2ClientTransport.Posix>
    ) async throws -> [Sales_Common_V1_EventEnvelope] {
        let service = Caller(tenant: tenant, userID: "svc:test", roles: [.service], orgPath: "/")
        var request = Sales_Common_V1_SubscribeRequest()
        request.eventTypes = [type]
        return try await Sales_Common_V1_EventFeed.Client(wrapping: grpc).subscribe(request, metadata: try await metadata(service)) { response in
            var found: [Sales_Common_V1_EventEnvelope] = []
            for try await event in response.messages where event.tenantID == tenant.rawValue { found.append(event) }
            return found
        }
    }

    /// Polls `probe` until it returns a value, for effects that arrive through event feeds.
    package func eventually<T: Sendable>(
        timeout: Duration = .seconds(30), _ probe: () async throws -> T?
    ) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let value = try await probe() { return value }
            guard ContinuousClock.now < deadline else { throw TestEnvironment.Missing(description: "condition not met within \(timeout)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}

/// The people of the end-to-end tenant.
package enum People {
    package static let tenant = TenantID("e2e-med")!
    package static let otherTenant = TenantID("e2e-other")!
    package static let admin = Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq")
    package static let manager = Caller(tenant: tenant, userID: "zhao.lei", roles: [.manager], orgPath: "/east")
    package static let rep = Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/east/east-sh")
    package static let otherRep = Caller(tenant: tenant, userID: "sun.li", roles: [.rep], orgPath: "/north/north-bj")
    package static let unmasker = Caller(tenant: tenant, userID: "li.na", roles: [.rep, .unmaskPII], orgPath: "/east/east-sh")
    package static let stranger = Caller(tenant: otherTenant, userID: "li.na", roles: [.admin], orgPath: "/east/east-sh")
}
