import Logging
import PostgresNIO
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

/// `Database.savepoint` against a real schema: a failed item of a bulk command leaves neither its
/// rows nor its events, and the transaction's other items commit.
@Suite struct SavepointTests {
    struct Refused: Error {}

    @Test func aFailedSavepointUndoesItsRowsAndItsEventsAndTheRestCommits() async throws {
        let bootstrap = try await TestEnvironment.freshDatabase(prefix: "savepoint")
        let database = Database(url: bootstrap.url(for: .leads), schema: "leads", logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            defer { group.cancelAll() }
            try await Migrator(schema: "leads", migrations: KitMigrations.all + [Migration("0100_items", "CREATE TABLE items (name text);")])
                .run(on: database)
            let tenant = TenantID("savepoint")!
            func item(_ name: String, on connection: PostgresConnection) async throws {
                try await connection.query("INSERT INTO items (name) VALUES (\(name))", logger: database.logger)
                _ = try await Outbox.append(
                    Sales_Common_V1_EventEnvelope.with { $0.eventType = name }, tenant: tenant, aggregateType: "item", aggregateID: name,
                    on: connection, logger: database.logger)
            }
            try await database.transaction { connection in
                try await database.savepoint(on: connection) { try await item("kept", on: connection) }
                await #expect(throws: Refused.self) {
                    try await database.savepoint(on: connection) {
                        try await item("refused", on: connection)
                        throw Refused()
                    }
                }
                try await database.savepoint(on: connection) { try await item("after", on: connection) }
            }
            let items = try await database.query("SELECT name FROM items ORDER BY name").collect().map { try $0.decode(String.self) }
            #expect(items == ["after", "kept"])
            let events = try await database.query("SELECT aggregate_id FROM outbox ORDER BY sequence").collect().map { try $0.decode(String.self) }
            #expect(events == ["kept", "after"], "the refused item's event went with its savepoint")
        }
    }
}
