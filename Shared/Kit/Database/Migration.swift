/// One forward-only step of a schema. Applied once, in list order, and never edited afterwards:
/// a changed checksum of an applied migration stops the service at start.
public struct Migration: Sendable {
    /// Sortable and unique within the schema, e.g. "0100_leads".
    public let id: String
    /// One or more SQL statements, run in one transaction.
    public let sql: String
    /// The id it was applied under before it moved (from a service into a shared module): a
    /// schema that has it under that id has it, and its record takes the new id.
    public let formerID: String?

    public init(_ id: String, _ sql: String, formerly formerID: String? = nil) {
        self.id = id
        self.sql = sql
        self.formerID = formerID
    }
}
