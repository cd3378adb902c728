import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesNotifications
import SalesProto
import ServiceKit

/// Watches open leads of the last 30 days for missed checkpoints: the owner gets a reminder and
/// the team an escalation, once per lead and checkpoint (the alert row makes a second pass a no-op).
struct CheckpointWatch: Sendable {
    let database: Database
    let store: LeadStore
    let fields: CustomFieldStore
    let checkpoints: LeadCheckpoints
    let notifier: Notifier

    /// One pass over `tenant` (every tenant with active checkpoints when nil); returns alerts raised.
    func run(tenant: TenantID?, now: Date = Date()) async throws -> Int {
        var raised = 0
        for tenant in try await tenants(tenant) {
            let leads = try await store.openLeads(tenant: tenant, since: now.addingTimeInterval(-30 * 86_400), limit: 2_000)
            let catalog = TenantLeadFields(try await fields.definitions(tenant: tenant)).catalog
            let statuses = try await checkpoints.statuses(of: leads, tenant: tenant, catalog: catalog, now: now)
            for (lead, states) in zip(leads, statuses) {
                for missed in states where missed.state == .missed {
                    if try await alert(lead, missed, tenant: tenant) { raised += 1 }
                }
            }
        }
        return raised
    }

    private func tenants(_ only: TenantID?) async throws -> [TenantID] {
        if let only { return [only] }
        return try await RuleSetStore(database: database).tenantsWithActive(Checkpoint.ruleSetName)
    }

    private func alert(_ lead: Lead, _ missed: Sales_Leads_V1_CheckpointStatus, tenant: TenantID) async throws -> Bool {
        let logger = database.logger
        return try await database.transaction { connection in
            let rows = try await connection.query(
                """
                INSERT INTO checkpoint_alerts (tenant_id, lead_id, rule_id) VALUES (\(tenant.rawValue), \(lead.id), \(missed.ruleID))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger)
            var first = false
            for try await _ in rows { first = true }
            guard first else { return false }
            let what =
                "\(missed.label)（\(LeadCheckpoints.describeInChinese(missed.requirement))，已过 \(missed.elapsed.chinese)，时限 \(missed.limit.chinese)）"
            if !lead.ownerID.isEmpty {
                try await notifier.enqueue(
                    Notice(
                        kind: "checkpoint_missed", audience: .person(lead.ownerID), title: "线索检查点已超时",
                        text: "\(lead.contactName)：\(what)。完成前线索不能推进。", subjectID: lead.id.apiString, personal: true),
                    tenant: tenant, on: connection, logger: logger)
            }
            try await notifier.enqueue(
                Notice(
                    kind: "checkpoint_escalation", audience: .team(lead.orgPath), title: "检查点超时升级",
                    text: "\(lead.contactName)（负责人 \(lead.ownerID.isEmpty ? "公海" : lead.ownerID)）：\(what)",
                    subjectID: lead.id.apiString, personal: false),
                tenant: tenant, on: connection, logger: logger)
            return true
        }
    }
}
