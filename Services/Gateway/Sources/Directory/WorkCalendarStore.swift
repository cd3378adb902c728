import Foundation
import PostgresNIO
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The tenants' work calendars (table work_calendars), each kept as the normalised document.
struct WorkCalendarStore: Sendable {
    let database: Database
    /// What a tenant without a calendar of its own works by (SALES_WORK_CALENDAR).
    let fallback: WorkCalendar

    func calendar(tenant: TenantID) async throws -> Sales_Gateway_V1_WorkCalendar {
        let rows = try await database.query(
            "SELECT calendar::text, updated_by, updated_at FROM work_calendars WHERE tenant_id = \(tenant.rawValue)")
        for try await (json, by, at) in rows.decode((String, String, Date).self) {
            return .with {
                $0.calendarJson = json
                $0.tenantDefined = true
                $0.updatedBy = by
                $0.updatedAt = Google_Protobuf_Timestamp(date: at)
            }
        }
        return .with { $0.calendarJson = fallback.jsonValue.json }
    }

    func put(_ calendar: WorkCalendar, tenant: TenantID, by user: String) async throws -> Sales_Gateway_V1_WorkCalendar {
        try await database.query(
            """
            INSERT INTO work_calendars (tenant_id, calendar, updated_by) VALUES (\(tenant.rawValue), \(calendar.jsonValue.json)::jsonb, \(user))
            ON CONFLICT (tenant_id) DO UPDATE SET calendar = EXCLUDED.calendar, updated_by = EXCLUDED.updated_by, updated_at = now()
            """)
        return try await self.calendar(tenant: tenant)
    }
}
