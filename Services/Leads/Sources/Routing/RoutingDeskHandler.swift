import Foundation
import GRPCCore
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// sales.leads.v1.RoutingDeskService: a team's manager (or an admin) sets who takes its leads.
struct RoutingDeskHandler: Sales_Leads_V1_RoutingDeskService.SimpleServiceProtocol {
    let desk: RoutingDeskStore
    let managers: TeamManagers

    func putRoutingRep(request: Sales_Leads_V1_PutRoutingRepRequest, context: ServerContext) async throws -> Sales_Leads_V1_RoutingRep {
        let caller = try RequestContext.caller()
        var rep = request.rep
        rep.userID = try Require.text(rep.userID, field: "rep.user_id", maxLength: 40)
        try Self.authorize(caller, team: rep.teamPath, field: "rep.team_path")
        if rep.weight == 0 { rep.weight = 1 }
        guard (1...100).contains(rep.weight) else {
            throw ServiceError.invalidArgument(field: "rep.weight", rule: "must be 1 to 100; got \(rep.weight)")
        }
        guard rep.capacity >= 0 else { throw ServiceError.invalidArgument(field: "rep.capacity", rule: "must not be negative (0 means no cap)") }
        guard (0...100).contains(rep.score) else {
            throw ServiceError.invalidArgument(field: "rep.score", rule: "must be 0 to 100; got \(rep.score)")
        }
        let leaves = try rep.leaves.enumerated().map { index, span in
            let first = try Self.day(span.firstDay, field: "rep.leaves[\(index)].first_day")
            let last = try Self.day(span.lastDay.isEmpty ? span.firstDay : span.lastDay, field: "rep.leaves[\(index)].last_day")
            guard first <= last else {
                throw ServiceError.invalidArgument(field: "rep.leaves[\(index)].last_day", rule: "must not be before first_day")
            }
            return (first, last)
        }
        try await desk.put(rep, leaves: leaves, tenant: caller.tenant, by: caller)
        guard let stored = try await desk.list(tenant: caller.tenant, team: rep.teamPath).first(where: { $0.userID == rep.userID }) else {
            throw ServiceError.unavailable("the rep was not stored; retry")
        }
        return stored
    }

    func listRoutingReps(request: Sales_Leads_V1_ListRoutingRepsRequest, context: ServerContext) async throws
        -> Sales_Leads_V1_ListRoutingRepsResponse
    {
        let caller = try RequestContext.caller()
        let team = request.teamPath.isEmpty ? nil : request.teamPath
        if let team {
            try Self.authorize(caller, team: team, field: "team_path")
        } else if !caller.seesWholeTenant {
            throw ServiceError.invalidArgument(field: "team_path", rule: "is required unless you are an admin")
        }
        let reps = try await desk.list(tenant: caller.tenant, team: team)
        return .with { $0.reps = reps }
    }

    func setDutyRoster(request: Sales_Leads_V1_SetDutyRosterRequest, context: ServerContext) async throws -> Sales_Leads_V1_DutyRoster {
        let caller = try RequestContext.caller()
        try Self.authorize(caller, team: request.teamPath, field: "team_path")
        let (first, last) = try Self.window(request.firstDay, request.lastDay)
        for (index, shift) in request.shifts.enumerated() {
            let field = "shifts[\(index)]"
            _ = try Require.text(shift.userID, field: "\(field).user_id", maxLength: 40)
            let day = try Self.day(shift.day, field: "\(field).day")
            guard day >= first, day <= last else {
                throw ServiceError.invalidArgument(field: "\(field).day", rule: "\(day) is outside \(first)…\(last), the days this roster replaces")
            }
            guard (0...23).contains(shift.startHour), shift.endHour > shift.startHour, shift.endHour <= 24 else {
                throw ServiceError.invalidArgument(
                    field: "\(field).end_hour", rule: "hours must satisfy 0 ≤ start_hour < end_hour ≤ 24; got \(shift.startHour)–\(shift.endHour)")
            }
        }
        try await refuseManagers(on: request.shifts, tenant: caller.tenant)
        try await desk.setRoster(team: request.teamPath, first: first, last: last, shifts: request.shifts, tenant: caller.tenant)
        return try await roster(team: request.teamPath, first: first, last: last, tenant: caller.tenant)
    }

    func getDutyRoster(request: Sales_Leads_V1_GetDutyRosterRequest, context: ServerContext) async throws -> Sales_Leads_V1_DutyRoster {
        let caller = try RequestContext.caller()
        try Self.authorize(caller, team: request.teamPath, field: "team_path")
        let (first, last) = try Self.window(request.firstDay, request.lastDay)
        return try await roster(team: request.teamPath, first: first, last: last, tenant: caller.tenant)
    }

    private func roster(team: String, first: LocalDate, last: LocalDate, tenant: TenantID) async throws -> Sales_Leads_V1_DutyRoster {
        let shifts = try await desk.roster(team: team, first: first, last: last, tenant: tenant)
        return .with {
            $0.teamPath = team
            $0.shifts = shifts.map(\.shift)
        }
    }

    /// The roster is a fallback, and no fallback puts a lead on a manager's own account: a team
    /// manager (as the gateway's directory knows them) is refused when the roster is saved, so the
    /// desk never has to ask the directory while it routes a lead.
    private func refuseManagers(on shifts: [Sales_Leads_V1_DutyShift], tenant: TenantID) async throws {
        guard !shifts.isEmpty else { return }
        guard let managers = await managers.managers(of: tenant) else {
            throw ServiceError.unavailable("the directory could not be read to check the roster for team managers; retry")
        }
        if let index = shifts.firstIndex(where: { managers.contains($0.userID) }) {
            throw ServiceError.failedPrecondition(
                "shifts[\(index)].user_id: \(shifts[index].userID) manages a team; a duty roster gives leads to reps, never to a manager's own account"
            )
        }
    }

    /// Admins set any team; a manager their own subtree; nobody else.
    static func authorize(_ caller: Caller, team: String, field: String) throws(ServiceError) {
        guard OrgPath.isValid(team) else {
            throw .invalidArgument(field: field, rule: "must be a team path such as \"/east/east-sh\"; got \(quoted: team)")
        }
        if caller.may(.administer) { return }
        guard caller.managedSubtree?.contains(team) == true else {
            throw .permissionDenied("the routing desk of \(team) is for its managers and admins")
        }
    }

    static func day(_ text: String, field: String) throws(ServiceError) -> LocalDate {
        guard let day = LocalDate(text) else { throw .invalidArgument(field: field, rule: "must be a day as yyyy-MM-dd; got \(quoted: text)") }
        return day
    }

    static func window(_ first: String, _ last: String) throws(ServiceError) -> (LocalDate, LocalDate) {
        let from = try day(first, field: "first_day")
        let to = try day(last, field: "last_day")
        guard from <= to, to.daysSinceEpoch - from.daysSinceEpoch < 62 else {
            throw .invalidArgument(field: "last_day", rule: "must be on or after first_day and at most 62 days later")
        }
        return (from, to)
    }
}
