/// An operator a domain adds to the rule language, registered by name (`geo_within`,
/// `in_mapping`, …). Rules naming it are checked against its signature when saved, and its
/// arguments arrive evaluated.
public protocol RuleOperator: Sendable {
    /// The name rules use: `{"geo_within": [...]}`.
    var name: String { get }
    var signature: OperatorSignature { get }

    /// Problems with the arguments known when the rule is saved (`nil` where an argument is
    /// computed at run time), e.g. a mapping table that does not exist. None by default.
    func problems(withConstantArguments arguments: [RuleValue?]) -> [String]

    /// The result for evaluated arguments; their count is within the signature's.
    func evaluate(_ arguments: [RuleValue]) throws(RuleEvaluationError) -> RuleValue
}

extension RuleOperator {
    public func problems(withConstantArguments arguments: [RuleValue?]) -> [String] { [] }
}

/// What an operator takes and gives.
public struct OperatorSignature: Sendable, Hashable {
    public struct Parameter: Sendable, Hashable {
        public var name: String
        public var type: RuleType

        public init(_ name: String, _ type: RuleType) {
            self.name = name
            self.type = type
        }
    }

    public var parameters: [Parameter]
    /// How many of `parameters` must be given; the rest are optional.
    public var required: Int
    /// Further arguments of this kind may follow the parameters, any number of them.
    public var variadic: Parameter?
    public var result: RuleType

    public init(_ parameters: [Parameter], required: Int? = nil, variadic: Parameter? = nil, result: RuleType) {
        self.parameters = parameters
        self.required = required ?? parameters.count
        self.variadic = variadic
        self.result = result
    }

    public var maximum: Int? { variadic == nil ? parameters.count : nil }

    public func accepts(count: Int) -> Bool {
        count >= required && (maximum.map { count <= $0 } ?? true)
    }

    /// The parameter argument `index` binds to.
    public func parameter(at index: Int) -> Parameter? {
        index < parameters.count ? parameters[index] : variadic
    }

    /// "2 arguments", "1 to 3 arguments", "at least 1 argument".
    public var arityText: String {
        func count(_ n: Int) -> String { n == 1 ? "1 argument" : "\(n) arguments" }
        guard let maximum else { return "at least " + count(required) }
        return maximum == required ? count(required) : "\(required) to \(count(maximum))"
    }
}

/// A failure while evaluating: an operator's argument it cannot use, or a limit reached.
public struct RuleEvaluationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
