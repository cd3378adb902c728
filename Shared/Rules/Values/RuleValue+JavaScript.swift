/// JsonLogic's truthiness and JavaScript's conversions, on which every operator builds.
extension RuleValue {
    /// JsonLogic truthiness: JavaScript's, except that an empty list is false too.
    /// So `0`, `""`, `[]`, `null` and NaN are false; `"0"` and `{}` are true.
    @inlinable public var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let flag): flag
        case .number(let number): number != 0 && !number.isNaN
        case .string(let text): !text.isEmpty
        case .array(let elements): !elements.isEmpty
        case .object: true
        }
    }

    /// JavaScript's `Number(value)`: null 0, booleans 0/1, text parsed strictly, lists through their text.
    public var jsNumber: Double {
        switch self {
        case .null: 0
        case .bool(let flag): flag ? 1 : 0
        case .number(let number): number
        case .string(let text): JavaScriptNumbers.number(from: text)
        case .array: JavaScriptNumbers.number(from: jsString)
        case .object: .nan
        }
    }

    /// JavaScript's `parseFloat(value)`, which `+` and `*` apply: the leading number of the text.
    public var jsParseFloat: Double {
        switch self {
        case .number(let number): number
        case .string(let text): JavaScriptNumbers.parseFloat(text)
        default: JavaScriptNumbers.parseFloat(jsString)
        }
    }

    /// JavaScript's `String(value)`: lists join their elements with "," (null as empty).
    public var jsString: String {
        switch self {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .number(let number): JavaScriptNumbers.format(number)
        case .string(let text): text
        case .array(let elements): elements.map(\.joinedText).joined(separator: ",")
        case .object: "[object Object]"
        }
    }

    /// How `Array.prototype.join` (and so `cat`) writes an element: null as nothing.
    var joinedText: String {
        if case .null = self { return "" }
        return jsString
    }

    /// JavaScript's ToPrimitive for the operators that compare: lists and objects become text.
    var jsPrimitive: RuleValue {
        switch self {
        case .array, .object: .string(jsString)
        default: self
        }
    }
}
