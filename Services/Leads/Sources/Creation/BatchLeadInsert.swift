import Foundation
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit

/// One statement for a batch of new leads (of any tenants): each customer inserted under its
/// key, or taken from a public pool, and each lead inserted under it with its assignment. A batch
/// of eight is one round trip instead of eight, and Postgres starts one executor, not eight.
///
/// Prepared once per connection, so it must never need a plan that depends on a table's size: it
/// reads no table, only the upsert's key index. A lead whose customer already has an owner (or
/// was merged, or was committed by another transaction after this statement's snapshot) gets no
/// row and is written by `SingleLeadInsert`, which looks the customer up. Each tenant's key may appear
/// once (a second upsert of one row in one statement is an error); the customers are written in
/// key order, so two batches sharing keys lock them in the same order.
struct BatchLeadInsert: PostgresPreparedStatement {
    typealias Row = Lead

    static let sql = """
        WITH input AS (
            SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::uuid[],
                                 $9::text[], $10::text[], $11::text[], $12::text[], $13::int2[], $14::text[], $15::text[],
                                 $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[], $22::text[],
                                 $23::text[], $24::text[], $25::text[], $26::text[], $27::text[], $28::text[], $29::text[])
                AS i (tenant_id, customer_id, key_kind, key_value, display_name, owner_id, org_path, lead_id,
                      contact_name, company_name, phone_e164, phone_hmac, channel, campaign, city,
                      inquiry, custom_fields, credit_code, reason, rule_id, district, industry,
                      budget_minor, budget_currency, employee_count, tags, latitude, longitude, grade)
        ), customer AS (
            -- A conflict updates only a customer waiting in a pool, judged on the row as it is
            -- now (not as this statement's snapshot saw it): a customer with an owner returns nothing.
            INSERT INTO customers AS c (id, tenant_id, key_kind, key_value, display_name, owner_id, org_path)
            SELECT customer_id, tenant_id, key_kind, key_value, display_name, owner_id, org_path FROM input
            ORDER BY tenant_id, key_kind, key_value
            ON CONFLICT (tenant_id, key_kind, key_value) DO UPDATE SET owner_id = EXCLUDED.owner_id, org_path = EXCLUDED.org_path
                WHERE c.owner_id = '' AND c.merged_into IS NULL
            RETURNING tenant_id, key_kind, key_value, id, owner_id, org_path, xmax = 0 AS is_new
        ), inserted AS (
            INSERT INTO leads (id, tenant_id, contact_name, company_name, phone_e164, phone_hmac, channel, campaign, city,
                               inquiry, owner_id, org_path, status, custom_fields, customer_id, credit_code, repeat,
                               assignment_reason, routing_rule_id, district, industry, budget_minor, budget_currency,
                               employee_count, tags, latitude, longitude, grade)
            SELECT i.lead_id, i.tenant_id, i.contact_name, i.company_name, NULLIF(i.phone_e164, ''), NULLIF(i.phone_hmac, ''), i.channel,
                   i.campaign, i.city, i.inquiry, d.owner_id, d.org_path, \(Sales_Leads_V1_LeadStatus.new.rawValue),
                   i.custom_fields::jsonb, d.id, i.credit_code, NOT d.is_new,
                   CASE WHEN d.is_new THEN i.reason ELSE '\(LeadStore.poolReturnPrefix)' || i.reason END,
                   NULLIF(i.rule_id, ''),
                   i.district, i.industry, NULLIF(i.budget_minor, '')::int8, NULLIF(i.budget_currency, ''),
                   NULLIF(i.employee_count, '')::int4, i.tags::text[], NULLIF(i.latitude, '')::float8,
                   NULLIF(i.longitude, '')::float8, i.grade
            FROM customer d JOIN input i ON (i.tenant_id, i.key_kind, i.key_value) = (d.tenant_id, d.key_kind, d.key_value)
            RETURNING *
        )
        SELECT \(LeadStore.columns) FROM inserted
        """

    static let bindingDataTypes: [PostgresDataType] =
        [.textArray, .uuidArray] + Array(repeating: .textArray, count: 5)
        + [.uuidArray] + Array(repeating: .textArray, count: 4) + [.int2Array] + Array(repeating: .textArray, count: 16)

    let rows: [NewLeadRow]

    /// The rows as one array a column. Arrays cannot hold NULL through postgres-nio, so an absent
    /// value travels as '' (never a valid value of these columns) and numbers as their text.
    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 29)
        func column(_ value: (NewLeadRow) -> String) { bindings.append(rows.map(value)) }
        column(\.tenant.rawValue)
        bindings.append(rows.map { _ in UUID.random() })
        column(\.key.kind)
        column(\.key.value)
        column { $0.lead.companyName.isEmpty ? $0.lead.contactName : $0.lead.companyName }
        column(\.assignment.ownerID)
        column(\.assignment.orgPath)
        bindings.append(rows.map(\.id))
        column(\.lead.contactName)
        column(\.lead.companyName)
        column { $0.lead.phone?.e164 ?? "" }
        column { $0.phoneHash ?? "" }
        bindings.append(rows.map { $0.lead.channel.column })
        column(\.lead.campaign)
        column(\.lead.city)
        column(\.lead.inquiry)
        bindings.append(try rows.map { try CustomFieldStore.encode($0.lead.customFields) })
        column { $0.lead.creditCode?.rawValue ?? "" }
        column(\.assignment.reason)
        column { $0.assignment.ruleID ?? "" }
        column(\.lead.profile.district)
        column(\.lead.profile.industry)
        column { $0.lead.profile.budget.map { String($0.minorUnits) } ?? "" }
        column { $0.lead.profile.budget?.currency.code ?? "" }
        column { $0.lead.profile.employeeCount.map { String($0) } ?? "" }
        column { Self.arrayLiteral($0.lead.profile.tags) }
        column { $0.lead.profile.location.map { String($0.latitude) } ?? "" }
        column { $0.lead.profile.location.map { String($0.longitude) } ?? "" }
        column(\.grade)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Lead { try LeadStore.lead(from: row) }

    /// Tags as a Postgres array literal ({"a","b"}): arrays of arrays must be rectangular, and
    /// each lead has its own number of tags.
    static func arrayLiteral(_ items: [String]) -> String {
        let quoted = items.map { item in
            "\"" + item.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return "{" + quoted.joined(separator: ",") + "}"
    }
}
