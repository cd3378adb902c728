/// What a catalog field holds, as an operator sees it when building a rule.
public indirect enum FieldType: Sendable, Hashable, CustomStringConvertible {
    case text
    case number
    /// Read by rules as a number of major units (yuan).
    case money
    /// Read by rules as ISO-8601 text ("2025-10-09T09:30:00+08:00"), which orders correctly as text.
    case date
    case boolean
    /// Text limited to these options.
    case choice([String])
    case list(of: FieldType)
    /// Read by rules as `{"lat": …, "lng": …}`.
    case geoPoint

    /// The value kind rules see.
    public var ruleType: RuleType {
        switch self {
        case .text, .date, .choice: .text
        case .number, .money: .number
        case .boolean: .boolean
        case .list(let element): .array(element.ruleType)
        case .geoPoint: .object
        }
    }

    public var description: String {
        switch self {
        case .text: "text"
        case .number: "number"
        case .money: "money"
        case .date: "date"
        case .boolean: "boolean"
        case .choice: "choice"
        case .list(let element): "list of \(element)"
        case .geoPoint: "geo point"
        }
    }
}

/// The kind of value an expression yields, as far as it is known before evaluation.
public indirect enum RuleType: Sendable, Hashable, CustomStringConvertible {
    case any
    case null
    case boolean
    case number
    case text
    case array(RuleType)
    case object

    /// Whether a value of kind `other` may stand where `self` is expected (unknown kinds and null may).
    public func accepts(_ other: RuleType) -> Bool {
        switch (self, other) {
        case (.any, _), (_, .any), (_, .null): true
        case (.array(let mine), .array(let theirs)): mine.accepts(theirs)
        default: self == other
        }
    }

    /// The kind two expressions share, or `any`.
    func joined(with other: RuleType) -> RuleType {
        switch (self, other) {
        case (.null, _): other
        case (_, .null): self
        case (.array(let a), .array(let b)): .array(a.joined(with: b))
        default: self == other ? self : .any
        }
    }

    var isScalar: Bool {
        switch self {
        case .boolean, .number, .text: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .any: "any value"
        case .null: "null"
        case .boolean: "boolean"
        case .number: "number"
        case .text: "text"
        case .array(.any): "list"
        case .array(.object): "list of objects"
        case .array(let element): "list of \(element)"
        case .object: "an object"
        }
    }
}
