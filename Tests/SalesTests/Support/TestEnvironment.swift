import Foundation
import Logging
import SalesControl
import SalesModel
import ServiceKit

/// What scripts/test.sh provides: a throwaway cluster's superuser URL and the built executables.
enum TestEnvironment {
    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    static func adminURL() throws -> DatabaseURL {
        guard let raw = ProcessInfo.processInfo.environment["SALES_TEST_ADMIN_URL"] else {
            throw Missing(description: "SALES_TEST_ADMIN_URL is not set: run the tests with scripts/test.sh, which starts Postgres")
        }
        return try DatabaseURL(parsing: raw)
    }

    static func binDirectory() throws -> String {
        if let dir = ProcessInfo.processInfo.environment["SALES_BIN_DIR"] { return dir }
        let guess = FileManager.default.currentDirectoryPath + "/.build/debug"
        guard FileManager.default.isExecutableFile(atPath: guess + "/leads") else {
            throw Missing(description: "SALES_BIN_DIR is not set and .build/debug has no executables: run `swift build` first")
        }
        return guess
    }

    /// One password per role for the whole test run: roles are cluster-wide, and a suite that
    /// reset them would lock out another suite's running services.
    static let passwords = Dictionary(uniqueKeysWithValues: ServiceName.allCases.map { ($0, "test-\($0.schema)-pw") })

    static let jwtSecret = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"

    /// A new database with the platform's schemas and roles; returns each service's URL.
    static func freshDatabase(prefix: String) async throws -> StackBootstrap {
        let name = "\(prefix)_\(UInt32.random(in: 0...UInt32.max))"
        let bootstrap = try StackBootstrap(admin: try adminURL(), database: name, passwords: passwords)
        try await bootstrap.run(logger: Logger(label: "tests"))
        return bootstrap
    }

    /// A port block nobody is likely to use, different per test process.
    static func portBase() -> Int {
        30000 + Int(getpid() % 300) * 30
    }
}
