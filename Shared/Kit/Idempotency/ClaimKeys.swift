import PostgresNIO

/// Claims idempotency keys, one row a call, in a statement prepared once per connection: the
/// calls travel as arrays, so the text never changes with their number and Postgres parses and
/// plans it once rather than on every create.
struct ClaimKeys: PostgresPreparedStatement {
    static let sql = """
        INSERT INTO idempotency_keys (tenant_id, key, method, request_hash)
        SELECT tenant_id, key, $3, request_hash FROM unnest($1::text[], $2::text[], $4::text[]) AS c (tenant_id, key, request_hash)
        ON CONFLICT DO NOTHING RETURNING tenant_id, key
        """
    static let bindingDataTypes: [PostgresDataType] = [.textArray, .textArray, .text, .textArray]

    typealias Row = (tenant: String, key: String)

    let tenants: [String]
    let keys: [String]
    let method: String
    let requestHashes: [String]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 4)
        bindings.append(tenants)
        bindings.append(keys)
        bindings.append(method)
        bindings.append(requestHashes)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (tenant, key) = try row.decode((String, String).self)
        return (tenant, key)
    }
}
