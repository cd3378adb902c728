import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The `signal_sources` and `external_signals` tables: each tenant's sources, where reading each
/// stands, and every signal read, once per source and id. Relay tokens are kept sealed.
struct SignalSourceStore: Sendable {
    let database: Database
    let sealing: SealedText

    /// A source as kept, its token opened.
    struct Source: Sendable {
        var message: Sales_Forecasting_V1_SignalSource
        var token: String
    }

    func save(_ source: Sales_Forecasting_V1_SignalSource, tenant: TenantID) async throws -> Sales_Forecasting_V1_SignalSource {
        let sealed = source.token.isEmpty ? "" : try sealing.seal(source.token, context: Self.context(source.name, tenant))
        // A new kind or location starts reading from the beginning; signals read before are still counted once.
        let rows = try await database.query(
            """
            INSERT INTO signal_sources AS s (tenant_id, name, kind, location, token, paused)
            VALUES (\(tenant.rawValue), \(source.name), \(Int16(source.kind.rawValue)), \(source.location), \(sealed), \(source.paused))
            ON CONFLICT (tenant_id, name) DO UPDATE SET
                cursor = CASE WHEN (s.kind, s.location) = (EXCLUDED.kind, EXCLUDED.location) THEN s.cursor ELSE '' END,
                -- No token keeps the one saved for the same relay.
                token = CASE WHEN EXCLUDED.token = '' AND (s.kind, s.location) = (EXCLUDED.kind, EXCLUDED.location) THEN s.token
                             ELSE EXCLUDED.token END,
                kind = EXCLUDED.kind, location = EXCLUDED.location, paused = EXCLUDED.paused
            RETURNING \(unescaped: Self.columns)
            """)
        for try await row in rows.decode(Row.self) { return Self.source(row, sealing: nil, tenant: tenant).message }
        throw ServiceError.unavailable("the source was not saved; retry")
    }

    /// The tenant's sources as answered (no token opened).
    func list(tenant: TenantID) async throws -> [Sales_Forecasting_V1_SignalSource] {
        let rows = try await database.query(
            "SELECT \(unescaped: Self.columns) FROM signal_sources WHERE tenant_id = \(tenant.rawValue) ORDER BY name")
        var sources: [Sales_Forecasting_V1_SignalSource] = []
        for try await row in rows.decode(Row.self) { sources.append(Self.source(row, sealing: nil, tenant: tenant).message) }
        return sources
    }

    func find(_ name: String, tenant: TenantID) async throws -> Source? {
        let rows = try await database.query(
            "SELECT \(unescaped: Self.columns) FROM signal_sources WHERE tenant_id = \(tenant.rawValue) AND name = \(name)")
        for try await row in rows.decode(Row.self) { return Self.source(row, sealing: sealing, tenant: tenant) }
        return nil
    }

    /// The sources the schedule reads: every tenant's, but paused ones.
    func due() async throws -> [(tenant: TenantID, name: String)] {
        var due: [(TenantID, String)] = []
        for try await (tenant, name) in try await database.query(
            "SELECT tenant_id, name FROM signal_sources WHERE NOT paused ORDER BY tenant_id, name"
        )
        .decode((String, String).self) {
            if let tenant = TenantID(tenant) { due.append((tenant, name)) }
        }
        return due
    }

    /// Keeps a signal once per source and id; false when it was read before.
    func record(_ signal: ExternalSignal, source: String, reached: Int, tenant: TenantID, on connection: PostgresConnection, logger: Logger)
        async throws -> Bool
    {
        let rows = try await connection.query(
            """
            INSERT INTO external_signals (tenant_id, source, signal_id, signal, occurred_at, customer_id, deal_id, headline, competitor, deals_reached)
            VALUES (\(tenant.rawValue), \(source), \(signal.id), \(signal.key), \(signal.at), \(signal.customerID), \(signal.dealID),
                    \(signal.headline), \(signal.competitor), \(reached))
            ON CONFLICT DO NOTHING RETURNING 1
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// The signals about a customer since `moment` (any source), oldest first: what a deal that
    /// appears later starts with.
    func about(customer: String, since moment: Date, tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws
        -> [(key: String, at: Date)]
    {
        let rows = try await connection.query(Self.aboutQuery(customer: customer, since: moment, tenant: tenant), logger: logger)
        var signals: [(key: String, at: Date)] = []
        for try await (key, at) in rows.decode((String, Date).self) { signals.append((key, at)) }
        return signals
    }

    static func aboutQuery(customer: String, since moment: Date, tenant: TenantID) -> PostgresQuery {
        """
        SELECT signal, occurred_at FROM external_signals
        WHERE tenant_id = \(tenant.rawValue) AND customer_id = \(customer) AND customer_id <> '' AND occurred_at >= \(moment)
        ORDER BY occurred_at
        """
    }

    /// Moves the source's cursor past what was read, in the transaction that applied it.
    func advance(_ name: String, tenant: TenantID, cursor: String, applied: Int, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            UPDATE signal_sources SET cursor = \(cursor), signals_applied = signals_applied + \(applied)
            WHERE tenant_id = \(tenant.rawValue) AND name = \(name)
            """, logger: logger)
    }

    /// How the last reading ended: empty when it went through.
    func finished(_ name: String, tenant: TenantID, error: String) async throws {
        try await database.query(
            "UPDATE signal_sources SET last_polled_at = now(), last_error = \(error) WHERE tenant_id = \(tenant.rawValue) AND name = \(name)")
    }

    private typealias Row = (String, Int16, String, String, Bool, String, Date?, String, Int64)
    private static let columns = "name, kind, location, token, paused, cursor, last_polled_at, last_error, signals_applied"

    private static func context(_ name: String, _ tenant: TenantID) -> String { "signal-source:\(tenant.rawValue)/\(name)" }

    /// The source's answer form (never its token) and, with `sealing`, its opened token.
    private static func source(_ row: Row, sealing: SealedText?, tenant: TenantID) -> Source {
        let (name, kind, location, token, paused, cursor, polled, error, applied) = row
        let message = Sales_Forecasting_V1_SignalSource.with {
            $0.name = name
            $0.kind = .init(rawValue: Int(kind)) ?? .unspecified
            $0.location = location
            $0.paused = paused
            $0.cursor = cursor
            if let polled { $0.lastPolledAt = Google_Protobuf_Timestamp(date: polled) }
            $0.lastError = error
            $0.signalsApplied = applied
            $0.hasToken_p = !token.isEmpty
        }
        return Source(message: message, token: token.isEmpty ? "" : sealing?.open(token, context: context(name, tenant)) ?? "")
    }
}
