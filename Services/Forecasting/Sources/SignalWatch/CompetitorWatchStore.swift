import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The `competitor_alerts` table: competitor news raised on deals, once per signal and deal,
/// with the responses sent to the owner.
struct CompetitorWatchStore: Sendable {
    let database: Database

    /// Keeps an alert, once per signal and deal.
    func raise(_ alert: Sales_Forecasting_V1_CompetitorAlert, tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws {
        let responses = try Sales_Forecasting_V1_AlertResponse.jsonString(from: alert.responses)
        try await connection.query(
            """
            INSERT INTO competitor_alerts (tenant_id, source, signal_id, deal_id, customer_id, owner_id, org_path, signal, headline, competitor,
                                           occurred_at, responses)
            VALUES (\(tenant.rawValue), \(alert.source), \(alert.signalID), \(alert.dealID), \(alert.customerID), \(alert.ownerID), \(alert.team),
                    \(alert.signal), \(alert.headline), \(alert.competitor), \(alert.at.date), \(responses)::jsonb)
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    /// The alerts raised since `since` on deals the caller sees, newest first.
    func alerts(for caller: Caller, since: Date, limit: Int = 500) async throws -> [Sales_Forecasting_V1_CompetitorAlert] {
        let rows = try await database.query(Self.alertsQuery(for: caller, since: since, limit: limit))
        var alerts: [Sales_Forecasting_V1_CompetitorAlert] = []
        for try await (source, signalID, deal, customer, owner, team, signal, headline, competitor, at, responses) in rows.decode(
            (String, String, String, String, String, String, String, String, String, Date, String).self)
        {
            alerts.append(
                .with {
                    $0.source = source
                    $0.signalID = signalID
                    $0.dealID = deal
                    $0.customerID = customer
                    $0.ownerID = owner
                    $0.team = team
                    $0.signal = signal
                    $0.headline = headline
                    $0.competitor = competitor
                    $0.at = Google_Protobuf_Timestamp(date: at)
                    $0.responses = (try? Sales_Forecasting_V1_AlertResponse.array(fromJSONString: responses)) ?? []
                })
        }
        return alerts
    }

    static func alertsQuery(for caller: Caller, since: Date, limit: Int) -> PostgresQuery {
        """
        SELECT source, signal_id, deal_id, customer_id, owner_id, org_path, signal, headline, competitor, occurred_at, responses::text
        FROM competitor_alerts
        WHERE tenant_id = \(caller.tenant.rawValue) AND raised_at >= \(since) AND \(visibleTo: Visibility(caller))
        ORDER BY raised_at DESC, deal_id LIMIT \(limit)
        """
    }
}
