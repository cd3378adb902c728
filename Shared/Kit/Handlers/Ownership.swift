import SalesModel

/// Who owns a new record: the caller, or an owner the caller may act for (an admin for anyone,
/// a manager for someone in their subtree).
public enum Ownership {
    public static func resolve(
        caller: Caller, ownerID: String, orgPath: String, field: String = "owner_id"
    ) throws(ServiceError) -> (ownerID: String, orgPath: String) {
        if ownerID.isEmpty && orgPath.isEmpty { return (caller.userID, caller.orgPath) }
        guard !ownerID.isEmpty else { throw .invalidArgument(field: field, rule: "is required when owner_org_path is set") }
        guard let path = OrgPath(orgPath) else {
            throw .invalidArgument(field: "owner_org_path", rule: "is required with \(field): a path such as /east/east-sh, without empty segments")
        }
        guard Visibility(caller).includes(ownerID: ownerID, orgPath: path.rawValue) else {
            throw .permissionDenied("you may create records only for yourself or for people in your teams")
        }
        return (ownerID, path.rawValue)
    }
}
