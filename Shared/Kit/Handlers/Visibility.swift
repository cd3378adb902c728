import PostgresNIO
import SalesModel

/// The three parameters of the visibility predicate every scoped query ends with:
/// `(seesAll OR owner_id = user OR (subtree <> '' AND org_path LIKE subtree || '%'))`.
/// Written once as SQL with binds, so no query builds its filter from strings.
public struct Visibility: Sendable {
    public let seesAll: Bool
    public let userID: String
    /// The manager's subtree with a trailing slash, or "" for none.
    public let subtree: String

    public init(_ caller: Caller) {
        seesAll = caller.seesWholeTenant
        userID = caller.userID
        if let path = caller.managedSubtree {
            // "/east" must see "/east/sh" but not "/eastern".
            subtree = path.hasSuffix("/") ? path : path + "/"
        } else {
            subtree = ""
        }
    }
}

extension PostgresQuery.StringInterpolation {
    /// `\(visibleTo: scope)` in a query: the visibility predicate over the row's `owner_id` and
    /// `org_path`, with the caller's values as binds.
    public mutating func appendInterpolation(visibleTo scope: Visibility) {
        appendLiteral("(")
        appendInterpolation(scope.seesAll)
        appendLiteral(" OR owner_id = ")
        appendInterpolation(scope.userID)
        appendLiteral(" OR (")
        appendInterpolation(scope.subtree)
        appendLiteral(" <> '' AND org_path LIKE ")
        appendInterpolation(scope.subtree)
        appendLiteral(" || '%'))")
    }
}
