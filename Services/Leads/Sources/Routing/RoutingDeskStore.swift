import Foundation
import Logging
import PostgresNIO
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The routing desk's tables: reps with their weight, capacity, score and leave; the duty roster.
struct RoutingDeskStore: Sendable {
    let database: Database
    /// Each tenant's work calendar: a shift on a holiday or outside working hours does not count.
    let calendars: TenantCalendars

    /// "Now" as the desk reads the roster and leave: the day and hour in Asia/Shanghai.
    struct Moment: Sendable {
        let instant: Date
        let localDate: LocalDate
        let hour: Int

        var day: String { localDate.description }

        init(_ instant: Date = Date()) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = WorkCalendar.shanghai
            self.instant = instant
            localDate = WorkCalendar.standard.localDate(of: instant)
            hour = calendar.component(.hour, from: instant)
        }
    }

    /// The owner of a decision that needs no desk rows: a public pool, or a named rep the rule
    /// sends to without checking their availability. Nil when the desk must be asked.
    static func assignWithoutDesk(_ decision: RoutingDecision) -> LeadAssignment? {
        switch decision.target {
        case .pool(let path):
            LeadAssignment(ownerID: "", orgPath: path, reason: "\(decision.origin): public pool of \(path)", ruleID: decision.ruleID)
        case .rep(let owner, let team) where !decision.checkDesk:
            LeadAssignment(ownerID: owner, orgPath: team, reason: decision.origin, ruleID: decision.ruleID)
        case .rep, .team:
            nil
        }
    }

    /// Turns a routing decision into an owner inside the lead's transaction. The team's desk rows
    /// stay locked until commit, so two leads created at once never both see the same rep as
    /// furthest behind; `handedOut` counts the lead once it really goes to the rep.
    func assign(
        _ decision: RoutingDecision, tenant: TenantID, at moment: Moment = Moment(), on connection: PostgresConnection, logger: Logger
    ) async throws -> LeadAssignment {
        if let assignment = Self.assignWithoutDesk(decision) { return assignment }
        switch decision.target {
        case .rep(let owner, let team):
            let known = try await reps(tenant: tenant, where: .user(owner), moment: moment, lock: true, on: connection)
            guard let rep = known.first, let why = rep.unavailability else {
                return LeadAssignment(ownerID: owner, orgPath: team, reason: "\(decision.origin): \(owner)", ruleID: decision.ruleID)
            }
            let viaTeam = RoutingDecision(target: .team(team, priorityScore: nil), origin: "\(decision.origin) named \(why)", ruleID: decision.ruleID)
            return try await assign(viaTeam, tenant: tenant, at: moment, on: connection, logger: logger)
        case .team(let path, let priorityScore):
            let team = try await reps(tenant: tenant, where: .team(path), moment: moment, lock: true, on: connection)
            // The roster is read (and its reps locked) only when nobody in the team can take the
            // lead, and only in working time.
            let someoneCanTake = team.contains(where: \.canTake)
            let offDuty = someoneCanTake ? nil : await calendars.calendar(for: tenant).notWorking(at: moment.instant)
            let onDuty =
                someoneCanTake || offDuty != nil
                ? [] : try await dutyReps(tenant: tenant, team: path, moment: moment, on: connection, logger: logger)
            switch RoutingDesk.choose(team: team, onDuty: onDuty, priorityScore: priorityScore, offDuty: offDuty) {
            case .rep(let user, let detail), .onDuty(let user, let detail):
                return LeadAssignment(
                    ownerID: user, orgPath: path, reason: "\(decision.origin): \(path), \(detail)", ruleID: decision.ruleID, pickedByDesk: true)
            case .nobody(let detail, let chinese):
                return LeadAssignment(
                    ownerID: "", orgPath: path, reason: "\(decision.origin): \(path), \(detail): public pool, manager alerted",
                    ruleID: decision.ruleID, awaitingOwner: (detail, chinese))
            }
        case .pool:
            preconditionFailure("a pool is assigned without the desk, above")
        }
    }

    func handedOut(_ assignment: LeadAssignment, tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws {
        guard assignment.pickedByDesk else { return }
        try await connection.query(
            "UPDATE routing_reps SET assigned_total = assigned_total + 1 WHERE tenant_id = \(tenant.rawValue) AND user_id = \(assignment.ownerID)",
            logger: logger)
    }

    enum RepFilter {
        case team(String)
        case user(String)
        case all
    }

    func reps(
        tenant: TenantID, where filter: RepFilter, moment: Moment = Moment(), lock: Bool = false,
        on connection: PostgresConnection? = nil
    ) async throws -> [RoutingDesk.Rep] {
        let (team, user): (String?, String?) =
            switch filter {
            case .team(let path): (path, nil)
            case .user(let id): (nil, id)
            case .all: (nil, nil)
            }
        if lock, let connection {
            // Locked in a statement of its own, read in the next: in READ COMMITTED a statement
            // that waits for a row lock still counts leads as of its start, so it would miss the
            // lead the previous holder just committed and hand a capped rep one too many.
            _ = try await connection.query(
                """
                SELECT 1 FROM routing_reps
                WHERE tenant_id = \(tenant.rawValue)
                  AND (\(team)::text IS NULL OR team_path = \(team)) AND (\(user)::text IS NULL OR user_id = \(user))
                ORDER BY user_id FOR UPDATE
                """, logger: database.logger
            ).collect()
        }
        let rows = try await database.query(
            """
            SELECT r.user_id, r.active, r.weight, r.capacity, r.score, r.assigned_total,
                   EXISTS (SELECT 1 FROM routing_leaves v WHERE v.tenant_id = r.tenant_id AND v.user_id = r.user_id
                           AND \(moment.day)::date BETWEEN v.first_day AND v.last_day),
                   (SELECT count(*) FROM leads l WHERE l.tenant_id = r.tenant_id AND l.owner_id = r.user_id
                           AND l.status <> \(Sales_Leads_V1_LeadStatus.converted.column))
            FROM routing_reps r
            WHERE r.tenant_id = \(tenant.rawValue)
              AND (\(team)::text IS NULL OR r.team_path = \(team))
              AND (\(user)::text IS NULL OR r.user_id = \(user))
            ORDER BY r.user_id
            """, on: connection)
        var reps: [RoutingDesk.Rep] = []
        for try await (id, active, weight, capacity, score, assigned, onLeave, open)
            in rows.decode((String, Bool, Int32, Int32, Double, Int64, Bool, Int64).self)
        {
            reps.append(
                .init(
                    userID: id, active: active, weight: weight, capacity: capacity, score: score,
                    onLeave: onLeave, openLeads: open, assignedTotal: assigned))
        }
        return reps
    }

    /// Who has a shift for `team` this hour: reps the desk knows with their state and cap (their
    /// rows locked, as the team's are), others as active and uncapped.
    private func dutyReps(
        tenant: TenantID, team: String, moment: Moment, on connection: PostgresConnection, logger: Logger
    ) async throws -> [RoutingDesk.Rep] {
        _ = try await connection.query(
            """
            SELECT 1 FROM routing_reps r
            WHERE r.tenant_id = \(tenant.rawValue) AND r.user_id IN (
                SELECT s.user_id FROM duty_shifts s
                WHERE s.tenant_id = \(tenant.rawValue) AND s.team_path = \(team) AND s.day = \(moment.day)::date
                  AND s.start_hour <= \(moment.hour) AND s.end_hour > \(moment.hour))
            ORDER BY r.user_id FOR UPDATE
            """, logger: logger
        ).collect()
        let rows = try await connection.query(
            """
            SELECT s.user_id, coalesce(r.active, true), coalesce(r.capacity, 0), coalesce(r.assigned_total, 0),
                   EXISTS (SELECT 1 FROM routing_leaves v WHERE v.tenant_id = s.tenant_id AND v.user_id = s.user_id
                           AND s.day BETWEEN v.first_day AND v.last_day),
                   (SELECT count(*) FROM leads l WHERE l.tenant_id = s.tenant_id AND l.owner_id = s.user_id
                           AND l.status <> \(Sales_Leads_V1_LeadStatus.converted.column))
            FROM duty_shifts s
            LEFT JOIN routing_reps r ON r.tenant_id = s.tenant_id AND r.user_id = s.user_id
            WHERE s.tenant_id = \(tenant.rawValue) AND s.team_path = \(team) AND s.day = \(moment.day)::date
              AND s.start_hour <= \(moment.hour) AND s.end_hour > \(moment.hour)
            ORDER BY s.user_id
            """, logger: logger)
        var reps: [RoutingDesk.Rep] = []
        for try await (id, active, capacity, assigned, onLeave, open) in rows.decode((String, Bool, Int32, Int64, Bool, Int64).self) {
            reps.append(.init(userID: id, active: active, capacity: capacity, onLeave: onLeave, openLeads: open, assignedTotal: assigned))
        }
        return reps
    }

    /// Adds or changes a rep. A new rep starts level with the team's furthest-behind share, so
    /// joining does not hand them every lead until they catch up.
    func put(_ rep: Sales_Leads_V1_RoutingRep, leaves: [(LocalDate, LocalDate)], tenant: TenantID, by caller: Caller) async throws {
        try await database.transaction { connection in
            try await connection.query(
                """
                INSERT INTO routing_reps (tenant_id, user_id, team_path, active, weight, capacity, score, assigned_total, updated_by)
                VALUES (\(tenant.rawValue), \(rep.userID), \(rep.teamPath), \(rep.active), \(rep.weight), \(rep.capacity), \(rep.score),
                        (SELECT coalesce(floor(min(assigned_total::float8 / weight) * \(rep.weight)), 0)::bigint
                         FROM routing_reps WHERE tenant_id = \(tenant.rawValue) AND team_path = \(rep.teamPath)),
                        \(caller.userID))
                ON CONFLICT (tenant_id, user_id) DO UPDATE SET
                    team_path = EXCLUDED.team_path, active = EXCLUDED.active, weight = EXCLUDED.weight,
                    capacity = EXCLUDED.capacity, score = EXCLUDED.score, updated_by = EXCLUDED.updated_by, updated_at = now()
                """, logger: database.logger)
            try await connection.query(
                "DELETE FROM routing_leaves WHERE tenant_id = \(tenant.rawValue) AND user_id = \(rep.userID)", logger: database.logger)
            for (first, last) in leaves {
                try await connection.query(
                    """
                    INSERT INTO routing_leaves (tenant_id, user_id, first_day, last_day)
                    VALUES (\(tenant.rawValue), \(rep.userID), \(first.description)::date, \(last.description)::date)
                    """, logger: database.logger)
            }
        }
    }

    /// The reps with their stored settings, leave and counts.
    func list(tenant: TenantID, team: String?) async throws -> [Sales_Leads_V1_RoutingRep] {
        let rows = try await database.query(
            """
            SELECT r.user_id, r.team_path, r.active, r.weight, r.capacity, r.score, r.assigned_total,
                   (SELECT count(*) FROM leads l WHERE l.tenant_id = r.tenant_id AND l.owner_id = r.user_id
                           AND l.status <> \(Sales_Leads_V1_LeadStatus.converted.column)),
                   coalesce((SELECT string_agg(v.first_day::text || '/' || v.last_day::text, ',' ORDER BY v.first_day)
                             FROM routing_leaves v WHERE v.tenant_id = r.tenant_id AND v.user_id = r.user_id), '')
            FROM routing_reps r
            WHERE r.tenant_id = \(tenant.rawValue) AND (\(team)::text IS NULL OR r.team_path = \(team))
            ORDER BY r.team_path, r.user_id
            """)
        var result: [Sales_Leads_V1_RoutingRep] = []
        for try await (user, team, active, weight, capacity, score, assigned, open, leaves)
            in rows.decode((String, String, Bool, Int32, Int32, Double, Int64, Int64, String).self)
        {
            result.append(
                .with {
                    $0.userID = user
                    $0.teamPath = team
                    $0.active = active
                    $0.weight = weight
                    $0.capacity = capacity
                    $0.score = score
                    $0.assignedTotal = assigned
                    $0.openLeads = open
                    $0.leaves = leaves.split(separator: ",").map { span in
                        let days = span.split(separator: "/")
                        return .with {
                            $0.firstDay = String(days[0]); $0.lastDay = String(days.count > 1 ? days[1] : days[0])
                        }
                    }
                })
        }
        return result
    }

    /// Replaces the team's shifts on the days from `first` through `last`.
    func setRoster(team: String, first: LocalDate, last: LocalDate, shifts: [Sales_Leads_V1_DutyShift], tenant: TenantID) async throws {
        try await database.transaction { connection in
            try await connection.query(
                """
                DELETE FROM duty_shifts WHERE tenant_id = \(tenant.rawValue) AND team_path = \(team)
                  AND day BETWEEN \(first.description)::date AND \(last.description)::date
                """, logger: database.logger)
            for shift in shifts {
                try await connection.query(
                    """
                    INSERT INTO duty_shifts (tenant_id, team_path, day, start_hour, end_hour, user_id)
                    VALUES (\(tenant.rawValue), \(team), \(shift.day)::date, \(Int16(shift.startHour)), \(Int16(shift.endHour)), \(shift.userID))
                    ON CONFLICT DO NOTHING
                    """, logger: database.logger)
            }
        }
    }

    func roster(team: String?, first: LocalDate, last: LocalDate, tenant: TenantID) async throws -> [(team: String, shift: Sales_Leads_V1_DutyShift)]
    {
        let rows = try await database.query(
            """
            SELECT team_path, user_id, day::text, start_hour, end_hour FROM duty_shifts
            WHERE tenant_id = \(tenant.rawValue) AND (\(team)::text IS NULL OR team_path = \(team))
              AND day BETWEEN \(first.description)::date AND \(last.description)::date
            ORDER BY team_path, day, start_hour, user_id
            """)
        var result: [(String, Sales_Leads_V1_DutyShift)] = []
        for try await (team, user, day, start, end) in rows.decode((String, String, String, Int16, Int16).self) {
            result.append(
                (
                    team,
                    .with {
                        $0.userID = user
                        $0.day = day
                        $0.startHour = Int32(start)
                        $0.endHour = Int32(end)
                    }
                ))
        }
        return result
    }
}
