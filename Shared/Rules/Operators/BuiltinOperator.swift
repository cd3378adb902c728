/// The operators of the JsonLogic specification (jsonlogic.com/operations.html). They compile to
/// dedicated nodes rather than going through `RuleOperator`, since they are on every hot path and
/// several of them (`if`, `and`, `map`…) control what gets evaluated.
public enum BuiltinOperator: String, CaseIterable, Sendable {
    case variable = "var", missing, missingSome = "missing_some"
    case `if`, ternary = "?:"
    case equal = "==", strictEqual = "===", notEqual = "!=", strictNotEqual = "!=="
    case not = "!", truthy = "!!", or, and
    case greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<="
    case max, min, add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%"
    case map, filter, reduce, all, none, some
    case merge, `in`, cat, substr, log

    /// Other spellings of the same operators that the conformance suite and some engines accept.
    public static let aliases: [String: BuiltinOperator] = [
        "equal": .equal, "strictEqual": .strictEqual, "notEqual": .notEqual, "strictNotEqual": .strictNotEqual,
        "greater": .greater, "greaterOrEqual": .greaterOrEqual, "less": .less, "lessOrEqual": .lessOrEqual,
        "booleanCasting": .truthy, "not": .not, "modulo": .modulo, "add": .add, "multiply": .multiply,
        "substract": .subtract, "subtract": .subtract, "divide": .divide,
    ]

    public var name: String { rawValue }

    /// Argument counts: (at least, at most); JsonLogic ignores extra arguments, a saved rule may not have them.
    public var arity: (minimum: Int, maximum: Int?) {
        switch self {
        case .variable: (0, 2)
        case .missing, .merge, .cat, .if, .ternary: (0, nil)
        case .missingSome: (2, 2)
        case .equal, .strictEqual, .notEqual, .strictNotEqual, .greater, .greaterOrEqual, .divide, .modulo, .in: (2, 2)
        case .less, .lessOrEqual: (2, 3)
        case .not, .truthy, .log: (1, 1)
        case .or, .and, .max, .min, .add, .multiply: (1, nil)
        case .subtract: (1, 2)
        case .map, .filter, .all, .none, .some: (2, 2)
        case .reduce: (2, 3)
        case .substr: (2, 3)
        }
    }

    var arityText: String {
        let (minimum, maximum) = arity
        func count(_ n: Int) -> String { n == 1 ? "1 argument" : "\(n) arguments" }
        guard let maximum else { return "at least " + count(minimum) }
        return maximum == minimum ? count(minimum) : "\(minimum) to \(count(maximum))"
    }

    /// Whether the second argument is evaluated per element, with the element as the data.
    var iteratesWithScope: Bool {
        switch self {
        case .map, .filter, .reduce, .all, .none, .some: true
        default: false
        }
    }
}
