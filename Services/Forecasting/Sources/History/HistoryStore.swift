import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The deals forecasting learns from and scores: imported history and the opportunities feed,
/// one row per deal holding its whole timestamped history.
struct HistoryStore: Sendable {
    enum Written: String {
        case created, updated, unchanged
    }

    let database: Database

    /// Keeps an imported deal, replacing what an earlier import of the same id kept.
    func put(_ checked: CheckedHistoryDeal, origin: String, tenant: TenantID, on connection: PostgresConnection, logger: Logger)
        async throws -> Written
    {
        let deal = checked.deal
        let bytes = ByteBuffer(bytes: try checked.serialized())
        let closed: Date? = deal.outcome == .open ? nil : deal.closedAt.date
        // xmax = 0 tells an insert from an update; a row whose history is the same is not touched.
        let rows = try await connection.query(
            """
            INSERT INTO forecast_deals AS d (tenant_id, deal_id, origin, owner_id, org_path, customer_id, created_at, outcome, closed_at, history)
            VALUES (\(tenant.rawValue), \(deal.externalID), \(origin), \(deal.ownerID), \(deal.team), \(deal.customerID), \(deal.createdAt.date),
                    \(Int16(deal.outcome.rawValue)), \(closed), \(bytes))
            ON CONFLICT (tenant_id, deal_id) DO UPDATE SET origin = EXCLUDED.origin, owner_id = EXCLUDED.owner_id,
                org_path = EXCLUDED.org_path, customer_id = EXCLUDED.customer_id, created_at = EXCLUDED.created_at, outcome = EXCLUDED.outcome,
                closed_at = EXCLUDED.closed_at, history = EXCLUDED.history, updated_at = now()
            WHERE d.history IS DISTINCT FROM EXCLUDED.history
            RETURNING (xmax = 0)
            """, logger: logger)
        for try await inserted in rows.decode(Bool.self) { return inserted ? .created : .updated }
        return .unchanged
    }

    /// One deal's stored history, locked for the feed to extend it.
    func lockedHistory(_ dealID: String, tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws
        -> Sales_Forecasting_V1_HistoryDeal?
    {
        let rows = try await connection.query(
            "SELECT history FROM forecast_deals WHERE tenant_id = \(tenant.rawValue) AND deal_id = \(dealID) FOR UPDATE", logger: logger)
        for try await bytes in rows.decode(ByteBuffer.self) {
            return try Sales_Forecasting_V1_HistoryDeal(serializedBytes: Array(buffer: bytes))
        }
        return nil
    }

    /// The open deals an external signal reaches (the deal named, or every open deal of the
    /// customer named), locked for extending, in id order so concurrent readers lock alike.
    func lockedOpenDeals(dealID: String, customerID: String, tenant: TenantID, on connection: PostgresConnection, logger: Logger)
        async throws -> [(deal: Sales_Forecasting_V1_HistoryDeal, origin: String)]
    {
        let rows = try await connection.query(Self.openDealsQuery(dealID: dealID, customerID: customerID, tenant: tenant), logger: logger)
        var deals: [(Sales_Forecasting_V1_HistoryDeal, String)] = []
        for try await (bytes, origin) in rows.decode((ByteBuffer, String).self) {
            deals.append((try Sales_Forecasting_V1_HistoryDeal(serializedBytes: Array(buffer: bytes)), origin))
        }
        return deals
    }

    static func openDealsQuery(dealID: String, customerID: String, tenant: TenantID) -> PostgresQuery {
        """
        SELECT history, origin FROM forecast_deals
        WHERE tenant_id = \(tenant.rawValue) AND outcome = 0
          AND (deal_id = \(dealID) OR (customer_id = \(customerID) AND \(customerID) <> ''))
        ORDER BY deal_id FOR UPDATE
        """
    }

    /// Every deal of the tenant created before `moment`, as it was known then.
    func deals(tenant: TenantID, knownAt moment: Date) async throws -> [DealRecord] {
        let rows = try await database.query(
            "SELECT seq, history FROM forecast_deals WHERE tenant_id = \(tenant.rawValue) AND created_at < \(moment) ORDER BY seq")
        var deals: [DealRecord] = []
        for try await (seq, bytes) in rows.decode((Int64, ByteBuffer).self) {
            var record = DealRecord(try Sales_Forecasting_V1_HistoryDeal(serializedBytes: Array(buffer: bytes)))
            record.seq = seq
            if let known = record.cut(at: moment) { deals.append(known) }
        }
        return deals
    }

    /// Tenants with deals, for the scheduled retraining.
    func tenants() async throws -> [TenantID] {
        var tenants: [TenantID] = []
        for try await id in try await database.query("SELECT DISTINCT tenant_id FROM forecast_deals").decode(String.self) {
            if let tenant = TenantID(id) { tenants.append(tenant) }
        }
        return tenants
    }
}
