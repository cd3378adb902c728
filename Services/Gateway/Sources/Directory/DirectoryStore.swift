import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Tenants, teams and users. Team paths ("/east/east-sh") are what every service's visibility uses.
struct DirectoryStore: Sendable {
    let database: Database

    func createTeam(id: String, name: String, parentID: String?, tenant: TenantID) async throws -> Sales_Gateway_V1_Team {
        let logger = RequestContext.logger
        return try await database.transaction { connection in
            try await connection.query("INSERT INTO tenants (id) VALUES (\(tenant.rawValue)) ON CONFLICT DO NOTHING", logger: logger)
            var path = "/" + id
            if let parentID {
                guard let parent = try await team(parentID, tenant: tenant, on: connection) else {
                    throw ServiceError.invalidArgument(field: "parent_id", rule: "team \(quoted: parentID) does not exist")
                }
                path = parent.orgPath + "/" + id
            }
            do {
                try await connection.query(
                    """
                    INSERT INTO teams (tenant_id, id, name, parent_id, org_path)
                    VALUES (\(tenant.rawValue), \(id), \(name), \(parentID), \(path))
                    """, logger: logger)
            } catch let error as PSQLError where error.isUniqueViolation {
                throw ServiceError.alreadyExists("team \(quoted: id) already exists")
            }
            return .with {
                $0.id = id
                $0.name = name
                $0.parentID = parentID ?? ""
                $0.orgPath = path
            }
        }
    }

    func setManager(team teamID: String, manager: String, tenant: TenantID) async throws -> Sales_Gateway_V1_Team {
        try await database.transaction { connection in
            guard try await user(manager, tenant: tenant, on: connection) != nil else {
                throw ServiceError.invalidArgument(field: "manager_id", rule: "user \(quoted: manager) does not exist")
            }
            try await connection.query(
                "UPDATE teams SET manager_id = \(manager) WHERE tenant_id = \(tenant.rawValue) AND id = \(teamID)",
                logger: RequestContext.logger)
            guard let team = try await team(teamID, tenant: tenant, on: connection) else {
                throw ServiceError.notFound(kind: "team", id: teamID)
            }
            return team
        }
    }

    func createUser(id: String, displayName: String, teamID: String, roles: [Role], tenant: TenantID) async throws -> Sales_Gateway_V1_User {
        try await database.transaction { connection in
            guard try await team(teamID, tenant: tenant, on: connection) != nil else {
                throw ServiceError.invalidArgument(field: "team_id", rule: "team \(quoted: teamID) does not exist")
            }
            do {
                try await connection.query(
                    """
                    INSERT INTO users (tenant_id, id, display_name, team_id, roles)
                    VALUES (\(tenant.rawValue), \(id), \(displayName), \(teamID), \(roles.map(\.rawValue)))
                    """, logger: RequestContext.logger)
            } catch let error as PSQLError where error.isUniqueViolation {
                throw ServiceError.alreadyExists("user \(quoted: id) already exists")
            }
            guard let created = try await user(id, tenant: tenant, on: connection) else {
                throw ServiceError.unavailable("the user was not stored; retry")
            }
            return created
        }
    }

    func team(_ id: String, tenant: TenantID, on connection: PostgresConnection? = nil) async throws -> Sales_Gateway_V1_Team? {
        try await teams(tenant: tenant, id: id, on: connection).first
    }

    func teams(tenant: TenantID, id: String? = nil, on connection: PostgresConnection? = nil) async throws -> [Sales_Gateway_V1_Team] {
        let query: PostgresQuery = """
            SELECT id, name, coalesce(parent_id, ''), org_path, coalesce(manager_id, '') FROM teams
            WHERE tenant_id = \(tenant.rawValue) AND (\(id)::text IS NULL OR id = \(id)) ORDER BY org_path
            """
        let rows = try await database.query(query, on: connection)
        var result: [Sales_Gateway_V1_Team] = []
        for try await (id, name, parent, path, manager) in rows.decode((String, String, String, String, String).self) {
            result.append(
                .with {
                    $0.id = id
                    $0.name = name
                    $0.parentID = parent
                    $0.orgPath = path
                    $0.managerID = manager
                })
        }
        return result
    }

    func user(_ id: String, tenant: TenantID, on connection: PostgresConnection? = nil) async throws -> Sales_Gateway_V1_User? {
        try await users(tenant: tenant, id: id, on: connection).first
    }

    /// Users, optionally only those whose team lies under `subtree` ("/east").
    func users(tenant: TenantID, id: String? = nil, subtree: OrgPath? = nil, on connection: PostgresConnection? = nil) async throws
        -> [Sales_Gateway_V1_User]
    {
        let query: PostgresQuery = """
            SELECT u.id, u.display_name, u.team_id, t.org_path, u.roles, u.active, u.created_at,
                   EXISTS (SELECT 1 FROM teams m WHERE m.tenant_id = u.tenant_id AND m.manager_id = u.id)
            FROM users u JOIN teams t ON t.tenant_id = u.tenant_id AND t.id = u.team_id
            WHERE u.tenant_id = \(tenant.rawValue) AND (\(id)::text IS NULL OR u.id = \(id))
              AND (\(subtree == nil) OR \(within: subtree, column: "t.org_path"))
            ORDER BY t.org_path, u.id
            """
        let rows = try await database.query(query, on: connection)
        var result: [Sales_Gateway_V1_User] = []
        for try await (id, name, team, path, roles, active, created, managesTeam)
            in rows.decode((String, String, String, String, [String], Bool, Date, Bool).self)
        {
            var modelRoles = Set(roles.compactMap(Role.init(rawValue:)))
            if managesTeam { modelRoles.insert(.manager) }
            result.append(
                .with {
                    $0.id = id
                    $0.displayName = name
                    $0.teamID = team
                    $0.orgPath = path
                    $0.roles = modelRoles.compactMap(Sales_Gateway_V1_Role.init).sorted { $0.rawValue < $1.rawValue }
                    $0.active = active
                    $0.createdAt = Google_Protobuf_Timestamp(date: created)
                })
        }
        return result
    }
}
