import Foundation
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Intake figures the gateway's dashboards show, computed in SQL over the caller's scope.
struct LeadFiguresQuery: Sendable {
    let database: Database

    func figures(for caller: Caller, from: Date, to: Date) async throws -> [Sales_Leads_V1_LeadFigures] {
        let new = Sales_Leads_V1_LeadStatus.new.column
        let converted = Sales_Leads_V1_LeadStatus.converted.column
        let rows = try await database.query(
            """
            WITH scoped AS (
                SELECT coalesce(nullif(substring(org_path FROM '^/[^/]+'), ''), '(unassigned)') AS region,
                       extract(hour FROM created_at AT TIME ZONE 'Asia/Shanghai')::integer AS hour,
                       extract(epoch FROM first_touch_at - created_at) AS latency,
                       status
                FROM leads
                WHERE tenant_id = \(caller.tenant.rawValue) AND created_at >= \(from) AND created_at < \(to)
                  AND \(visibleTo: Visibility(caller))
            )
            SELECT region, hour, count(*), count(latency),
                   count(*) FILTER (WHERE latency <= 48 * 3600),
                   coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY latency), 0)::double precision,
                   coalesce(percentile_cont(0.9) WITHIN GROUP (ORDER BY latency), 0)::double precision,
                   count(*) FILTER (WHERE status <> \(new)),
                   count(*) FILTER (WHERE status = \(converted))
            FROM scoped GROUP BY region, hour ORDER BY region, hour
            """)
        var result: [Sales_Leads_V1_LeadFigures] = []
        for try await (region, hour, leads, touched, within, p50, p90, activated, convertedCount)
            in rows.decode((String, Int32, Int64, Int64, Int64, Double, Double, Int64, Int64).self)
        {
            result.append(
                .with {
                    $0.region = region
                    $0.hourOfDay = hour
                    $0.leads = leads
                    $0.touched = touched
                    $0.touchedWithin48H = within
                    $0.firstTouchP50Seconds = p50
                    $0.firstTouchP90Seconds = p90
                    $0.activated = activated
                    $0.converted = convertedCount
                })
        }
        return result
    }
}
