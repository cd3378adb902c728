import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The deal team, the tenant's weights, and the matrices frozen at a win with their confirmations.
struct ContributionStore: Sendable {
    let database: Database

    typealias Member = ContributionMatrixBuilder.Member

    /// Adds `person` to the deal's team, or changes their role; the member as stored.
    func add(
        _ person: String, orgPath: String, role: ValueActions.Role, to deal: Opportunity, by caller: Caller,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> Sales_Opportunities_V1_DealTeamMember {
        let rows = try await connection.query(
            """
            INSERT INTO deal_team (tenant_id, opportunity_id, person_id, org_path, role, added_by)
            VALUES (\(caller.tenant.rawValue), \(deal.id), \(person), \(orgPath), \(role.column), \(caller.userID))
            ON CONFLICT (opportunity_id, person_id) DO UPDATE SET role = EXCLUDED.role, org_path = EXCLUDED.org_path
            RETURNING person_id, org_path, role, joined_at, added_by
            """, logger: logger)
        for try await (person, path, role, joined, addedBy) in rows.decode((String, String, Int16, Date, String).self) {
            return .with {
                $0.personID = person
                $0.orgPath = path
                $0.role = .init(column: role)
                $0.joinedAt = Google_Protobuf_Timestamp(date: joined)
                $0.addedBy = addedBy
            }
        }
        throw ServiceError.unavailable("the member was not added; retry")
    }

    /// The deal's members in the order they joined (the owner is not among them).
    func team(of deal: UUID, tenant: TenantID, on connection: PostgresConnection? = nil) async throws -> [Member] {
        let rows = try await database.query(
            """
            SELECT person_id, org_path, role, joined_at FROM deal_team
            WHERE tenant_id = \(tenant.rawValue) AND opportunity_id = \(deal) ORDER BY joined_at, person_id
            """, on: connection)
        var members: [Member] = []
        for try await (person, path, role, joined) in rows.decode((String, String, Int16, Date).self) {
            members.append(Member(personID: person, orgPath: path, role: .init(column: role), joinedAt: joined))
        }
        return members
    }

    func weights(tenant: TenantID, on connection: PostgresConnection? = nil) async throws -> [ValueActions.Action: Int32] {
        let rows = try await database.query(
            "SELECT action, weight FROM contribution_weights WHERE tenant_id = \(tenant.rawValue)", on: connection)
        var weights: [ValueActions.Action: Int32] = [:]
        for try await (action, weight) in rows.decode((Int16, Int32).self) { weights[.init(column: action)] = weight }
        return weights.isEmpty ? ValueActions.defaultWeights : weights
    }

    func setWeights(_ weights: [ValueActions.Action: Int32], tenant: TenantID, on connection: PostgresConnection, logger: Logger)
        async throws
    {
        try await connection.query("DELETE FROM contribution_weights WHERE tenant_id = \(tenant.rawValue)", logger: logger)
        for (action, weight) in weights {
            try await connection.query(
                "INSERT INTO contribution_weights (tenant_id, action, weight) VALUES (\(tenant.rawValue), \(action.column), \(weight))",
                logger: logger)
        }
    }

    /// Fixes the matrix of a deal just won and asks each credited person to confirm by `confirmBy`.
    func freeze(
        _ matrix: Sales_Opportunities_V1_ContributionMatrix, deal: UUID, tenant: TenantID, wonAt: Date, confirmBy: Date,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await connection.query(
            """
            INSERT INTO contribution_snapshots (opportunity_id, tenant_id, matrix, won_at, confirm_by)
            VALUES (\(deal), \(tenant.rawValue), \(try matrix.jsonString()), \(wonAt), \(confirmBy))
            ON CONFLICT (opportunity_id) DO NOTHING
            """, logger: logger)
        for share in matrix.shares {
            try await connection.query(
                """
                INSERT INTO contribution_confirmations (opportunity_id, person_id, tenant_id, state)
                VALUES (\(deal), \(share.personID), \(tenant.rawValue), \(Sales_Opportunities_V1_ConfirmationState.pending.column))
                ON CONFLICT DO NOTHING
                """, logger: logger)
        }
    }

    /// The frozen matrix of a won deal with its confirmations and hold, or nil before the win.
    func frozen(_ deal: UUID, tenant: TenantID, lock: Bool = false, on connection: PostgresConnection? = nil) async throws
        -> Sales_Opportunities_V1_ContributionMatrix?
    {
        let rows = try await database.query(
            """
            SELECT matrix, won_at, confirm_by, held, hold_reason FROM contribution_snapshots
            WHERE tenant_id = \(tenant.rawValue) AND opportunity_id = \(deal) \(unescaped: lock ? "FOR UPDATE" : "")
            """, on: connection)
        var found: Sales_Opportunities_V1_ContributionMatrix?
        for try await (json, wonAt, confirmBy, held, reason) in rows.decode((String, Date, Date, Bool, String).self) {
            var matrix = try Sales_Opportunities_V1_ContributionMatrix(jsonString: json)
            matrix.frozen = true
            matrix.wonAt = Google_Protobuf_Timestamp(date: wonAt)
            matrix.confirmBy = Google_Protobuf_Timestamp(date: confirmBy)
            matrix.held = held
            matrix.holdReason = reason
            found = matrix
        }
        guard var matrix = found else { return nil }
        let answers = try await database.query(
            """
            SELECT person_id, state, statement, answered_at, late FROM contribution_confirmations
            WHERE tenant_id = \(tenant.rawValue) AND opportunity_id = \(deal)
            """, on: connection)
        var confirmations: [String: Sales_Opportunities_V1_ContributionConfirmation] = [:]
        for try await (person, state, statement, answeredAt, late) in answers.decode((String, Int16, String, Date?, Bool).self) {
            confirmations[person] = .with {
                $0.state = .init(column: state)
                $0.statement = statement
                if let answeredAt { $0.answeredAt = Google_Protobuf_Timestamp(date: answeredAt) }
                $0.late = late
            }
        }
        for index in matrix.shares.indices {
            if let confirmation = confirmations[matrix.shares[index].personID] { matrix.shares[index].confirmation = confirmation }
        }
        return matrix
    }

    /// Records `person`'s answer; false when they have no part on the deal.
    func answer(
        _ deal: UUID, person: String, tenant: TenantID, state: Sales_Opportunities_V1_ConfirmationState, statement: String,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> Bool {
        let rows = try await connection.query(
            """
            UPDATE contribution_confirmations c SET state = \(state.column), statement = \(statement), answered_at = now(),
                late = now() > s.confirm_by
            FROM contribution_snapshots s
            WHERE s.opportunity_id = c.opportunity_id AND c.tenant_id = \(tenant.rawValue) AND c.opportunity_id = \(deal)
              AND c.person_id = \(person)
            RETURNING c.person_id
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// Puts the hold on or takes it off; true when it changed.
    func setHold(_ deal: UUID, held: Bool, reason: String, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query(
            """
            UPDATE contribution_snapshots SET held = \(held), hold_reason = \(reason)
            WHERE opportunity_id = \(deal) AND (held <> \(held) OR hold_reason <> \(reason))
            RETURNING opportunity_id
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// Won deals past their deadline, not held, with a part not confirmed.
    func overdue(tenant: TenantID?, now: Date, limit: Int = 500) async throws -> [(deal: UUID, tenant: TenantID)] {
        let rows = try await database.query(
            """
            SELECT s.opportunity_id, s.tenant_id FROM contribution_snapshots s
            WHERE NOT s.held AND s.confirm_by < \(now) AND (\(tenant?.rawValue)::text IS NULL OR s.tenant_id = \(tenant?.rawValue))
              AND EXISTS (SELECT 1 FROM contribution_confirmations c WHERE c.opportunity_id = s.opportunity_id
                          AND c.state <> \(Sales_Opportunities_V1_ConfirmationState.confirmed.column))
            ORDER BY s.confirm_by LIMIT \(limit)
            """)
        var due: [(UUID, TenantID)] = []
        for try await (deal, tenant) in rows.decode((UUID, String).self) {
            if let tenant = TenantID(tenant) { due.append((deal, tenant)) }
        }
        return due
    }

    /// Deals of members who joined before `joinedBefore` and whose part was not checked yet (open deals only).
    func membersToCheck(tenant: TenantID?, joinedBefore: Date, limit: Int = 500) async throws -> [(deal: UUID, tenant: TenantID)] {
        let rows = try await database.query(
            """
            SELECT DISTINCT t.opportunity_id, t.tenant_id FROM deal_team t JOIN opportunities o ON o.id = t.opportunity_id
            WHERE t.part_checked_at IS NULL AND t.joined_at < \(joinedBefore)
              AND o.stage <> \(Sales_Opportunities_V1_Stage.won.column) AND o.stage <> \(Sales_Opportunities_V1_Stage.lost.column)
              AND (\(tenant?.rawValue)::text IS NULL OR t.tenant_id = \(tenant?.rawValue))
            LIMIT \(limit)
            """)
        var due: [(UUID, TenantID)] = []
        for try await (deal, tenant) in rows.decode((UUID, String).self) {
            if let tenant = TenantID(tenant) { due.append((deal, tenant)) }
        }
        return due
    }

    /// Marks a member's part as checked (once, at 15 days); false when it already was.
    func markChecked(_ deal: UUID, person: String, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query(
            """
            UPDATE deal_team SET part_checked_at = now()
            WHERE opportunity_id = \(deal) AND person_id = \(person) AND part_checked_at IS NULL
            RETURNING person_id
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }
}
