import ForecastingService
import Foundation
import GRPCCore
import GRPCInProcessTransport
import PostgresNIO
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport

/// One tenant on the forecasting service, with the generated two-year pipeline's people: an admin,
/// the east region's manager, a rep of /east/hz and a caller of another tenant.
struct ForecastScene: Sendable {
    typealias Forecasts = Sales_Forecasting_V1_ForecastService.Client<InProcessTransport.Client>
    typealias SignalWatch = Sales_Forecasting_V1_SignalWatchService.Client<InProcessTransport.Client>

    let forecasts: Forecasts
    let signalWatch: SignalWatch
    let dropFolder: URL
    let tokens: TokenAuthority
    let database: Database
    let admin, eastManager, rep, otherRep, stranger: Caller

    init(_ grpc: GRPCClient<InProcessTransport.Client>, tokens: TokenAuthority, database: Database, dropFolder: URL) {
        forecasts = Forecasts(wrapping: grpc)
        signalWatch = SignalWatch(wrapping: grpc)
        self.dropFolder = dropFolder
        self.tokens = tokens
        self.database = database
        let tenant = TenantID("fc-\(UInt32.random(in: 0...UInt32.max))")!
        admin = Caller(tenant: tenant, userID: "cfo", roles: [.admin], orgPath: "/")
        eastManager = Caller(tenant: tenant, userID: "east.head", roles: [.manager], orgPath: "/east")
        // The generator puts rep01 in /east/hz and rep02 in /east/sh.
        rep = Caller(tenant: tenant, userID: "rep01", roles: [.rep], orgPath: "/east/hz")
        otherRep = Caller(tenant: tenant, userID: "rep02", roles: [.rep], orgPath: "/east/sh")
        stranger = Caller(tenant: TenantID("fc-other-\(UInt32.random(in: 0...UInt32.max))")!, userID: "cfo", roles: [.admin], orgPath: "/")
    }

    /// Hosts the service with a drop folder of its own for file signal sources.
    static func hosted<Result: Sendable>(_ body: @Sendable (ForecastScene) async throws -> Result) async throws -> Result {
        let drop = FileManager.default.temporaryDirectory.appendingPathComponent("signals-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: drop) }
        let environment = Environment(ProcessInfo.processInfo.environment.merging(["SALES_SIGNAL_DROP_DIR": drop.path]) { _, own in own })
        return try await ServiceHarness.with(
            .forecasting, migrations: ForecastingServer.migrations, build: { try ForecastingServer.api($0, environment: environment) }
        ) { grpc, tokens, database in
            try await body(ForecastScene(grpc, tokens: tokens, database: database, dropFolder: drop))
        }
    }

    /// The folder a file source named `location` reads for this scene's tenant.
    func sourceFolder(_ location: String) throws -> URL {
        let folder = dropFolder.appendingPathComponent(admin.tenant.rawValue).appendingPathComponent(location)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    func metadata(_ caller: Caller, key: String? = nil) async throws -> Metadata {
        var metadata: Metadata = ["authorization": "Bearer \(try await tokens.sign(caller))"]
        if let key { metadata.addString(key, forKey: "idempotency-key") }
        return metadata
    }

    /// The generated pipeline of the last `months` months up to `now`, imported in batches of 500.
    @discardableResult
    func importPipeline(now: Date = Date(), months: Int = 24, dealsPerMonth: Int = 120, seed: UInt64 = 7) async throws
        -> [Sales_Forecasting_V1_HistoryDeal]
    {
        let start = Calendar(identifier: .gregorian).date(byAdding: .month, value: -months, to: now)!
        let deals = PipelineGenerator(.init(seed: seed, start: start, months: months + 1, dealsPerMonth: dealsPerMonth)).deals(now: now)
        for batch in stride(from: 0, to: deals.count, by: 500) {
            let answer = try await forecasts.importHistory(
                .with { $0.deals = Array(deals[batch..<min(batch + 500, deals.count)]) }, metadata: try await metadata(admin))
            let refused = answer.deals.filter { $0.result.isEmpty }
            guard refused.isEmpty else { throw ImportRefused(outcomes: refused) }
        }
        return deals
    }

    struct ImportRefused: Error {
        let outcomes: [Sales_Common_V1_ImportRowOutcome]
    }

    static func timestamp(daysAgo days: Double, from now: Date = Date()) -> Google_Protobuf_Timestamp {
        Google_Protobuf_Timestamp(date: now.addingTimeInterval(-days * 86_400))
    }
}
