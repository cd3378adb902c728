import Foundation
import PostgresNIO
import RulesEngine
import SalesModel
import SalesNotifications
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The rule health inspection on its own once a month: on the first pass of a month, each tenant
/// with active lead rules gets the inspection archived and a summary sent to its tenant-wide
/// channels (the admins' group or webhook). A month is archived once, whatever the replicas.
struct RuleHealthArchive: Sendable {
    let database: Database
    let inspector: RuleInspector
    let notifier: Notifier

    /// Archives the month of `now` for `tenant` (every tenant with active rules when nil); returns how many.
    func archiveDue(tenant: TenantID?, now: Date = Date()) async throws -> Int {
        let month = inspector.calendars.fallback.localDate(of: now).description.prefix(7)
        let rows = try await database.query(
            """
            SELECT DISTINCT r.tenant_id FROM rule_sets r
            WHERE r.active_version IS NOT NULL AND r.name = ANY(\(RuleInspector.ruleSets))
              AND (\(tenant?.rawValue)::text IS NULL OR r.tenant_id = \(tenant?.rawValue))
              AND NOT EXISTS (SELECT 1 FROM rule_health_reports h WHERE h.tenant_id = r.tenant_id AND h.month = \(String(month)))
            ORDER BY r.tenant_id
            """)
        var due: [TenantID] = []
        for try await raw in rows.decode(String.self) { if let tenant = TenantID(raw) { due.append(tenant) } }
        var archived = 0
        for tenant in due where try await archive(tenant, month: String(month)) { archived += 1 }
        return archived
    }

    private func archive(_ tenant: TenantID, month: String) async throws -> Bool {
        let system = Caller.service(.leads, tenant: tenant)
        let inspection = try await inspector.inspect(for: system, sampleSize: 500)
        let logger = database.logger
        return try await database.transaction { connection in
            let rows = try await connection.query(
                """
                INSERT INTO rule_health_reports (tenant_id, month, report) VALUES (\(tenant.rawValue), \(month), \(try inspection.jsonString()))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger)
            var stored = false
            for try await _ in rows { stored = true }
            guard stored else { return false }
            try await notifier.enqueue(
                Notice(
                    kind: "rule_health_report", audience: .team("/"), title: "\(month) 规则健康报告",
                    text: Self.summary(inspection), subjectID: "rule-health:\(month)", personal: false),
                tenant: tenant, on: connection, logger: logger)
            return true
        }
    }

    static func summary(_ inspection: Sales_Leads_V1_RuleInspection) -> String {
        var lines = ["抽样线索 \(inspection.sampled) 条；公海待分配 \(inspection.unassigned) 条；最近线索中检查点超时 \(inspection.missedCheckpoints) 条。"]
        if inspection.onManagers > 0 { lines.append("挂在经理本人名下的未结线索：\(inspection.onManagers) 条") }
        if !inspection.neverMatched.isEmpty { lines.append("从未命中的规则：\(inspection.neverMatched.joined(separator: "、"))") }
        for miss in inspection.mappingMisses {
            lines.append("映射表 \(miss.table) 缺少 \(miss.field) 值：\(miss.values.prefix(5).joined(separator: "、"))（\(miss.leads) 条线索）")
        }
        if !inspection.rosterGaps.isEmpty {
            let teams = Set(inspection.rosterGaps.map(\.teamPath)).sorted()
            lines.append("未来14天值班表有空档的团队：\(teams.joined(separator: "、"))（共 \(inspection.rosterGaps.count) 天）")
        }
        return lines.joined(separator: "\n")
    }

    func list(tenant: TenantID) async throws -> [Sales_Leads_V1_RuleHealthReport] {
        let rows = try await database.query(
            "SELECT month, created_at, report FROM rule_health_reports WHERE tenant_id = \(tenant.rawValue) ORDER BY month DESC")
        var reports: [Sales_Leads_V1_RuleHealthReport] = []
        for try await (month, created, report) in rows.decode((String, Date, String).self) {
            reports.append(
                .with {
                    $0.month = month
                    $0.createdAt = Google_Protobuf_Timestamp(date: created)
                    $0.inspection = (try? Sales_Leads_V1_RuleInspection(jsonString: report)) ?? .init()
                })
        }
        return reports
    }
}
