import Foundation
import GRPCCore
import Logging
import SalesModel
import SalesProto
import ServiceKit

/// Who manages a team, from the gateway's directory: the rule health report counts open leads
/// sitting on a manager's own account (routing never puts them there; people sometimes do), and
/// the routing desk refuses them on a duty roster.
/// The call carries a service token of the tenant, so the monthly run works without a caller.
struct TeamManagers: Sendable {
    let directory: Sales_Gateway_V1_DirectoryService.Client<PeerClient.Transport>
    let tokens: TokenAuthority
    private let recent = ExpiringCache<TenantID, Set<String>>(maximumAge: .seconds(60))

    init(directory: Sales_Gateway_V1_DirectoryService.Client<PeerClient.Transport>, tokens: TokenAuthority) {
        self.directory = directory
        self.tokens = tokens
    }

    /// The tenant's team managers, or nil when the directory cannot be reached (the report says so).
    func managers(of tenant: TenantID) async -> Set<String>? {
        do {
            return try await recent.value(for: tenant) {
                let service = Caller.service(.leads, tenant: tenant)
                let token = try await tokens.sign(service, lifetime: .seconds(60))
                let teams = try await directory.listTeams(.init(), metadata: ["authorization": "Bearer \(token)"]).teams
                return Set(teams.map(\.managerID).filter { !$0.isEmpty })
            }
        } catch {
            RequestContext.logger.warning("the directory could not be read for team managers", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
