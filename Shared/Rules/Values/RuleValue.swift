import SalesModel

/// A value rules compute with: JSON's six kinds. Numbers are doubles, as in JavaScript, whose
/// semantics JsonLogic inherits; money enters rules as a number of major units (yuan).
///
/// `==` here is structural equality for Swift code and tests; the rule operators `==` and `===`
/// follow JavaScript (see `RuleValue+Equality.swift`).
public enum RuleValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([RuleValue])
    case object([String: RuleValue])
}

extension RuleValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: RuleValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, RuleValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension RuleValue {
    /// Money as rules read it: a number of major units (yuan), so `{">=": [{"var": "budget"}, 30000]}` means ¥30,000.
    public init(_ money: Money) {
        self = .number(Double(money.minorUnits) / 100)
    }

    /// A point as rules read it: `{"lat": …, "lng": …}`.
    public init(_ point: GeoPoint) {
        self = .object(["lat": .number(point.latitude), "lng": .number(point.longitude)])
    }

    /// A list of texts, e.g. tags.
    public init(_ texts: [String]) {
        self = .array(texts.map(RuleValue.string))
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var numberValue: Double? {
        if case .number(let number) = self { return number }
        return nil
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var arrayValue: [RuleValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    public var objectValue: [String: RuleValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The kind's name as messages use it.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "text"
        case .array: "list"
        case .object: "object"
        }
    }
}
