import Foundation
import PostgresNIO
import SalesModel
import ServiceKit

/// The tenants' month records (`MonthRecord`): one a month, a live one kept over a backtest's replay.
struct MonthRecordStore: Sendable {
    let database: Database

    /// Keeps `records`, one a month: a live record is never replaced (the first is the one nearest
    /// the month's start); anything replaces a backtest's replay.
    func keep(_ records: [MonthRecord], tenant: TenantID) async throws {
        guard !records.isEmpty else { return }
        try await database.query(
            """
            INSERT INTO month_records (tenant_id, month, from_at, end_at, forecast, coin_variance, new_deal_variance, source)
            SELECT \(tenant.rawValue), * FROM unnest(
                \(records.map(\.month))::text[], \(records.map(\.from))::timestamptz[], \(records.map(\.end))::timestamptz[],
                \(records.map(\.forecast))::float8[], \(records.map(\.coinVariance))::float8[], \(records.map(\.newDealVariance))::float8[],
                \(records.map(\.source.rawValue))::text[])
            ON CONFLICT (tenant_id, month) DO UPDATE SET
                from_at = excluded.from_at, end_at = excluded.end_at, forecast = excluded.forecast,
                coin_variance = excluded.coin_variance, new_deal_variance = excluded.new_deal_variance, source = excluded.source,
                recorded_at = now()
            WHERE month_records.source = 'backtest'
            """)
    }

    /// The tenant's records of months ended by `moment`, oldest first.
    func records(tenant: TenantID, endedBy moment: Date) async throws -> [MonthRecord] {
        let rows = try await database.query(
            """
            SELECT month, from_at, end_at, forecast, coin_variance, new_deal_variance, source
            FROM month_records WHERE tenant_id = \(tenant.rawValue) AND end_at <= \(moment) ORDER BY end_at
            """)
        var records: [MonthRecord] = []
        for try await (month, from, end, forecast, coins, newDeals, source) in rows.decode((String, Date, Date, Double, Double, Double, String).self)
        {
            records.append(
                MonthRecord(
                    month: month, from: from, end: end, forecast: forecast, coinVariance: coins, newDealVariance: newDeals,
                    source: MonthRecord.Source(rawValue: source) ?? .backtest))
        }
        return records
    }
}
