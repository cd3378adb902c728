/// Who is calling, from a verified token: the scope every query is filtered by.
public struct Caller: Sendable, Hashable {
    public var tenant: TenantID
    public var userID: String
    public var roles: Set<Role>
    /// The caller's place in the org tree, e.g. "/east/east-sh". Managers see this subtree.
    public var orgPath: String

    public init(tenant: TenantID, userID: String, roles: Set<Role>, orgPath: String) {
        self.tenant = tenant
        self.userID = userID
        self.roles = roles
        self.orgPath = orgPath
    }

    public var isService: Bool { roles.contains(.service) }

    /// Tenant-wide visibility: admins, finance and services.
    public var seesWholeTenant: Bool { !roles.isDisjoint(with: [.admin, .finance, .service]) }

    /// The org subtree a manager sees, or nil for a caller who sees only their own records.
    public var managedSubtree: String? {
        roles.contains(.manager) || roles.contains(.storeManager) ? orgPath : nil
    }

    public var mayUnmaskPII: Bool { roles.contains(.unmaskPII) }
}
