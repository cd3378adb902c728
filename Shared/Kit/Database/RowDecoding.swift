import PostgresNIO

/// Rows are read by column name, not position: a column added to a SELECT, or a reordered
/// list, cannot shift every value after it into the wrong field.
extension PostgresRandomAccessRow {
    public func decode<Value: PostgresDecodable>(_ column: String, as type: Value.Type = Value.self) throws -> Value {
        try self[column].decode(Value.self)
    }
}
