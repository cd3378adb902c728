import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// A customer's journey, read in one statement from the tables that hold it: the touches and
/// tickets of the customer, and of the deals the caller sees their creation, activities, stage
/// moves, quotes, contracts and payments.
struct JourneyStore: Sendable {
    static let mostEntries = 2_000
    /// A ticket wants a sales follow-up on the customer's deals within this long.
    static let followUpWithin: TimeInterval = 3 * 86_400

    let database: Database

    func entries(customer: UUID, since: Date, for caller: Caller) async throws -> [Sales_Opportunities_V1_JourneyEntry] {
        let rows = try await database.query(Self.entriesQuery(customer: customer, since: since, for: caller))
        var entries: [Sales_Opportunities_V1_JourneyEntry] = []
        for try await (at, line, kind, title, deal, by) in rows.decode((Date, String, String, String, UUID?, String).self) {
            entries.append(
                .with {
                    $0.at = Google_Protobuf_Timestamp(date: at)
                    $0.line = line
                    $0.kind = kind
                    $0.title = title
                    $0.opportunityID = deal?.apiString ?? ""
                    $0.by = by
                })
        }
        return entries.reversed()
    }

    static func entriesQuery(customer: UUID, since: Date, for caller: Caller) -> PostgresQuery {
        let t = caller.tenant.rawValue
        return """
            WITH deals AS (
                SELECT id, name, created_at, created_by FROM opportunities
                WHERE tenant_id = \(t) AND customer_id = \(customer) AND \(visibleTo: Visibility(caller)))
            SELECT at, line, kind, title, deal, by FROM (
                SELECT occurred_at AS at, 'marketing' AS line, 'touch' AS kind, kind || ': ' || title AS title, NULL::uuid AS deal, '' AS by
                FROM marketing_touches WHERE tenant_id = \(t) AND customer_id = \(customer)
                UNION ALL
                SELECT opened_at, 'service', 'ticket_opened', subject, NULL, '' FROM service_tickets WHERE tenant_id = \(t) AND customer_id = \(customer)
                UNION ALL
                SELECT resolved_at, 'service', 'ticket_resolved', subject || coalesce('（NPS ' || nps || '）', ''), NULL, ''
                FROM service_tickets WHERE tenant_id = \(t) AND customer_id = \(customer) AND resolved_at IS NOT NULL
                UNION ALL
                SELECT created_at, 'sales', 'deal_created', name, id, created_by FROM deals
                UNION ALL
                SELECT a.occurred_at, 'sales', 'activity', coalesce(a.detail::jsonb ->> 'summary', ''), a.opportunity_id, a.recorded_by
                FROM activities a JOIN deals d ON d.id = a.opportunity_id WHERE a.tenant_id = \(t)
                UNION ALL
                SELECT c.changed_at, 'sales', 'stage_moved', c.from_stage || ' → ' || c.to_stage, c.opportunity_id, c.changed_by
                FROM stage_changes c JOIN deals d ON d.id = c.opportunity_id WHERE c.tenant_id = \(t)
                UNION ALL
                SELECT q.created_at, 'finance', 'quote', '报价 ' || round(q.total_minor / 100.0, 2) || ' ' || q.currency, q.opportunity_id, q.created_by
                FROM quotes q JOIN deals d ON d.id = q.opportunity_id WHERE q.tenant_id = \(t)
                UNION ALL
                SELECT k.created_at, 'finance', 'contract', '合同 ' || round(k.total_minor / 100.0, 2) || ' ' || k.currency, k.opportunity_id, ''
                FROM contracts k JOIN deals d ON d.id = k.opportunity_id WHERE k.tenant_id = \(t)
                UNION ALL
                SELECT p.received_on::timestamptz, 'finance', 'payment', '回款 ' || round(p.amount_minor / 100.0, 2) || ' ' || p.currency,
                       k.opportunity_id, p.recorded_by
                FROM payments p JOIN contracts k ON k.id = p.contract_id JOIN deals d ON d.id = k.opportunity_id
                WHERE p.tenant_id = \(t) AND k.tenant_id = \(t)
            ) e
            WHERE at >= \(since)
            ORDER BY at DESC LIMIT \(mostEntries)
            """
    }

    /// Complaints and major tickets since `since` that no sales activity on the customer's deals
    /// followed within three days, with the deals open when each came.
    func jointActions(customer: UUID, since: Date, tenant: TenantID, now: Date) async throws -> [Sales_Opportunities_V1_JointAction] {
        let won = Sales_Opportunities_V1_Stage.won.column
        let lost = Sales_Opportunities_V1_Stage.lost.column
        let rows = try await database.query(
            """
            SELECT t.ticket_id, t.opened_at, t.subject,
                   coalesce((SELECT array_agg(o.id ORDER BY o.seq) FROM opportunities o
                             WHERE o.tenant_id = t.tenant_id AND o.customer_id = t.customer_id AND o.created_at <= t.opened_at
                               AND (o.stage NOT IN (\(won), \(lost)) OR o.stage_entered_at > t.opened_at)), '{}')
            FROM service_tickets t
            WHERE t.tenant_id = \(tenant.rawValue) AND t.customer_id = \(customer) AND t.opened_at >= \(since)
              AND (t.complaint OR t.severity >= 2)
              AND \(now) > t.opened_at + make_interval(secs => \(Self.followUpWithin))
              AND NOT EXISTS (
                  SELECT 1 FROM activities a JOIN opportunities o ON o.id = a.opportunity_id
                  WHERE o.tenant_id = t.tenant_id AND o.customer_id = t.customer_id
                    AND a.occurred_at BETWEEN t.opened_at AND t.opened_at + make_interval(secs => \(Self.followUpWithin)))
            ORDER BY t.opened_at
            """)
        var actions: [Sales_Opportunities_V1_JointAction] = []
        for try await (ticket, opened, subject, deals) in rows.decode((String, Date, String, [UUID]).self) {
            actions.append(
                .with {
                    $0.at = Google_Protobuf_Timestamp(date: opened)
                    $0.ticketID = ticket
                    $0.opportunityIds = deals.map(\.apiString)
                    $0.reason = "工单 \(ticket)（\(subject)）后 3 天内销售没有跟进：销售与服务需一起回访客户"
                })
        }
        return actions
    }
}
