import PostgresNIO
import SalesModel

/// The parameters of the visibility predicate every scoped query ends with: the whole tenant,
/// the caller's own records, or a manager's org path and everything below it, segment by
/// segment (`/north/n` sees `/north/n` and `/north/n/a`, never `/north/n1`). Written once as SQL
/// with binds, so no query builds its filter from strings.
public struct Visibility: Sendable {
    public let seesAll: Bool
    public let userID: String
    /// The path a manager sees, or nil for a caller who sees only their own records.
    public let subtree: OrgPath?

    public init(_ caller: Caller) {
        seesAll = caller.seesWholeTenant
        userID = caller.userID
        subtree = caller.managedSubtree
    }

    /// Whether a record owned by `ownerID` at `orgPath` is in scope: the predicate, in Swift.
    public func includes(ownerID: String, orgPath: String) -> Bool {
        seesAll || ownerID == userID || subtree?.contains(orgPath) == true
    }
}

extension PostgresQuery.StringInterpolation {
    /// `\(visibleTo: scope)` in a query: the visibility predicate over the row's `owner_id` and
    /// `org_path`, with the caller's values as binds.
    /// `owner` and `orgPath` name the columns in a query that joins (`"o.owner_id"`).
    public mutating func appendInterpolation(
        visibleTo scope: Visibility, owner: StaticString = "owner_id", orgPath: StaticString = "org_path"
    ) {
        appendLiteral("(")
        appendInterpolation(scope.seesAll)
        appendLiteral(" OR \(owner) = ")
        appendInterpolation(scope.userID)
        appendLiteral(" OR ")
        appendInterpolation(within: scope.subtree, column: orgPath)
        appendLiteral(")")
    }

    /// `\(within: path, column: "org_path")`: the column holds `path` or a path below it; false
    /// for no path. `starts_with` rather than LIKE, whose `_` and `%` would match other paths.
    public mutating func appendInterpolation(within path: OrgPath?, column: StaticString) {
        let exact = path?.rawValue ?? ""
        let below = path.map { $0 == .root ? "/" : $0.rawValue + "/" } ?? ""
        appendLiteral("(")
        appendInterpolation(exact)
        appendLiteral(" <> '' AND (\(column) = ")
        appendInterpolation(exact)
        appendLiteral(" OR starts_with(\(column), ")
        appendInterpolation(below)
        appendLiteral(")))")
    }
}
