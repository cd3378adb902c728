/// One thing wrong with a rule, with where it is. Checking reports every problem, not the first.
public struct RuleProblem: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case malformedJSON = "malformed JSON"
        case tooDeep = "too deep"
        case unknownOperator = "unknown operator"
        case wrongArity = "wrong number of arguments"
        case invalidArgument = "invalid argument"
        case unknownField = "unknown field"
        case typeMismatch = "type mismatch"
        case uncheckable = "cannot be checked"
    }

    public var kind: Kind
    public var path: RulePath
    public var message: String

    public init(_ kind: Kind, at path: RulePath, _ message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    public func prefixed(by prefix: RulePath) -> RuleProblem {
        RuleProblem(kind, at: path.prefixed(by: prefix), message)
    }

    public var description: String { "\(path): \(message)" }
}

/// A rule that cannot be compiled, with all its problems.
public struct RuleCompileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var problems: [RuleProblem]

    public init(problems: [RuleProblem]) {
        self.problems = problems
    }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
