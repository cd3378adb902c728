import GRPCCore
import Logging
import PostgresNIO
import SalesControl
import SalesModel
import SalesProto
import SwiftProtobuf
import TestSupport
import Testing

@testable import ServiceKit

/// Transactions against a real schema: a failed savepoint (a bulk command's refused item) leaves
/// neither its rows nor its events while the rest commits; a deadlock reaches the caller as ABORTED.
@Suite struct TransactionTests {
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

    /// Whether the loser reads the rows of its SELECT … FOR UPDATE or not, the deadlock reaches it:
    /// as the statement's error, or as the ROLLBACK its COMMIT was answered with.
    @Test(arguments: [true, false]) func theLoserOfADeadlockIsToldToSendTheCallAgain(readsRows: Bool) async throws {
        let bootstrap = try await TestEnvironment.freshDatabase(prefix: "deadlock")
        let database = Database(url: bootstrap.url(for: .leads), schema: "leads", logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            defer { group.cancelAll() }
            try await Migrator(
                schema: "leads", migrations: [Migration("0100_pair", "CREATE TABLE pair (id integer PRIMARY KEY); INSERT INTO pair VALUES (1), (2);")]
            )
            .run(on: database)
            // Each takes one row, waits until the other holds its row, then wants the other's.
            let failures = await withTaskGroup(of: (any Error)?.self) { group in
                for (first, second) in [(1, 2), (2, 1)] {
                    group.addTask {
                        do {
                            try await database.transaction { connection in
                                try await connection.query("SELECT 1 FROM pair WHERE id = \(first) FOR UPDATE", logger: database.logger)
                                try await Task.sleep(for: .milliseconds(300))
                                let rows = try await connection.query("SELECT 1 FROM pair WHERE id = \(second) FOR UPDATE", logger: database.logger)
                                if readsRows { _ = try await rows.collect() }
                            }
                            return nil
                        } catch {
                            return error
                        }
                    }
                }
                return await group.reduce(into: [any Error]()) { if let error = $1 { $0.append(error) } }
            }
            #expect(failures.count == 1, "Postgres breaks the deadlock by aborting one: \(failures)")
            let error = try #require(failures.first)
            if readsRows {
                #expect((error as? PSQLError)?.isConcurrencyConflict == true, "\(error)")
            } else {
                #expect(error is TransactionRolledBack, "\(error)")
            }
            let answer = ErrorClassifier.rpcError(for: error, requestID: "r-1", logger: Logger(label: "test"))
            #expect(answer.code == .aborted && answer.message.contains("send the call again"), "\(answer)")
        }
    }
}
