import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The `members`, `member_visits` and `member_notes` tables.
struct MemberStore: Sendable {
    let database: Database

    enum Upserted: String {
        case created, updated, unchanged
    }

    /// A member file's row: a new mobile makes a member, a known one is brought up to date.
    /// A consent already recorded keeps its first time; a row that withdraws it clears it; a row
    /// that does not say leaves it.
    func upsert(_ member: CheckedMember, tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws -> (UUID, Upserted) {
        let (mode, consentAt): (String, Date?) =
            switch member.consent {
            case .unstated: ("keep", nil)
            case .given(let time): ("give", time)
            case .withdrawn: ("withdraw", nil)
            }
        let rows = try await connection.query(
            """
            INSERT INTO members AS m (id, tenant_id, phone_e164, phone_hmac, name, birth_year, consent_at, consent_source)
            VALUES (\(UUID.random()), \(tenant.rawValue), \(member.phone.e164), \(member.phoneHash), \(member.name), \(member.birthYear),
                    \(consentAt), \(consentAt == nil ? "" : "import"))
            ON CONFLICT (tenant_id, phone_hmac) DO UPDATE SET
                name = CASE WHEN EXCLUDED.name = '' THEN m.name ELSE EXCLUDED.name END,
                birth_year = COALESCE(EXCLUDED.birth_year, m.birth_year),
                consent_at = CASE \(mode) WHEN 'keep' THEN m.consent_at WHEN 'withdraw' THEN NULL ELSE COALESCE(m.consent_at, EXCLUDED.consent_at) END,
                consent_source = CASE \(mode) WHEN 'keep' THEN m.consent_source WHEN 'withdraw' THEN ''
                                 ELSE COALESCE(NULLIF(m.consent_source, ''), EXCLUDED.consent_source) END
            WHERE (EXCLUDED.name <> '' AND EXCLUDED.name <> m.name)
               OR (EXCLUDED.birth_year IS NOT NULL AND EXCLUDED.birth_year IS DISTINCT FROM m.birth_year)
               OR (\(mode) = 'give' AND m.consent_at IS NULL) OR (\(mode) = 'withdraw' AND m.consent_at IS NOT NULL)
            RETURNING id, xmax = 0
            """, logger: logger)
        for try await (id, inserted) in rows.decode((UUID, Bool).self) { return (id, inserted ? .created : .updated) }
        let existing = try await connection.query(
            "SELECT id FROM members WHERE tenant_id = \(tenant.rawValue) AND phone_hmac = \(member.phoneHash)", logger: logger)
        for try await id in existing.decode(UUID.self) { return (id, .unchanged) }
        throw ServiceError.unavailable("the member row was not stored; retry")
    }

    /// A scan of `clerk`'s code by the customer with `phone`: finds or makes the member, keeps the
    /// first attribution, records the visit. Returns the member and whether the scan made it.
    func scan(
        phone: PhoneNumber, hash: String, name: String, consent: Bool, clerk: ClerkRow, storeCode: String, at time: Date,
        tenant: TenantID, on connection: PostgresConnection, logger: Logger
    ) async throws -> (UUID, Bool) {
        let consentAt = consent ? time : nil
        let rows = try await connection.query(
            """
            INSERT INTO members AS m (id, tenant_id, phone_e164, phone_hmac, name, consent_at, consent_source,
                                      first_clerk_id, first_store_id, first_visit_at)
            VALUES (\(UUID.random()), \(tenant.rawValue), \(phone.e164), \(hash), \(name), \(consentAt),
                    \(consent ? "scan at \(storeCode)" : ""), \(clerk.id), \(clerk.storeID), \(time))
            ON CONFLICT (tenant_id, phone_hmac) DO UPDATE SET
                name = CASE WHEN m.name = '' THEN EXCLUDED.name ELSE m.name END,
                consent_at = COALESCE(m.consent_at, EXCLUDED.consent_at),
                consent_source = CASE WHEN m.consent_at IS NULL THEN EXCLUDED.consent_source ELSE m.consent_source END,
                first_clerk_id = COALESCE(m.first_clerk_id, EXCLUDED.first_clerk_id),
                first_store_id = COALESCE(m.first_store_id, EXCLUDED.first_store_id),
                first_visit_at = COALESCE(m.first_visit_at, EXCLUDED.first_visit_at)
            RETURNING id, xmax = 0
            """, logger: logger)
        var made: (UUID, Bool)?
        for try await row in rows.decode((UUID, Bool).self) { made = row }
        guard let (id, new) = made else { throw ServiceError.unavailable("the scan was not stored; retry") }
        try await connection.query(
            "INSERT INTO member_visits (member_id, clerk_id, store_id, scanned_at) VALUES (\(id), \(clerk.id), \(clerk.storeID), \(time))",
            logger: logger)
        return (id, new)
    }

    /// The member with `id` in the tenant, with visits, purchases and the latest notes; nil when none.
    func member(_ id: UUID, tenant: TenantID, on connection: PostgresConnection? = nil) async throws -> MemberRecord? {
        let rows = try await database.query(
            """
            SELECT m.id, m.phone_e164, m.name, m.birth_year, m.consent_at, m.consent_source, m.first_clerk_id, m.first_store_id,
                   m.first_visit_at, m.created_at, v.visits, v.last_clerk, v.last_at, r.purchases, r.spent
            FROM members m
            CROSS JOIN LATERAL (
                SELECT count(*) AS visits, (array_agg(clerk_id ORDER BY scanned_at DESC))[1] AS last_clerk, max(scanned_at) AS last_at
                FROM member_visits WHERE member_id = m.id) v
            CROSS JOIN LATERAL (
                SELECT count(*) AS purchases, COALESCE(sum(total_fen), 0)::bigint AS spent
                FROM receipts WHERE member_id = m.id AND currency = 'CNY') r
            WHERE m.id = \(id) AND m.tenant_id = \(tenant.rawValue)
            """, on: connection)
        var record: MemberRecord?
        for try await row in rows.decode(
            (UUID, String, String, Int?, Date?, String, UUID?, UUID?, Date?, Date, Int64, UUID?, Date?, Int64, Int64).self)
        {
            record = MemberRecord(row)
        }
        guard var record else { return nil }
        record.notes = try await notes(of: id, on: connection)
        record.message.preferences = try await preferences(of: id, on: connection)
        return record
    }

    func addNote(_ note: CheckedNote, member: UUID, clerk: UUID, on connection: PostgresConnection, logger: Logger) async throws
        -> Sales_Storesales_V1_MemberNote
    {
        let id = UUID.random()
        let rows = try await connection.query(
            """
            INSERT INTO member_notes (id, member_id, clerk_id, rating, needs, media)
            VALUES (\(id), \(member), \(clerk), \(note.rating), \(note.needs), \(note.mediaJSON)::jsonb)
            RETURNING created_at
            """, logger: logger)
        var created = Date()
        for try await time in rows.decode(Date.self) { created = time }
        return note.message(id: id, clerk: clerk, at: created)
    }

    /// The member's taste, read from the categories of the coupons they took and used.
    private func preferences(of member: UUID, on connection: PostgresConnection?) async throws -> [Sales_Storesales_V1_CategoryPreference] {
        let rows = try await database.query(
            """
            SELECT category, count(*)::integer, count(redeemed_at)::integer FROM coupons WHERE member_id = \(member)
            GROUP BY category ORDER BY count(*) DESC, count(redeemed_at) DESC, category LIMIT 5
            """, on: connection)
        var preferences: [Sales_Storesales_V1_CategoryPreference] = []
        for try await (category, taken, redeemed) in rows.decode((String, Int, Int).self) {
            preferences.append(
                .with {
                    $0.category = category
                    $0.taken = Int32(taken)
                    $0.redeemed = Int32(redeemed)
                })
        }
        return preferences
    }

    private func notes(of member: UUID, on connection: PostgresConnection?) async throws -> [Sales_Storesales_V1_MemberNote] {
        let rows = try await database.query(
            """
            SELECT id, clerk_id, rating, needs, media::text, created_at FROM member_notes
            WHERE member_id = \(member) ORDER BY created_at DESC LIMIT 20
            """, on: connection)
        var notes: [Sales_Storesales_V1_MemberNote] = []
        for try await (id, clerk, rating, needs, media, created) in rows.decode((UUID, UUID, Int, String, String, Date).self) {
            notes.append(CheckedNote.stored(id: id, clerk: clerk, rating: rating, needs: needs, mediaJSON: media, at: created))
        }
        return notes
    }
}
