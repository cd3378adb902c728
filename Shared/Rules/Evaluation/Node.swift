/// A compiled rule: operators resolved, `var` paths split and resolved against the catalog,
/// constant sub-expressions folded. Evaluation walks this tree and never sees JSON.
indirect enum Node: Sendable {
    case constant(RuleValue)
    /// A list of rules, each evaluated.
    case list([Node])
    case variable(FieldPath, fallback: Node?)
    case wholeData
    /// `var` whose path is itself computed.
    case computedVariable(Node, fallback: Node?)
    /// `missing` over field names known at compile time.
    case missingFields([MissingField])
    case missing([Node])
    case missingSome(Node, Node)
    /// `if` and `?:`: condition, result, condition, result, …, [else].
    case choose([Node])
    case and([Node])
    case or([Node])
    case not(Node)
    case truthy(Node)
    case equality(Equality, Node, Node)
    case order(Order, Node, Node)
    /// `{"<": [a, b, c]}`: a < b < c (or ≤).
    case between(Node, Node, Node, orEqual: Bool)
    /// `in` over a list known at compile time.
    case inList(Node, ConstantList)
    case `in`(Node, Node)
    case arithmetic(Arithmetic, [Node])
    case iteration(Iteration, Node, Node)
    case reduce(Node, Node, initial: Node?)
    case merge([Node])
    case cat([Node])
    case substr(Node, Node, Node?)
    case log(Node, LogSink)
    case plugin(PluginCall)

    enum Equality: String, Sendable {
        case equal = "==", notEqual = "!=", strictEqual = "===", strictNotEqual = "!=="
    }

    enum Order: String, Sendable {
        case greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<="
    }

    enum Arithmetic: String, Sendable {
        case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%", max, min
    }

    enum Iteration: String, Sendable {
        case map, filter, all, none, some
    }

    struct MissingField: Sendable {
        /// The key as written, which `missing` returns.
        let key: RuleValue
        /// nil for "", which names the whole data.
        let path: FieldPath?
    }

    struct LogSink: Sendable {
        let write: (@Sendable (RuleValue) -> Void)?
    }
}

/// A domain operator's call site.
final class PluginCall: Sendable {
    let op: any RuleOperator
    let arguments: [Node]
    let path: RulePath

    init(op: any RuleOperator, arguments: [Node], path: RulePath) {
        self.op = op
        self.arguments = arguments
        self.path = path
    }
}

/// The list of `{"in": [x, [...]]}` when it is written out in the rule. `in` on a list is
/// JavaScript's `indexOf`, so strict equality.
struct ConstantList: Sendable {
    let elements: [RuleValue]
    /// A long list of texts, hashed by exact bytes.
    private let texts: Set<ExactText>?
    private let allTexts: Bool

    /// Beyond this many elements a hash lookup beats a scan.
    private static let scanLimit = 12

    init(_ elements: [RuleValue]) {
        self.elements = elements
        let texts = elements.compactMap(\.stringValue)
        allTexts = texts.count == elements.count
        self.texts = allTexts && elements.count > Self.scanLimit ? Set(texts.map(ExactText.init)) : nil
    }

    @inline(__always)
    func contains(_ value: RuleValue) -> Bool {
        if allTexts {
            guard case .string(let text) = value else { return false }
            if let texts { return texts.contains(ExactText(text)) }
            for element in elements {
                if case .string(let candidate) = element, UTF8Text.same(candidate, text) { return true }
            }
            return false
        }
        for element in elements where element.strictlyEquals(value) { return true }
        return false
    }
}
