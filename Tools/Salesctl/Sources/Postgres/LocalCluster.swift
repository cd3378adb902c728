import Foundation
import ServiceKit

/// A throwaway PostgreSQL cluster under a data folder, for the local stack and the tests.
/// Postgres refuses to run as root, so as root the cluster belongs to the `postgres` user.
public struct LocalCluster: Sendable {
    public let directory: String
    public let port: Int
    public let superuser = "postgres"
    public let password: String
    let binaries: String
    let runAs: String?

    public enum Failure: Error, CustomStringConvertible {
        case noBinaries
        case noPostgresUser

        public var description: String {
            switch self {
            case .noBinaries:
                "PostgreSQL server programs (initdb, pg_ctl) were not found: install them with `apt-get install -y postgresql`"
            case .noPostgresUser:
                "running as root needs the `postgres` user to own the cluster: install Debian's postgresql package, which creates it"
            }
        }
    }

    /// Finds the server programs (Debian keeps them in /usr/lib/postgresql/<version>/bin).
    public init(directory: String, port: Int, password: String) throws {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        let candidates = versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin" }
        guard let initdb = Command.find("initdb", in: candidates) else { throw Failure.noBinaries }
        binaries = (initdb as NSString).deletingLastPathComponent
        if getuid() == 0 {
            guard getpwnam("postgres") != nil else { throw Failure.noPostgresUser }
            runAs = "postgres"
        } else {
            runAs = nil
        }
        self.directory = directory
        self.port = port
        self.password = password
    }

    public var isInitialised: Bool { FileManager.default.fileExists(atPath: directory + "/PG_VERSION") }

    /// The superuser's URL, over TCP on loopback.
    public var adminURL: DatabaseURL {
        DatabaseURL(username: superuser, password: password, host: "127.0.0.1", port: port, database: "postgres")
    }

    public func initialise() throws {
        guard !isInitialised else { return }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let passwordFile = directory + ".pwfile"
        try password.write(toFile: passwordFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: passwordFile) }
        if let runAs {
            try Command.run("/bin/chown", ["-R", runAs, directory, passwordFile])
        }
        try Command.run(
            binaries + "/initdb",
            [
                "-D", directory, "-U", superuser, "--pwfile=\(passwordFile)", "--auth=scram-sha-256", "-E", "UTF8",
                "--locale=C.UTF-8",
            ],
            as: runAs)
    }

    public func start(log: String) throws {
        if isRunning { return }
        if let runAs {
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            try Command.run("/bin/chown", [runAs, log])
        }
        try Command.run(
            binaries + "/pg_ctl",
            [
                "-D", directory, "-l", log, "-w", "-t", "60",
                "-o", "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c max_connections=300", "start",
            ],
            as: runAs)
    }

    public var isRunning: Bool {
        (try? Command.run(binaries + "/pg_ctl", ["-D", directory, "status"], as: runAs)) != nil
    }

    public func stop() throws {
        guard isInitialised, isRunning else { return }
        try Command.run(binaries + "/pg_ctl", ["-D", directory, "-m", "fast", "-w", "stop"], as: runAs)
    }
}
