import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The public pool's rules and records: policy per tenant, releases (for the cooldown) and claims
/// (for the daily cap and to tell a losing claimer what happened).
struct PoolStore: Sendable {
    let database: Database

    static let defaultPolicy = Sales_Leads_V1_PoolPolicy.with {
        $0.dailyClaimCap = 20
        $0.heldCap = 200
        $0.cooldownDays = 7
        $0.returnAfterBusinessDays = 10
        $0.warnBusinessDaysBefore = 2
    }

    func policy(tenant: TenantID, on connection: PostgresConnection? = nil) async throws -> Sales_Leads_V1_PoolPolicy {
        let rows = try await database.query(
            """
            SELECT daily_claim_cap, held_cap, cooldown_days, return_after_business_days, warn_business_days_before,
                   return_days_by_grade::text
            FROM pool_policies WHERE tenant_id = \(tenant.rawValue)
            """, on: connection)
        for try await (daily, held, cooldown, returnAfter, warn, byGrade) in rows.decode((Int32, Int32, Int32, Int32, Int32, String).self) {
            return .with {
                $0.dailyClaimCap = daily; $0.heldCap = held; $0.cooldownDays = cooldown
                $0.returnAfterBusinessDays = returnAfter; $0.warnBusinessDaysBefore = warn
                $0.returnAfterBusinessDaysByGrade = (try? JSONDecoder().decode([String: Int32].self, from: Data(byGrade.utf8))) ?? [:]
            }
        }
        return Self.defaultPolicy
    }

    func setPolicy(_ policy: Sales_Leads_V1_PoolPolicy, by caller: Caller) async throws {
        try await database.query(
            """
            INSERT INTO pool_policies (tenant_id, daily_claim_cap, held_cap, cooldown_days, return_after_business_days,
                                       warn_business_days_before, return_days_by_grade, updated_by)
            VALUES (\(caller.tenant.rawValue), \(policy.dailyClaimCap), \(policy.heldCap), \(policy.cooldownDays),
                    \(policy.returnAfterBusinessDays), \(policy.warnBusinessDaysBefore),
                    \(String(decoding: try JSONEncoder().encode(policy.returnAfterBusinessDaysByGrade), as: UTF8.self))::jsonb,
                    \(caller.userID))
            ON CONFLICT (tenant_id) DO UPDATE SET daily_claim_cap = EXCLUDED.daily_claim_cap, held_cap = EXCLUDED.held_cap,
                cooldown_days = EXCLUDED.cooldown_days, return_after_business_days = EXCLUDED.return_after_business_days,
                warn_business_days_before = EXCLUDED.warn_business_days_before, return_days_by_grade = EXCLUDED.return_days_by_grade,
                updated_by = EXCLUDED.updated_by, updated_at = now()
            """)
    }

    /// Serialises one rep's claims, so two at once cannot both slip under a cap.
    func lockClaimer(_ caller: Caller, on connection: PostgresConnection, logger: Logger) async throws {
        let key = "pool-claim:\(caller.tenant.rawValue)/\(caller.userID)"
        try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(key)))", logger: logger)
    }

    /// When `userID` last released or lost `lead`, if ever.
    func lastRelease(of lead: UUID, by userID: String, on connection: PostgresConnection, logger: Logger) async throws -> Date? {
        let rows = try await connection.query(
            "SELECT max(released_at) FROM lead_releases WHERE lead_id = \(lead) AND previous_owner = \(userID)", logger: logger)
        for try await at in rows.decode(Date?.self) { return at }
        return nil
    }

    /// Claims today (in Asia/Shanghai) and open leads held, for the caps.
    func usage(of caller: Caller, on connection: PostgresConnection, logger: Logger) async throws -> (claimsToday: Int64, held: Int64) {
        let rows = try await connection.query(
            """
            SELECT
              (SELECT count(*) FROM lead_claims WHERE tenant_id = \(caller.tenant.rawValue) AND claimed_by = \(caller.userID)
                 AND claimed_at >= date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai'),
              (SELECT count(*) FROM leads WHERE tenant_id = \(caller.tenant.rawValue) AND owner_id = \(caller.userID)
                 AND status <> \(Sales_Leads_V1_LeadStatus.converted.column))
            """, logger: logger)
        for try await usage in rows.decode((Int64, Int64).self) { return usage }
        return (0, 0)
    }

    func recordClaim(_ lead: UUID, poolPath: String, by caller: Caller, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO lead_claims (lead_id, tenant_id, claimed_by, pool_path)
            VALUES (\(lead), \(caller.tenant.rawValue), \(caller.userID), \(poolPath))
            """, logger: logger)
    }

    func recordRelease(_ lead: UUID, previousOwner: String, reason: String, tenant: TenantID, on connection: PostgresConnection, logger: Logger)
        async throws
    {
        try await connection.query(
            """
            INSERT INTO lead_releases (lead_id, tenant_id, previous_owner, reason)
            VALUES (\(lead), \(tenant.rawValue), \(previousOwner), \(reason))
            """, logger: logger)
    }

    /// Whether `lead` was claimed from a pool the caller can see within the last hour: then a
    /// losing claimer is told it was taken, instead of NOT_FOUND.
    func wasJustClaimed(_ lead: UUID, visibleTo caller: Caller, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query(
            """
            SELECT 1 FROM lead_claims
            WHERE lead_id = \(lead) AND tenant_id = \(caller.tenant.rawValue) AND claimed_at > now() - interval '1 hour'
              AND \(poolOf: caller, column: "pool_path")
            LIMIT 1
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }
}
