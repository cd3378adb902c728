import Logging
import PostgresNIO
import SalesControl
import SalesModel
import ServiceKit
import TestSupport
import Testing

/// Migrations against a real schema: a migration that moved (from a service into a shared
/// module) is recognised under its former id, and is still checked for edits.
@Suite struct MigratorTests {
    @Test func aMovedMigrationKeepsItsRecordUnderItsNewID() async throws {
        let bootstrap = try await TestEnvironment.freshDatabase(prefix: "migrator")
        let database = Database(url: bootstrap.url(for: .leads), schema: "leads", logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            defer { group.cancelAll() }
            let sql = "CREATE TABLE moved (id integer);"
            let next = Migration("0100_next", "CREATE TABLE next (id integer);")
            #expect(try await Migrator(schema: "leads", migrations: [Migration("0112_moved", sql)]).run(on: database) == ["0112_moved"])

            let moved = Migration("0050_moved", sql, formerly: "0112_moved")
            #expect(
                try await Migrator(schema: "leads", migrations: [moved, next]).run(on: database) == ["0100_next"], "the moved table is not made twice"
            )
            let recorded = try await database.query("SELECT id FROM schema_migrations ORDER BY id").collect().map { try $0.decode(String.self) }
            #expect(recorded == ["0050_moved", "0100_next"])
            #expect(
                try await Migrator(schema: "leads", migrations: [moved, next]).run(on: database).isEmpty, "a second start finds everything applied")

            let edited = Migration("0050_moved", "CREATE TABLE moved (id bigint);", formerly: "0112_moved")
            await #expect(throws: MigrationError.self, "an edit under the new id is still refused") {
                try await Migrator(schema: "leads", migrations: [edited, next]).run(on: database)
            }
        }
    }
}
