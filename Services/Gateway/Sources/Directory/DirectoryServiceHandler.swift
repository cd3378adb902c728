import Foundation
import GRPCCore
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// sales.gateway.v1.DirectoryService.
struct DirectoryServiceHandler: Sales_Gateway_V1_DirectoryService.SimpleServiceProtocol {
    let store: DirectoryStore
    let calendars: WorkCalendarStore
    let tokens: TokenAuthority
    let developmentMode: Bool

    func createTeam(request: Sales_Gateway_V1_CreateTeamRequest, context: ServerContext) async throws -> Sales_Gateway_V1_Team {
        let caller = try requireAdmin()
        guard Identifier.isValid(request.id) else {
            throw ServiceError.invalidArgument(field: "id", rule: "must be 2 to 40 lowercase letters, digits or '-' (e.g. east-sh)")
        }
        let name = try Require.text(request.name, field: "name", maxLength: 100)
        return try await store.createTeam(
            id: request.id, name: name, parentID: request.parentID.isEmpty ? nil : request.parentID, tenant: caller.tenant)
    }

    func setTeamManager(request: Sales_Gateway_V1_SetTeamManagerRequest, context: ServerContext) async throws -> Sales_Gateway_V1_Team {
        let caller = try requireAdmin()
        _ = try Require.text(request.teamID, field: "team_id")
        _ = try Require.text(request.managerID, field: "manager_id")
        return try await store.setManager(team: request.teamID, manager: request.managerID, tenant: caller.tenant)
    }

    func createUser(request: Sales_Gateway_V1_CreateUserRequest, context: ServerContext) async throws -> Sales_Gateway_V1_User {
        let caller = try requireAdmin()
        guard Identifier.isValid(request.id, allowing: [".", "_", "-"]) else {
            throw ServiceError.invalidArgument(field: "id", rule: "must be 2 to 40 lowercase letters, digits, '.', '_' or '-' (e.g. li.na)")
        }
        let name = try Require.text(request.displayName, field: "display_name", maxLength: 100)
        _ = try Require.text(request.teamID, field: "team_id")
        guard !request.roles.isEmpty else { throw ServiceError.invalidArgument(field: "roles", rule: "needs at least one role") }
        var roles: [Role] = []
        for (index, role) in request.roles.enumerated() {
            guard let model = Role(role) else {
                throw ServiceError.invalidArgument(
                    field: "roles[\(index)]", rule: "is not a role (rep, manager, finance, store clerk, store manager, admin)")
            }
            roles.append(model)
        }
        return try await store.createUser(id: request.id, displayName: name, teamID: request.teamID, roles: roles, tenant: caller.tenant)
    }

    func getUser(request: Sales_Gateway_V1_GetUserRequest, context: ServerContext) async throws -> Sales_Gateway_V1_User {
        let caller = try RequestContext.caller()
        guard let user = try await store.user(request.id, tenant: caller.tenant) else {
            throw ServiceError.notFound(kind: "user", id: request.id)
        }
        return user
    }

    func listTeams(request: Sales_Gateway_V1_ListTeamsRequest, context: ServerContext) async throws -> Sales_Gateway_V1_ListTeamsResponse {
        let caller = try RequestContext.caller()
        let teams = try await store.teams(tenant: caller.tenant)
        return .with { $0.teams = teams }
    }

    func listUsers(request: Sales_Gateway_V1_ListUsersRequest, context: ServerContext) async throws -> Sales_Gateway_V1_ListUsersResponse {
        let caller = try RequestContext.caller()
        var subtree: OrgPath?
        if !request.teamID.isEmpty {
            guard let team = try await store.team(request.teamID, tenant: caller.tenant) else {
                throw ServiceError.notFound(kind: "team", id: request.teamID)
            }
            subtree = OrgPath(team.orgPath)
        }
        let users = try await store.users(tenant: caller.tenant, subtree: subtree)
        return .with { $0.users = users }
    }

    /// Local-stack sign-in without a password: refused unless the gateway runs in dev mode.
    func getWorkCalendar(request: Sales_Gateway_V1_GetWorkCalendarRequest, context: ServerContext) async throws -> Sales_Gateway_V1_WorkCalendar {
        try await calendars.calendar(tenant: try RequestContext.caller().tenant)
    }

    func setWorkCalendar(request: Sales_Gateway_V1_SetWorkCalendarRequest, context: ServerContext) async throws -> Sales_Gateway_V1_WorkCalendar {
        let caller = try requireAdmin()
        guard !request.calendarJson.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ServiceError.invalidArgument(field: "calendar_json", rule: "is required: the whole calendar, e.g. {\"holidays\": [\"2027-01-01\"]}")
        }
        let calendar: WorkCalendar
        do {
            calendar = try WorkCalendar(json: try RuleValue(json: request.calendarJson))
        } catch {
            throw ServiceError.invalidArgument(field: "calendar_json", rule: "\(quoted: request.calendarJson) is not a work calendar: \(error)")
        }
        return try await calendars.put(calendar, tenant: caller.tenant, by: caller.userID)
    }

    func issueToken(request: Sales_Gateway_V1_IssueTokenRequest, context: ServerContext) async throws -> Sales_Gateway_V1_IssueTokenResponse {
        guard developmentMode else {
            throw ServiceError.failedPrecondition("IssueToken is only for the local stack (SALES_DEV_MODE=1); sign in through your identity provider")
        }
        guard let tenant = TenantID(request.tenantID) else {
            throw ServiceError.invalidArgument(field: "tenant_id", rule: "must be 2 to 40 lowercase letters, digits or '-'")
        }
        guard (0...86_400).contains(request.ttlSeconds) else {
            throw ServiceError.invalidArgument(field: "ttl_seconds", rule: "must be between 0 (one hour) and 86400")
        }
        guard let user = try await store.user(request.userID, tenant: tenant), user.active else {
            throw ServiceError.notFound(kind: "user", id: request.userID)
        }
        let lifetime = request.ttlSeconds == 0 ? 3600 : request.ttlSeconds
        let caller = Caller(
            tenant: tenant, userID: user.id, roles: Set(user.roles.compactMap(Role.init)), orgPath: user.orgPath)
        let now = Date()
        let token = try await tokens.sign(caller, lifetime: .seconds(lifetime), now: now)
        return .with {
            $0.token = token
            $0.expiresAt = Google_Protobuf_Timestamp(date: now.addingTimeInterval(TimeInterval(lifetime)))
        }
    }

    private func requireAdmin() throws -> Caller {
        try RequestContext.caller(allowedTo: .administer, "changing the directory")
    }
}
