import ArgumentParser
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

@main
struct Salesctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "salesctl",
        abstract: "Run and operate the sales platform.",
        subcommands: [Up.self, Down.self, Status.self, Probe.self, Token.self, Database.self, RulesCommand.self, Import.self, LeadsCommand.self])
}

/// Options every stack command shares.
struct StackOptions: ParsableArguments {
    @Option(help: "Folder for the throwaway cluster, secrets, logs and state.")
    var dataDir = ".sales-data"

    @Option(help: "First of the stack's ports: gRPC base…base+5, metrics base+10…, gateway HTTP base+20.")
    var portBase = ServiceName.defaultPortBase

    var absoluteDataDir: String {
        dataDir.hasPrefix("/") ? dataDir : FileManager.default.currentDirectoryPath + "/" + dataDir
    }
}

/// Prints a line at once, even when stdout is a pipe (the test script reads it live).
@Sendable func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

extension Salesctl {
    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start Postgres (unless --database-url), the schemas, all six services; stop on Ctrl-C.")

        @OptionGroup var options: StackOptions

        @Flag(help: "Load the demo tenant (regions 华东/华南/华北, reps, managers, leads, stores).")
        var demo = false

        @Option(help: "Superuser URL of an existing Postgres server, instead of a throwaway cluster.")
        var databaseURL: String?

        @Option(help: "Name of the platform's database.")
        var database = "sales"

        @Option(help: "Port of the throwaway cluster.")
        var postgresPort = 55432

        @Option(help: "Folder holding the service executables (default: next to salesctl).")
        var binDir: String?

        func run() async throws {
            var stack = LocalStack(
                dataDirectory: options.absoluteDataDir,
                binDirectory: binDir ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path)
            if let databaseURL {
                do { stack.adminURL = try DatabaseURL(parsing: databaseURL) } catch {
                    throw ValidationError("--database-url is not a usable Postgres URL: \(error.reason)")
                }
            }
            stack.portBase = options.portBase
            stack.databaseName = database
            stack.clusterPort = postgresPort
            stack.loadDemo = demo
            try await stack.up(print: say)
        }
    }

    struct Down: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a stack started by `salesctl up`.")

        @OptionGroup var options: StackOptions

        func run() async throws {
            try await LocalStack(dataDirectory: options.absoluteDataDir, binDirectory: "").down(print: say)
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show each service's health.")

        @OptionGroup var options: StackOptions

        func run() async throws {
            var healthy = true
            let state = StackState.load(from: options.absoluteDataDir)
            for service in ServiceName.allCases {
                let port = service.grpcPort(base: options.portBase)
                let result = await HealthProbe.check(port: port)
                if result != .serving { healthy = false }
                let text =
                    switch result {
                    case .serving: "SERVING"
                    case .notServing: "NOT_SERVING"
                    case .unreachable(let why): "unreachable (\(why))"
                    }
                let process = state?.services?[service.rawValue].map(Self.describe) ?? ""
                say("\(service.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)) 127.0.0.1:\(port)  \(text)\(process)")
            }
            if !healthy { throw ExitCode(1) }
        }

        /// The supervisor's view: "  pid 123, restarted 2 times, last exit 134 (SIGABRT)", or down.
        static func describe(_ record: ServiceRecord) -> String {
            var parts = [StackState.isAlive(record.pid) ? "pid \(record.pid)" : "DOWN (pid \(record.pid) gone)"]
            if record.restarts > 0 { parts.append("restarted \(record.restarts) time\(record.restarts == 1 ? "" : "s")") }
            if let status = record.lastExitStatus {
                parts.append("last exit: \(ServiceRecord.describe(exit: status))")
            }
            if let due = record.restartDue { parts.append("restart due in \(max(0, Int(due.timeIntervalSinceNow.rounded(.up))))s") }
            return "  " + parts.joined(separator: ", ")
        }
    }

    struct Probe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Exit 0 when the gRPC service on a port reports SERVING (for container health checks).")

        @Option(help: "Host of the service.")
        var host = "127.0.0.1"

        @Option(help: "gRPC port of the service.")
        var port: Int

        func run() async throws {
            let result = await HealthProbe.check(host: host, port: port)
            guard result == .serving else {
                say("\(host):\(port) \(result)")
                throw ExitCode(1)
            }
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mint a development bearer token.")

        @OptionGroup var options: StackOptions
        @OptionGroup var identity: Identity

        func run() async throws {
            say(try await identity.mint(dataDirectory: options.absoluteDataDir))
        }
    }

    struct LeadsCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "leads", abstract: "Leads operations.", subcommands: [Inspect.self])

        struct Inspect: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Health of the active grading, routing and checkpoint rules against recent leads, mapping tables and the duty roster.")

            @OptionGroup var options: StackOptions
            @OptionGroup var identity: Identity

            @Option(help: "How many recent leads to look at (at most 5,000).")
            var sample = 500

            func run() async throws {
                let token = try await identity.mint(dataDirectory: options.absoluteDataDir)
                let report = try await withGRPCClient(
                    transport: .http2NIOPosix(
                        target: .ipv4(address: "127.0.0.1", port: ServiceName.leads.grpcPort(base: options.portBase)),
                        transportSecurity: .plaintext)
                ) { client in
                    try await Sales_Leads_V1_LeadService.Client(wrapping: client).inspectRules(
                        .with { $0.sampleSize = Int32(sample) }, metadata: ["authorization": "Bearer \(token)"])
                }
                say("rule health over the \(report.sampled) most recent leads")
                for rule in report.rules {
                    let fields = rule.fields.map { "\($0.field) empty \(Int(($0.emptyRate * 100).rounded()))%" }.joined(separator: ", ")
                    say("  \(rule.ruleSet)/\(rule.ruleID): matched \(rule.matched)\(fields.isEmpty ? "" : "; " + fields)")
                }
                if !report.neverMatched.isEmpty { say("never matched: \(report.neverMatched.joined(separator: ", "))") }
                say("waiting in public pools: \(report.unassigned); recent leads with a missed checkpoint: \(report.missedCheckpoints)")
                say(
                    "open leads on a manager's own account: \(report.onManagers < 0 ? "unknown (the directory could not be read)" : "\(report.onManagers)")"
                )
                for miss in report.mappingMisses {
                    say(
                        "mapping table \(miss.table) has no entry for \(miss.field) \(miss.values.joined(separator: ", ")) "
                            + "(\(miss.leads) leads; read by \(miss.rules.joined(separator: ", ")))")
                }
                for gap in report.rosterGaps {
                    say("nobody on duty for \(gap.teamPath) on \(gap.day) at \(gap.hours.map { "\($0):00" }.joined(separator: ", "))")
                }
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bulk imports.",
            subcommands: [Leads.self, Opportunities.self, Payments.self, Products.self, Members.self, Receipts.self, History.self])

        struct Products: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Import the chain's product catalogue (sku, name, category, price in yuan); keyed by SKU.",
                discussion: "Headers in English or Chinese (商品编码, 商品名称, 品类, 零售价). Needs a store manager or admin identity.")
            @OptionGroup var file: StoreFile
            func run() async throws { try await file.run(.products) }
        }

        struct Members: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Import the chain's members (mobile, name, birth_year, consent, consent_at); keyed by mobile.",
                discussion: """
                    Headers in English or Chinese (手机号, 姓名, 出生年份, 同意联系, 授权时间). consent 是 records it, 否 withdraws
                    it; a file without the column leaves what is on file. Needs a store manager or admin identity.
                    """)
            @OptionGroup var file: StoreFile
            func run() async throws { try await file.run(.members) }
        }

        struct Receipts: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Import a POS export: one line per item, a receipt's lines sharing its store code and receipt number.",
                discussion: """
                    Columns: store_code, receipt_number, sold_at (2026-11-30 14:05:09 in the tenant's zone, or RFC 3339), sku,
                    quantity, unit_price and discount (yuan), payment_method (微信, 支付宝, 现金, ... or wechat, alipay, cash),
                    and optionally clerk_user_id and member_mobile. A receipt is recorded once; a receipt with a bad line is
                    refused whole, naming the line. Needs a store manager or admin identity.
                    """)
            @OptionGroup var file: StoreFile
            func run() async throws { try await file.run(.receipts) }
        }

        struct History: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Import deal history for the forecast: one row per event, a deal's rows sharing its deal_id.",
                discussion: """
                    Columns (English or Chinese): deal_id (商机编号), event (事件), at (时间: 2025-03-05 14:30 or 2025-03-05 in
                    Asia/Shanghai, or RFC 3339), value (值), expected_close (预计成交). event is created (创建), stage (阶段),
                    behaviour (行为), external (外部信号), rep_entry (销售填报), won (赢单) or lost (输单); value is the stage
                    key, the signal key, or the rep's probability in percent. The created row also gives owner (负责人), team
                    (团队), region (区域), segment (客户类型), industry (行业), source (来源), amount (金额, yuan) and currency
                    (币种); any other column on it is a dimension. A deal with a row that cannot be read is refused whole,
                    naming the row; importing a deal again replaces it. Needs an admin identity.
                    """)

            @OptionGroup var options: StackOptions
            @OptionGroup var identity: Identity

            @Argument(help: "The history sheet: CSV (UTF-8) or an Excel workbook (.xlsx).")
            var file: String

            @Option(help: "Currency of amounts without a currency column.")
            var currency = "CNY"

            func run() async throws {
                var importer = HistoryImport(
                    port: ServiceName.forecasting.grpcPort(base: options.portBase),
                    token: try await identity.mint(dataDirectory: options.absoluteDataDir))
                importer.currency = currency.uppercased()
                let started = ContinuousClock.now
                let report = try await importer.run(file: file, progress: ProgressBar.show)
                ProgressBar.finish()
                say(
                    "\(report.deals) deals from \(report.rows) rows: \(report.created) new, \(report.updated) updated, "
                        + "\(report.unchanged) unchanged, \(report.refused.count) refused (\(ProgressBar.rate(report.deals, since: started)) deals/s)"
                )
                try Import.report(refused: report.refused, of: file)
            }
        }

        /// The most common reasons rows were refused, and every refused row in FILE.report.csv;
        /// exit status 1 when any was.
        static func report(refused: [RowProblem], of file: String) throws {
            for (reason, count) in Dictionary(grouping: refused, by: { "\($0.column): \($0.reason)" }).mapValues(\.count)
                .sorted(by: { $0.value > $1.value }).prefix(12)
            {
                say("  \(count) × \(reason)")
            }
            guard !refused.isEmpty else { return }
            let reportPath = file + ".report.csv"
            try RowProblem.csv(refused.map { ("refused", $0) }).write(toFile: reportPath, atomically: true, encoding: .utf8)
            say("every refused row is listed in \(reportPath)")
            throw ExitCode(1)
        }

        /// What the three store-file imports share: the stack, the identity, the file and the report.
        struct StoreFile: ParsableArguments {
            @OptionGroup var options: StackOptions
            @OptionGroup var identity: Identity

            @Argument(help: "The sheet: CSV (UTF-8) or an Excel workbook (.xlsx).")
            var file: String

            @Option(help: "Currency of the prices.")
            var currency = "CNY"

            func run(_ kind: StoreImport.Kind) async throws {
                var importer = StoreImport(
                    port: ServiceName.storeSales.grpcPort(base: options.portBase),
                    token: try await identity.mint(dataDirectory: options.absoluteDataDir))
                importer.currency = currency.uppercased()
                let started = ContinuousClock.now
                let report = try await importer.run(kind, file: file, progress: ProgressBar.show)
                ProgressBar.finish()
                say(
                    "\(report.rows) rows: \(report.created) new, \(report.updated) updated, \(report.unchanged) unchanged, "
                        + "\(report.refused.count) refused (\(ProgressBar.rate(report.rows, since: started)) rows/s)")
                try Import.report(refused: report.refused, of: file)
            }
        }

        struct Payments: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Import money received (a bank statement, the ERP's export) against signed contracts.",
                discussion: """
                    The sheet's header names the columns: contract_id, reference (流水号), amount (yuan), received_on, and
                    optionally currency. Each payment pays its contract's oldest instalments first; what is more than the
                    contract owes is kept as credit. A reference is recorded once: the file again records nothing twice.
                    Needs a finance or admin identity.
                    """)

            @OptionGroup var options: StackOptions
            @OptionGroup var identity: Identity

            @Argument(help: "The payments sheet: CSV (UTF-8) or an Excel workbook (.xlsx).")
            var file: String

            @Option(help: "Currency of amounts without a currency column.")
            var currency = "CNY"

            func run() async throws {
                var importer = PaymentImport(
                    port: ServiceName.opportunities.grpcPort(base: options.portBase),
                    token: try await identity.mint(dataDirectory: options.absoluteDataDir))
                importer.currency = currency.uppercased()
                let started = ContinuousClock.now
                let report = try await importer.run(file: file, progress: ProgressBar.show)
                ProgressBar.finish()
                say(
                    "\(report.recorded) of \(report.rows) rows recorded, \(report.alreadyRecorded) recorded before, "
                        + "\(report.refused.count) refused (\(ProgressBar.rate(report.rows, since: started)) rows/s)")
                try Import.report(refused: report.refused, of: file)
            }
        }

        struct Leads: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Import leads from a CSV or XLSX sheet (headers in Chinese or English); re-running it creates nothing twice.")

            @OptionGroup var options: StackOptions
            @OptionGroup var identity: Identity

            @Argument(help: "The sheet: CSV (UTF-8) or an Excel workbook (.xlsx, its first visible sheet); told apart by content.")
            var file: String

            @Option(help: "Channel for rows without a 渠道/channel column.")
            var channel = "api"

            func run() async throws {
                guard let channel = LeadColumns.channels[channel.lowercased()] else {
                    throw ValidationError("--channel \(channel) is not a channel: web_form, douyin, wechat, meituan, trade_show, store_pos or api")
                }
                var importer = LeadImport(
                    port: ServiceName.leads.grpcPort(base: options.portBase),
                    token: try await identity.mint(dataDirectory: options.absoluteDataDir))
                importer.defaultChannel = channel
                let started = ContinuousClock.now
                let report = try await importer.run(file: file, progress: ProgressBar.show)
                ProgressBar.finish()
                let earlier = report.alreadyImported > 0 ? " (\(report.alreadyImported) of them by an earlier run of this file)" : ""
                say(
                    "\(report.imported) of \(report.rows) rows imported\(earlier), \(report.errors.count) refused (\(ProgressBar.rate(report.rows, since: started)) rows/s)"
                )
                if !report.ignoredColumns.isEmpty { say("columns not imported: \(report.ignoredColumns.joined(separator: ", "))") }
                guard !report.errors.isEmpty else { return }
                let errorsPath = file + ".errors.csv"
                try RowProblem.csv(report.errors.map { ("refused", $0) }).write(toFile: errorsPath, atomically: true, encoding: .utf8)
                for error in report.errors.prefix(20) {
                    say("line \(error.line), column \(error.column), value \"\(error.value)\": \(error.reason)")
                }
                say("every refused row is listed in \(errorsPath); fix them and run the same import again")
                throw ExitCode(1)
            }
        }

        struct Opportunities: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Import deals with their history from another CRM's export (CSV or XLSX), through the same stage gates.",
                discussion: """
                    Columns (Chinese or English): opportunity_id, account, sales_agent, deal_stage, and optionally name, product,
                    engage_date, close_date, close_value, currency, expected_close, deal_type, key_action, feedback, org_path.
                    A row's dates become its history (begun, engaged, won or lost). An open deal without an expected close
                    is expected 90 days after it began. Re-running the import creates nothing twice; every row refused or
                    adjusted is written to FILE.report.csv.
                    """)

            @OptionGroup var options: StackOptions
            @OptionGroup var identity: Identity

            @Argument(help: "The deals sheet: CSV (UTF-8) or an Excel workbook (.xlsx).")
            var file: String

            @Option(help: "Owners' teams: a sheet of owner name and org_path, or region and manager (Maven's sales_teams.csv).")
            var teams: String?

            @Option(help: "List prices by product (product, sales_price): sizes deals without an amount and checks product names.")
            var products: String?

            @Option(help: "The pipeline's name; the tenant's default when not given.")
            var pipeline = ""

            @Option(help: "Currency of amounts without a currency column.")
            var currency = "CNY"

            @Option(help: "Sheet stage names to the pipeline's stages, e.g. 'Engaging=需求确认,Closed Won=赢单'.")
            var stageMap = ""

            @Option(help: "Let history through gates it does not meet (old systems kept no evidence); recorded on each such change.")
            var overrideReason = ""

            @Option(help: "Customer name for rows without one (refused otherwise).")
            var unknownCustomer = ""

            func run() async throws {
                var importer = OpportunityImport(
                    port: ServiceName.opportunities.grpcPort(base: options.portBase),
                    token: try await identity.mint(dataDirectory: options.absoluteDataDir))
                importer.pipeline = pipeline
                importer.currency = currency.uppercased()
                importer.overrideReason = overrideReason
                importer.unknownCustomer = unknownCustomer
                importer.stageMap = try Self.stageMap(stageMap)
                if let teams { importer.teams = try TeamDirectory(rows: try Self.sheet(teams)) }
                if let products { importer.products = try ProductPrices(rows: try Self.sheet(products)) }
                let started = ContinuousClock.now
                let report = try await importer.run(file: file, progress: ProgressBar.show)
                ProgressBar.finish()
                say(
                    "\(report.imported) of \(report.rows) rows imported, \(report.alreadyImported) imported before, \(report.refused.count) refused, "
                        + "\(Set(report.adjusted.map(\.line)).count) adjusted (\(ProgressBar.rate(report.rows, since: started)) rows/s)")
                if !report.ignoredColumns.isEmpty { say("columns not imported: \(report.ignoredColumns.joined(separator: ", "))") }
                for (reason, count) in Dictionary(grouping: report.refused + report.adjusted, by: { "\($0.column): \($0.reason)" })
                    .mapValues(\.count).sorted(by: { $0.value > $1.value }).prefix(12)
                {
                    say("  \(count) × \(reason)")
                }
                guard !report.refused.isEmpty || !report.adjusted.isEmpty else { return }
                let reportPath = file + ".report.csv"
                let rows = report.refused.map { ("refused", $0) } + report.adjusted.map { ("adjusted", $0) }
                try RowProblem.csv(rows.sorted { $0.1.line < $1.1.line }).write(toFile: reportPath, atomically: true, encoding: .utf8)
                say("every refused and adjusted row is listed in \(reportPath)")
                if !report.refused.isEmpty { throw ExitCode(1) }
            }

            static func sheet(_ path: String) throws -> SheetRows {
                guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
                return try SheetRows(data: data, name: path)
            }

            static func stageMap(_ text: String) throws -> [String: String] {
                var map: [String: String] = [:]
                for pair in text.split(separator: ",") where !pair.trimmingCharacters(in: .whitespaces).isEmpty {
                    let sides = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    guard sides.count == 2, !sides[0].isEmpty, !sides[1].isEmpty else {
                        throw ValidationError("--stage-map takes SHEET=STAGE pairs separated by commas; \"\(pair)\" is not one")
                    }
                    map[sides[0]] = sides[1]
                }
                return map
            }
        }
    }

    /// An import's progress on a terminal: a bar redrawn every 50 rows.
    enum ProgressBar {
        @Sendable static func show(_ done: Int, _ total: Int, _ refused: Int) {
            guard isatty(STDERR_FILENO) == 1, done % 50 == 0 || done == total else { return }
            let filled = total == 0 ? 30 : min(30, done * 30 / max(total, 1))
            let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: 30 - filled)
            FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total) rows, \(refused) refused".utf8))
        }

        static func finish() {
            if isatty(STDERR_FILENO) == 1 { FileHandle.standardError.write(Data("\n".utf8)) }
        }

        static func rate(_ rows: Int, since started: ContinuousClock.Instant) -> Int {
            let elapsed = ContinuousClock.now - started
            return Int(Double(rows) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18 + 1e-9))
        }
    }

    struct Database: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "db", abstract: "Database set-up for deployments.", subcommands: [Init.self])

        struct Init: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Create the database, and per service a schema and login role (passwords from SALES_<SERVICE>_DB_PASSWORD).")

            @Option(help: "Superuser URL, e.g. postgres://postgres:secret@db:5432/postgres.")
            var adminURL: String

            @Option(help: "Database to create.")
            var database = "sales"

            func run() async throws {
                let admin: DatabaseURL
                do { admin = try DatabaseURL(parsing: adminURL) } catch {
                    throw ValidationError("--admin-url is not a usable Postgres URL: \(error.reason)")
                }
                var passwords: [ServiceName: String] = [:]
                for service in ServiceName.allCases {
                    let variable = service.environmentKey + "_DB_PASSWORD"
                    guard let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty else {
                        throw ValidationError("\(variable) is not set: give the \(service.rawValue) role's password")
                    }
                    passwords[service] = value
                }
                try await StackBootstrap(admin: admin, database: database, passwords: passwords).run(logger: .init(label: "salesctl"))
                say("database \(database) ready: one schema and login role per service")
            }
        }
    }
}

/// Who a command acts as: a development token minted with the stack's key, or a given one.
struct Identity: ParsableArguments {
    @Option(help: "A bearer token to use instead of minting one.")
    var token: String?

    @Option(help: "The user id (login), e.g. li.na.")
    var user: String?

    @Option(help: "A role (rep, manager, finance, store_clerk, store_manager, admin, pii_unmask); repeat for more.")
    var role: [String] = []

    @Option(help: "Tenant id.")
    var tenant = "demo"

    @Option(help: "The user's place in the org tree, e.g. /east/east-sh.")
    var orgPath = "/"

    @Option(help: "Lifetime in seconds.")
    var ttl = 3600

    func mint(dataDirectory: String) async throws -> String {
        if let token { return token }
        guard let user else { throw ValidationError("give --user (with --role) or --token") }
        guard let tenantID = TenantID(tenant) else { throw ValidationError("--tenant must be 2 to 40 lowercase letters, digits or '-'") }
        var roles: Set<Role> = []
        for name in role {
            guard let parsed = Role(rawValue: name) else {
                throw ValidationError("--role \(name) is not a role; use one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            roles.insert(parsed)
        }
        guard !roles.isEmpty else { throw ValidationError("give at least one --role") }
        guard (1...86_400).contains(ttl) else { throw ValidationError("--ttl must be between 1 and 86400 seconds") }
        let secret = ProcessInfo.processInfo.environment["SALES_JWT_SECRET"] ?? StackSecrets.load(from: dataDirectory)?.jwtSecret
        guard let secret else {
            throw ValidationError("no signing key: start the stack with `salesctl up` first, or set SALES_JWT_SECRET")
        }
        return try await TokenAuthority(secret: secret).sign(
            Caller(tenant: tenantID, userID: user, roles: roles, orgPath: orgPath), lifetime: .seconds(Int64(ttl)))
    }
}
