/// What a caller may do beyond their own records, by name, so a check reads as the rule it
/// enforces and its refusal says who may.
public enum Permission: Sendable {
    /// The tenant's settings and audits: rule sets, fields, channels, the directory, policies.
    case administer
    /// Oversight of teams: an admin, or a manager of a subtree.
    case overseeTeams
    /// Opening and running stores.
    case runStores
    /// Serving store members: opening one, the clerks' notes.
    case serveMembers
    /// The books: invoices, payments and refunds against contracts.
    case keepAccounts
    /// Feeding another system's records in (the service desk's tickets, the marketing system's touches).
    case integrate

    public func allows(_ caller: Caller) -> Bool {
        switch self {
        case .administer: caller.roles.contains(.admin)
        case .overseeTeams: caller.roles.contains(.admin) || caller.managedSubtree != nil
        case .runStores: !caller.roles.isDisjoint(with: [.admin, .manager, .storeManager])
        case .keepAccounts: !caller.roles.isDisjoint(with: [.admin, .finance])
        case .serveMembers: !caller.roles.isDisjoint(with: [.admin, .manager, .storeManager, .storeClerk])
        case .integrate: !caller.roles.isDisjoint(with: [.admin, .service])
        }
    }

    /// Who holds it, for refusals: "… needs the admin role".
    public var holders: String {
        switch self {
        case .administer: "the admin role"
        case .overseeTeams: "the admin role or a team to manage"
        case .runStores: "the admin, manager or store manager role"
        case .keepAccounts: "the finance or admin role"
        case .serveMembers: "a store clerk, store manager, manager or admin role"
        case .integrate: "an integration's service token or the admin role"
        }
    }
}

extension Caller {
    public func may(_ permission: Permission) -> Bool { permission.allows(self) }
}
