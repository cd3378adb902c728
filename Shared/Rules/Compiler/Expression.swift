/// A rule document read once: each operation's operator found in the registry, its arguments
/// read, its place recorded. Checking and lowering to evaluable nodes both start from here.
indirect enum Expression: Sendable {
    /// A scalar, or an object that is not an operation (not exactly one key).
    case literal(RuleValue)
    /// A list whose elements are themselves rules.
    case list([Expression], path: RulePath)
    case operation(Operation)
    /// An operation that could not be read (unknown operator, too deep); its problem is recorded.
    case invalid

    struct Operation: Sendable {
        /// As written, alias or not.
        let name: String
        let entry: OperatorRegistry.Entry
        let arguments: [Expression]
        let path: RulePath
        /// Whether the arguments were written as a list (`{"!": [x]}`) or bare (`{"!": x}`).
        let listed: Bool

        func argumentPath(_ index: Int) -> RulePath {
            listed ? path.appending(.key(name)).appending(.index(index)) : path.appending(.key(name))
        }

        var builtin: BuiltinOperator? {
            if case .builtin(let builtin) = entry { return builtin }
            return nil
        }
    }

    /// The value, when it is known without data.
    var constantValue: RuleValue? {
        switch self {
        case .literal(let value): return value
        case .list(let elements, _):
            var values: [RuleValue] = []
            values.reserveCapacity(elements.count)
            for element in elements {
                guard let value = element.constantValue else { return nil }
                values.append(value)
            }
            return .array(values)
        case .operation, .invalid: return nil
        }
    }
}
