import Foundation
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit

/// One lead in one statement: its customer upserted under its key, or found with its owner, and
/// the lead inserted under it with the owner and reason that follow. No row when the key's
/// customer was merged into another, or was committed by another transaction after this
/// statement's snapshot (the caller's next statement sees it).
///
/// Not prepared, unlike `BatchLeadInsert`: it looks a customer up by key, and a connection's generic
/// plan made while the customers table was small can do that by scanning the whole table. It
/// serves the leads a batch cannot take (a customer with an owner, a desk decision, a repeated
/// key), so it is planned with its values each time.
struct SingleLeadInsert {
    static let sql = """
        WITH customer AS (
            -- A conflict updates only a customer waiting in a pool, judged on the row as it is
            -- now (not as this statement's snapshot saw it): a customer with an owner returns nothing.
            INSERT INTO customers AS c (id, tenant_id, key_kind, key_value, display_name, owner_id, org_path)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (tenant_id, key_kind, key_value) DO UPDATE SET owner_id = EXCLUDED.owner_id, org_path = EXCLUDED.org_path
                WHERE c.owner_id = '' AND c.merged_into IS NULL
            RETURNING id, owner_id, org_path, xmax = 0 AS is_new, xmax <> 0 AS from_pool, merged_into
        ), existing AS (
            -- Locking reads the row as it is now, too: a pool customer another transaction
            -- just gave an owner is found with that owner.
            SELECT id, owner_id, org_path, false AS is_new, false AS from_pool, merged_into FROM customers
            WHERE tenant_id = $2 AND key_kind = $3 AND key_value = $4 AND NOT EXISTS (SELECT 1 FROM customer)
            FOR SHARE
        ), decided AS (
            SELECT id, owner_id, org_path, is_new, from_pool FROM customer WHERE merged_into IS NULL
            UNION ALL
            SELECT id, owner_id, org_path, is_new, from_pool FROM existing WHERE merged_into IS NULL
        ), inserted AS (
            INSERT INTO leads (id, tenant_id, contact_name, company_name, phone_e164, phone_hmac, channel, campaign, city,
                               inquiry, owner_id, org_path, status, custom_fields, customer_id, credit_code, repeat,
                               assignment_reason, routing_rule_id, district, industry, budget_minor, budget_currency,
                               employee_count, tags, latitude, longitude, grade)
            SELECT $8, $2, $9, $10, $11, $12, $13, $14, $15, $16, d.owner_id, d.org_path,
                   \(Sales_Leads_V1_LeadStatus.new.rawValue), $17::jsonb, d.id, $18, NOT d.is_new,
                   CASE WHEN d.is_new THEN $19
                        WHEN d.from_pool THEN '\(LeadStore.poolReturnPrefix)' || $19
                        ELSE 'repeat customer: stays with its owner' END,
                   CASE WHEN d.is_new OR d.from_pool THEN $20 END,
                   $21, $22, $23, $24, $25, $26, $27, $28, $29
            FROM decided d
            RETURNING *
        )
        SELECT \(LeadStore.columns) FROM inserted
        """

    let row: NewLeadRow

    func query() throws -> PostgresQuery {
        var bindings = PostgresBindings(capacity: 29)
        let (lead, key, assignment, profile) = (row.lead, row.key, row.assignment, row.lead.profile)
        bindings.append(UUID.random())
        bindings.append(row.tenant.rawValue)
        bindings.append(key.kind)
        bindings.append(key.value)
        bindings.append(lead.companyName.isEmpty ? lead.contactName : lead.companyName)
        bindings.append(assignment.ownerID)
        bindings.append(assignment.orgPath)
        bindings.append(row.id)
        bindings.append(lead.contactName)
        bindings.append(lead.companyName)
        bindings.append(lead.phone?.e164)
        bindings.append(row.phoneHash)
        bindings.append(lead.channel.column)
        bindings.append(lead.campaign)
        bindings.append(lead.city)
        bindings.append(lead.inquiry)
        bindings.append(try CustomFieldStore.encode(lead.customFields))
        bindings.append(lead.creditCode?.rawValue ?? "")
        bindings.append(assignment.reason)
        bindings.append(assignment.ruleID)
        bindings.append(profile.district)
        bindings.append(profile.industry)
        bindings.append(profile.budget?.minorUnits)
        bindings.append(profile.budget?.currency.code)
        bindings.append(profile.employeeCount)
        bindings.append(profile.tags)
        bindings.append(profile.location?.latitude)
        bindings.append(profile.location?.longitude)
        bindings.append(row.grade)
        return PostgresQuery(unsafeSQL: Self.sql, binds: bindings)
    }
}
