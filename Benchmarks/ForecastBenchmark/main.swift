// Drives the forecasting service from this separate process. Imports `--closed` closed deals
// (two years, generated) and `--open` open ones, then times, end to end over gRPC: Train (read
// every deal, build the month-start examples, fit twice: holdout and final) and a tenant's
// month forecast (read every deal, score each open one). In the same run it times Postgres
// reading the same rows, and fits the model's regression on the training matrix once, writing
// the matrix to `--matrix` for scikit-learn to fit the same (scripts/bench-forecasting.sh).
import ForecastingService
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

struct Options {
    var port = 50054
    var secret = ""
    var database = ""
    var closed = 100_000
    var open = 100_000
    var matrix = "/tmp/forecast-matrix"
    /// A history file to import and backtest instead (`--maven FILE --from 2017-03 --to 2017-12`).
    var maven = ""
    var from = ""
    var to = ""
    /// Deals a month of generated pipelines to backtest instead, one tenant each (`--volumes 120,1200`).
    var volumes: [Int] = []
    var backtestMonths = 12
    /// The generator's seed for the volume pipelines (`--seed 11`): another seed, another company.
    var seed: UInt64 = 11

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--port": port = Int(value) ?? port
            case "--secret": secret = value
            case "--database": database = value
            case "--closed": closed = Int(value) ?? closed
            case "--open": open = Int(value) ?? open
            case "--matrix": matrix = value
            case "--maven": maven = value
            case "--from": from = value
            case "--to": to = value
            case "--volumes": volumes = value.split(separator: ",").compactMap { Int($0) }
            case "--backtest-months": backtestMonths = Int(value) ?? backtestMonths
            case "--seed": seed = UInt64(value) ?? seed
            default: FileHandle.standardError.write(Data("unknown option \(flag)\n".utf8)); exit(2)
            }
        }
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

_ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
let options = Options(CommandLine.arguments)
let tokens = await TokenAuthority(secret: options.secret)
let tenant = TenantID("bench-forecast")!
let admin: Metadata = [
    "authorization":
        "Bearer \(try await tokens.sign(Caller(tenant: tenant, userID: "bench.admin", roles: [.admin], orgPath: "/"), lifetime: .seconds(7200)))"
]
// The Maven CRM phase: its history through `salesctl import history`'s importer, then a backtest.
if !options.maven.isEmpty {
    let maven = TenantID("bench-maven")!
    let token = try await tokens.sign(Caller(tenant: maven, userID: "bench.admin", roles: [.admin], orgPath: "/"), lifetime: .seconds(7200))
    let report = try await HistoryImport(port: options.port, token: token).run(file: options.maven)
    print("maven_deals=\(report.deals) maven_refused=\(report.refused.count)")
    let result = try await withGRPCClient(
        transport: try .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: options.port), transportSecurity: .plaintext)
    ) { client in
        try await Sales_Forecasting_V1_ForecastService.Client(wrapping: client).backtest(
            .with {
                $0.fromMonth = options.from
                $0.toMonth = options.to
            }, metadata: ["authorization": "Bearer \(token)"])
    }
    for month in result.months { print("model_\(month.month)=\(month.brier) model_open_\(month.month)=\(month.openDeals)") }
    print("model_mean=\(result.meanBrier)")
    exit(0)
}

let zone = TimeZone(identifier: "Asia/Shanghai")!
let now = Date()
let calendar = Calendar(identifier: .gregorian)

/// Sends `deals` as salesctl does: batches of 500, two in flight.
func importDeals(_ deals: [Sales_Forecasting_V1_HistoryDeal], metadata: Metadata) async throws {
    try await withGRPCClient(
        transport: try .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: options.port), transportSecurity: .plaintext)
    ) { client in
        let forecasts = Sales_Forecasting_V1_ForecastService.Client(wrapping: client)
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func send(_ start: Int) {
                let batch = Array(deals[start..<min(start + 500, deals.count)])
                group.addTask { _ = try await forecasts.importHistory(.with { $0.deals = batch }, metadata: metadata) }
            }
            while next < deals.count && next < 1_000 {
                send(next)
                next += 500
            }
            while try await group.next() != nil, next < deals.count {
                send(next)
                next += 500
            }
            try await group.waitForAll()
        }
    }
}

// Accuracy against volume: a generated pipeline of each of `volumes` deals a month (a tenant
// each, a rep per ten deals a month), backtested over its last `backtestMonths` months. A month's
// amount won is a sum of coins, so at low volume no forecast is close every month; the
// attainable accuracy says how close the model's own chances allow.
if !options.volumes.isEmpty {
    var local = Calendar(identifier: .gregorian)
    local.timeZone = zone
    func month(_ back: Int) -> String {
        let date = local.date(byAdding: .month, value: -back, to: now)!
        return String(format: "%04d-%02d", local.component(.year, from: date), local.component(.month, from: date))
    }
    for volume in options.volumes {
        let tenant = TenantID("bench-volume-\(volume)-\(options.seed)")!
        let token = try await tokens.sign(Caller(tenant: tenant, userID: "bench.admin", roles: [.admin], orgPath: "/"), lifetime: .seconds(7200))
        let metadata: Metadata = ["authorization": "Bearer \(token)"]
        let months = 24 + options.backtestMonths
        // From a month's first day, so runs within a month generate the same deals (only the cut moves).
        let start = local.date(from: local.dateComponents([.year, .month], from: local.date(byAdding: .month, value: -months, to: now)!))!
        let deals = PipelineGenerator(.init(seed: options.seed, start: start, months: months + 1, dealsPerMonth: volume, reps: max(12, volume / 10)))
            .deals(now: now)
        try await importDeals(deals, metadata: metadata)
        let started = ContinuousClock.now
        let result = try await withGRPCClient(
            transport: try .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: options.port), transportSecurity: .plaintext)
        ) { client in
            var call = CallOptions.defaults
            call.timeout = .seconds(3_600)
            return try await Sales_Forecasting_V1_ForecastService.Client(wrapping: client).backtest(
                .with {
                    $0.fromMonth = month(options.backtestMonths)
                    $0.toMonth = month(1)
                }, metadata: metadata, options: call)
        }
        // Each month to stderr, for the reader: the summary lines below are parsed.
        for month in result.months {
            let yuan = { (money: Sales_Common_V1_Money) in String(format: "%11.0f", Double(money.minorUnits) / 100) }
            FileHandle.standardError.write(
                Data(
                    ("  \(volume)/month \(month.month): actual \(yuan(month.actual)), model \(yuan(month.forecast)) "
                        + "[\(yuan(month.expectedLow)) … \(yuan(month.expectedHigh))] accuracy \(String(format: "%.3f", month.accuracy)), "
                        + "reps \(yuan(month.repForecast)) accuracy \(String(format: "%.3f", month.repAccuracy))\n").utf8))
        }
        let key = "volume_\(volume)"
        print(
            "\(key)_deals=\(deals.count) \(key)_accuracy=\(result.meanAccuracy) \(key)_attainable=\(result.meanAttainableAccuracy) "
                + "\(key)_brier=\(result.meanBrier) \(key)_rep_accuracy=\(result.repMeanAccuracy) \(key)_rep_brier=\(result.repMeanBrier) "
                + "\(key)_within=\(result.monthsWithinRange) \(key)_months=\(result.months.count) "
                + "\(key)_seconds=\(seconds(ContinuousClock.now - started))")
    }
    exit(0)
}

// Closed: two years of deals created from 30 to 6 months ago (nearly all closed by now).
// Open: deals created over the last weeks, cut now (nearly all still open).
func generate(_ count: Int, monthsBack: Int, months: Int, prefix: String, seed: UInt64) -> [Sales_Forecasting_V1_HistoryDeal] {
    let start = calendar.date(byAdding: .month, value: -monthsBack, to: now)!
    let deals = PipelineGenerator(.init(seed: seed, start: start, months: months, dealsPerMonth: count / months + 1, reps: 60))
        .deals(now: now)
    return deals.prefix(count).map { deal in
        var deal = deal
        deal.externalID = prefix + deal.externalID
        return deal
    }
}
let closedDeals = generate(options.closed, monthsBack: 30, months: 24, prefix: "C", seed: 1).filter { $0.outcome != .open }
let openDeals = generate(options.open * 2, monthsBack: 1, months: 2, prefix: "O", seed: 2).filter { $0.outcome == .open }
    .prefix(options.open)

try await withGRPCClient(
    transport: try .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: options.port), transportSecurity: .plaintext)
) { client in
    let forecasts = Sales_Forecasting_V1_ForecastService.Client(wrapping: client)
    let options: CallOptions = {
        var options = CallOptions.defaults
        options.timeout = .seconds(1_800)
        return options
    }()
    try await importDeals(closedDeals + Array(openDeals), metadata: admin)
    print("imported closed=\(closedDeals.count) open=\(openDeals.count)")

    var started = ContinuousClock.now
    let model = try await forecasts.train(.init(), metadata: admin, options: options)
    let train = seconds(ContinuousClock.now - started)
    print("train_s=\(train) snapshots=\(model.snapshots) features=\(model.features) holdout_brier=\(model.holdoutBrier)")

    var scoring: [Double] = []
    let month = String(format: "%04d-%02d", calendar.component(.year, from: now), calendar.component(.month, from: now))
    for _ in 0..<3 {
        started = ContinuousClock.now
        let forecast = try await forecasts.getPeriodForecast(.with { $0.period = month }, metadata: admin, options: options)
        scoring.append(seconds(ContinuousClock.now - started))
        precondition(forecast.total.openDeals >= Int32(openDeals.count), "every open deal scored")
    }
    print("score_s=\(median(scoring)) scored=\(openDeals.count)")
}

// The baseline: Postgres reading the same rows the service reads, in this process.
var logger = Logger(label: "bench")
logger.logLevel = .error
let database = Database(url: try DatabaseURL(parsing: options.database), schema: "forecasting", logger: logger)
let reading = try await withThrowingTaskGroup(of: Double.self) { group in
    group.addTask {
        await database.client.run()
        return 0
    }
    var times: [Double] = []
    for _ in 0..<3 {
        let started = ContinuousClock.now
        var bytes = 0
        let rows = try await database.query("SELECT seq, history FROM forecast_deals WHERE tenant_id = \(tenant.rawValue) ORDER BY seq")
        for try await (_, history) in rows.decode((Int64, ByteBuffer).self) { bytes += history.readableBytes }
        times.append(seconds(ContinuousClock.now - started))
        precondition(bytes > 0)
    }
    group.cancelAll()
    return median(times)
}
print("read_s=\(reading)")

// The fit alone, on the matrix the service fits, and the matrix for scikit-learn.
let matrix = try TrainingMatrix(closedDeals, asOf: now, zone: zone)
let fits = (0..<3).map { _ in matrix.fit() }
print("fit_s=\(median(fits)) rows=\(matrix.rows) width=\(matrix.width)")
let values = matrix.values.withUnsafeBufferPointer { Data(buffer: $0) }
try values.write(to: URL(fileURLWithPath: options.matrix + ".x"))
try matrix.labels.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: URL(fileURLWithPath: options.matrix + ".y"))
