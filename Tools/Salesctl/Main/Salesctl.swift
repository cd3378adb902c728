import ArgumentParser
import Foundation
import SalesControl
import SalesModel
import ServiceKit

@main
struct Salesctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "salesctl",
        abstract: "Run and operate the sales platform.",
        subcommands: [Up.self, Down.self, Status.self, Probe.self, Token.self, Database.self, RulesCommand.self])
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
            for service in ServiceName.allCases {
                let port = service.grpcPort(base: options.portBase)
                let result = await HealthProbe.check(port: port)
                if result != .serving { healthy = false }
                let text = switch result {
                case .serving: "SERVING"
                case .notServing: "NOT_SERVING"
                case .unreachable(let why): "unreachable (\(why))"
                }
                say("\(service.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)) 127.0.0.1:\(port)  \(text)")
            }
            if !healthy { throw ExitCode(1) }
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

        @Option(help: "The user id (login), e.g. li.na.")
        var user: String

        @Option(help: "A role (rep, manager, finance, store_clerk, store_manager, admin, pii_unmask); repeat for more.")
        var role: [String]

        @Option(help: "Tenant id.")
        var tenant = "demo"

        @Option(help: "The user's place in the org tree, e.g. /east/east-sh.")
        var orgPath = "/"

        @Option(help: "Lifetime in seconds.")
        var ttl = 3600

        func run() async throws {
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
            let secret = ProcessInfo.processInfo.environment["SALES_JWT_SECRET"]
                ?? StackSecrets.load(from: options.absoluteDataDir)?.jwtSecret
            guard let secret else {
                throw ValidationError("no signing key: start the stack with `salesctl up` first, or set SALES_JWT_SECRET")
            }
            let authority = await TokenAuthority(secret: secret)
            say(try await authority.sign(
                Caller(tenant: tenantID, userID: user, roles: roles, orgPath: orgPath), lifetime: .seconds(Int64(ttl))))
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
