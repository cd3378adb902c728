import PostgresNIO

extension PSQLError {
    /// The server's SQLSTATE, e.g. "23505"; nil for a client-side error.
    public var sqlState: String? { serverInfo?[.sqlState] }

    /// A unique constraint refused the row: the record exists already (a repeated code or id).
    public var isUniqueViolation: Bool { sqlState == "23505" }

    /// The transaction lost to a concurrent one (a deadlock, 40P01, or a serialization failure,
    /// 40001): nothing was written, and the same call again will likely pass.
    var isConcurrencyConflict: Bool { ["40P01", "40001"].contains(sqlState ?? "") }

    /// Text the server cannot store: NUL (22021, and `\u0000` in jsonb, 22P05), too long for its
    /// column (22001) or for an index row (54000). Still the caller's input, never INTERNAL.
    var isUnstorableText: Bool { ["22021", "22P05", "22001", "54000"].contains(sqlState ?? "") }
}
