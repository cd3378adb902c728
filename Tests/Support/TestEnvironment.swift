import Foundation
import Logging
import PostgresNIO
import RulesEngine
import SalesControl
import SalesModel
import ServiceKit

/// What scripts/test.sh provides: a throwaway cluster's superuser URL and the built executables.
package enum TestEnvironment {
    package struct Missing: Error, CustomStringConvertible {
        package let description: String

        package init(description: String) {
            self.description = description
        }
    }

    package static func adminURL() throws -> DatabaseURL {
        guard let raw = ProcessInfo.processInfo.environment["SALES_TEST_ADMIN_URL"] else {
            throw Missing(description: "SALES_TEST_ADMIN_URL is not set: run the tests with scripts/test.sh, which starts Postgres")
        }
        return try DatabaseURL(parsing: raw)
    }

    package static func binDirectory() throws -> String {
        if let dir = ProcessInfo.processInfo.environment["SALES_BIN_DIR"] { return dir }
        let guess = FileManager.default.currentDirectoryPath + "/.build/debug"
        guard FileManager.default.isExecutableFile(atPath: guess + "/leads") else {
            throw Missing(description: "SALES_BIN_DIR is not set and .build/debug has no executables: run `swift build` first")
        }
        return guess
    }

    /// One password per role for the whole test run: roles are cluster-wide, and a suite that
    /// reset them would lock out another suite's running services.
    package static let passwords = Dictionary(uniqueKeysWithValues: ServiceName.allCases.map { ($0, "test-\($0.schema)-pw") })

    package static let jwtSecret = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"

    /// A new database with the platform's schemas and roles; returns each service's URL.
    /// Runs `body` on a connection to `database` as the cluster's admin (for tests that arrange
    /// or check rows directly), closing it after.
    package static func withAdminConnection<Result: Sendable>(
        to database: DatabaseURL, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let admin = try adminURL().withDatabase(database.database)
        let connection = try await PostgresConnection.connect(
            on: PostgresClient.defaultEventLoopGroup.next(),
            configuration: .init(
                host: admin.host, port: admin.port, username: admin.username, password: admin.password,
                database: admin.database, tls: .disable),
            id: 1, logger: Logger(label: "test"))
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    package static func freshDatabase(prefix: String) async throws -> StackBootstrap {
        let name = "\(prefix)_\(UInt32.random(in: 0...UInt32.max))"
        let bootstrap = try StackBootstrap(admin: try adminURL(), database: name, passwords: passwords)
        try await bootstrap.run(logger: Logger(label: "tests"))
        return bootstrap
    }

    /// A port block nobody is likely to use, different per test process: below the kernel's
    /// ephemeral ports (32768 and up), so no outgoing connection's local port takes one.
    package static func portBase() -> Int {
        21000 + Int(getpid() % 350) * 30
    }
}

/// The work calendar the test stack runs with: a weekday holiday and a weekend make-up working
/// day (调休) between 8 and 13 days ahead, so the roster check can show both while every test
/// that counts business days backwards from today sees plain Monday-to-Friday weeks.
package enum TestCalendar {
    package static func days(from offset: Int, through last: Int) -> [(day: String, weekend: Bool)] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let today = calendar.startOfDay(for: Date())
        return (offset...last).map { offset in
            let date = calendar.date(byAdding: .day, value: offset, to: today)!
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            return (String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!), calendar.isDateInWeekend(date))
        }
    }

    /// Today in Shanghai, as the routing desk reads leave and the roster.
    package static var today: String { days(from: 0, through: 0)[0].day }

    package static let holiday = days(from: 8, through: 13).first { !$0.weekend }!.day
    package static let makeUpWorkday = days(from: 8, through: 13).first { $0.weekend }!.day

    package static let json = #"{"time_zone": "Asia/Shanghai", "holidays": ["\#(holiday)"], "make_up_workdays": ["\#(makeUpWorkday)"]}"#

    /// The calendar as the stack reads it, for tests whose outcome depends on working time.
    package static var calendar: WorkCalendar { get throws { try WorkCalendar(json: RuleValue(json: json)) } }

    /// Writes the calendar into `directory`; returns its path.
    package static func file(in directory: String) throws -> String {
        let path = directory + "/work-calendar.json"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
