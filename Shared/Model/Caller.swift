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

    /// One of the platform's own services acting for `tenant` (a sweep, a directory look-up).
    public static func service(_ service: ServiceName, tenant: TenantID) -> Caller {
        Caller(tenant: tenant, userID: "svc:" + service.rawValue, roles: [.service], orgPath: "/")
    }

    /// Tenant-wide visibility: admins, finance and services.
    public var seesWholeTenant: Bool { !roles.isDisjoint(with: [.admin, .finance, .service]) }

    /// The org subtree a manager sees (their own path and below), or nil for a caller who sees
    /// only their own records, or whose token carries no valid path.
    public var managedSubtree: OrgPath? {
        roles.contains(.manager) || roles.contains(.storeManager) ? OrgPath(orgPath) : nil
    }

    public var mayUnmaskPII: Bool { roles.contains(.unmaskPII) }
}
