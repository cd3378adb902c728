/// The operators a rule may name, which the engine is compiled with: JsonLogic's built-ins by
/// default, plus the domain operators a service registers. A rule naming anything else is
/// refused when compiled (that is, when saved).
public struct OperatorRegistry: Sendable {
    enum Entry: Sendable {
        case builtin(BuiltinOperator)
        case plugin(any RuleOperator)
    }

    private(set) var entries: [String: Entry]

    /// Where `log` writes; nowhere unless set (a service passes its logger).
    public var logSink: (@Sendable (RuleValue) -> Void)?

    /// JsonLogic's operators and their aliases.
    public static let standard: OperatorRegistry = {
        var entries: [String: Entry] = [:]
        for builtin in BuiltinOperator.allCases { entries[builtin.name] = .builtin(builtin) }
        for (alias, builtin) in BuiltinOperator.aliases { entries[alias] = .builtin(builtin) }
        return OperatorRegistry(entries: entries)
    }()

    /// No operators at all.
    public static let empty = OperatorRegistry(entries: [:])

    private init(entries: [String: Entry]) {
        self.entries = entries
    }

    /// Adds a domain operator. Its name may not be taken, not even by a built-in.
    public mutating func register(_ op: some RuleOperator) throws(OperatorRegistryError) {
        guard !op.name.isEmpty else { throw OperatorRegistryError(message: "an operator needs a name") }
        guard entries[op.name] == nil else {
            throw OperatorRegistryError(message: "`\(op.name)` is already an operator; choose another name")
        }
        entries[op.name] = .plugin(op)
    }

    public func registering(_ op: some RuleOperator) throws(OperatorRegistryError) -> OperatorRegistry {
        var copy = self
        try copy.register(op)
        return copy
    }

    /// Adds or replaces an operator whose name is known not to clash (the platform's own).
    mutating func install(_ op: some RuleOperator) {
        entries[op.name] = .plugin(op)
    }

    /// Withdraws an operator, e.g. `log` where rules must not write.
    public mutating func remove(_ name: String) {
        entries[name] = nil
    }

    public var names: [String] { entries.keys.sorted() }

    public func contains(_ name: String) -> Bool { entries[name] != nil }

    func entry(_ name: String) -> Entry? { entries[name] }
}

public struct OperatorRegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
