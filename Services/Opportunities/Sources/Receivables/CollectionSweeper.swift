import Foundation
import RulesEngine
import SalesModel
import SalesNotifications
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The collection sweep, per tenant in its calendar: tasks for the owners of unpaid instalments
/// past due (closed again when paid or when the invoice moves on), and each instalment more than
/// `escalateAfterDays` overdue sent to the owner's manager once, with its event.
struct CollectionSweeper: Sendable {
    let tasks: CollectionTaskStore
    let notifier: Notifier
    let calendars: TenantCalendars

    static let escalateAfterDays = 5
    /// How long a rep has for a task.
    static let taskHours = 48
    /// Escalations written in one transaction; the next sweep takes the rest.
    static let escalationsPerSweep = 500

    func sweep(tenant: TenantID?) async throws -> (tasks: Int, escalated: Int) {
        var total = (tasks: 0, escalated: 0)
        let tenants = if let tenant { [tenant] } else { try await tasks.tenantsWithPastDue() }
        for tenant in tenants {
            let today = await calendars.today(for: tenant)
            let swept = try await sweep(tenant, today: today)
            total = (total.tasks + swept.tasks, total.escalated + swept.escalated)
        }
        return total
    }

    private func sweep(_ tenant: TenantID, today: LocalDate) async throws -> (tasks: Int, escalated: Int) {
        let logger = tasks.database.logger
        return try await tasks.database.transaction { connection in
            try await tasks.closeSettled(tenant: tenant, on: connection, logger: logger)
            let created = try await tasks.createDue(tenant: tenant, today: today, hours: Self.taskHours, on: connection, logger: logger)
            let escalated = try await tasks.escalate(
                tenant: tenant, today: today, afterDays: Self.escalateAfterDays, limit: Self.escalationsPerSweep, on: connection, logger: logger)
            for (receivable, orgPath) in escalated {
                let amount = Money(minorUnits: receivable.outstanding.minorUnits, currency: Currency(receivable.outstanding.currency) ?? .cny)
                try await notifier.enqueue(
                    Notice(
                        kind: "instalment_overdue", audience: .team(orgPath), title: "回款逾期超过\(Self.escalateAfterDays)天",
                        text: "\(receivable.ownerID) 的客户 \(receivable.customerName) 第\(receivable.number)期 \(amount) "
                            + "应于 \(receivable.dueDate) 付款，已逾期 \(receivable.daysOverdue) 天（\(Self.stateName(receivable.state))）。",
                        subjectID: receivable.instalmentID, personal: false),
                    tenant: tenant, on: connection, logger: logger)
                try await Outbox.append(
                    Sales_Opportunities_V1_InstalmentSlipped.with { $0.receivable = receivable },
                    tenant: tenant, aggregateType: "contract", aggregateID: receivable.contractID, on: connection, logger: logger)
            }
            return (created, escalated.count)
        }
    }

    static func stateName(_ state: Sales_Opportunities_V1_ReceivableState) -> String {
        switch state {
        case .notInvoiced: "未开票"
        case .invoiced: "已开票"
        case .awaitingAcceptance: "待客户验收"
        case .inLegalReview: "客户法务审核中"
        case .accepted: "已验收待付款"
        case .paid: "已付清"
        case .unspecified, .UNRECOGNIZED: "未知"
        }
    }
}
