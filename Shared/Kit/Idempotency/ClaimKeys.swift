import PostgresNIO

/// Claims idempotency keys, one row a call, in a statement prepared once per connection: the
/// calls travel as arrays, so the text never changes with their number and Postgres parses and
/// plans it once rather than on every create.
struct ClaimKeys: PostgresPreparedStatement {
    static let sql = """
        INSERT INTO idempotency_keys (tenant_id, scope, key, caller_id, method, request_hash)
        SELECT tenant_id, scope, key, caller_id, $5, request_hash
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $6::text[]) AS c (tenant_id, scope, key, caller_id, request_hash)
        ON CONFLICT DO NOTHING RETURNING tenant_id, scope, key
        """
    static let bindingDataTypes: [PostgresDataType] = [.textArray, .textArray, .textArray, .textArray, .text, .textArray]

    typealias Row = Idempotency.Key

    let keys: [Idempotency.Key]
    let callers: [String]
    let method: String
    let requestHashes: [String]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 6)
        bindings.append(keys.map(\.tenant))
        bindings.append(keys.map(\.scope))
        bindings.append(keys.map(\.text))
        bindings.append(callers)
        bindings.append(method)
        bindings.append(requestHashes)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (tenant, scope, key) = try row.decode((String, String, String).self)
        return Idempotency.Key(tenant: tenant, scope: scope, text: key)
    }
}
