/// How a rule reached its value for one record: each sub-expression evaluated, its value, and a
/// line a person reads ("city=上海 ∈ [上海, 杭州] and budget 50000 ≥ 30000").
public struct Explanation: Sendable, Hashable {
    /// The operator (`and`, `in`, `>=`, `geo_within`…), `var` for a field read, `value` for a constant.
    public var operation: String
    public var value: RuleValue
    /// The sub-expressions that were evaluated, in order; `and`/`or` stop at the deciding one.
    public var children: [Explanation]
    /// For `var`: the path read.
    public var field: String?
    public var summary: String

    /// Whether this sub-expression held (its value is truthy).
    public var held: Bool { value.isTruthy }

    /// The tree as indented lines, ✓ for what held and ✗ for what did not.
    public var outline: String {
        var lines: [String] = []
        func walk(_ node: Explanation, _ depth: Int) {
            lines.append(String(repeating: "  ", count: depth) + (node.held ? "✓ " : "✗ ") + node.summary)
            for child in node.children where child.operation != "value" { walk(child, depth + 1) }
        }
        walk(self, 0)
        return lines.joined(separator: "\n")
    }
}
