/// A `var` path split once, when the rule is compiled: "pie.filling" → [pie, filling].
struct FieldPath: Sendable, Hashable {
    let head: FieldKey
    let tail: [FieldKey]
    /// The path as written, for messages and `missing`.
    let text: String

    init(_ text: String, head: FieldKey? = nil) {
        self.text = text
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        self.head = head ?? FieldKey(parts[0])
        tail = parts.dropFirst().map { FieldKey($0) }
    }

    /// JavaScript's walk: `data[a][b]…`, nil (undefined) as soon as a step finds nothing.
    @inline(__always)
    func read<D: RuleData>(_ data: D) -> RuleValue? {
        guard var current = data.ruleValue(of: head) else { return nil }
        for key in tail {
            guard let next = current.ruleValue(of: key) else { return nil }
            current = next
        }
        return current
    }
}
