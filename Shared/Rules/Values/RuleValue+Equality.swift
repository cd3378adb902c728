/// The rule operators' equality and order, as JavaScript's `==`, `===` and `<` behave on JSON values.
///
/// One deliberate difference: JavaScript compares lists and objects by identity (`[1] == [1]` is
/// false); rules have no identities, so here they compare by content.
extension RuleValue {
    /// `===`: same kind and same value; NaN equals nothing.
    public func strictlyEquals(_ other: RuleValue) -> Bool {
        switch (self, other) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): UTF8Text.same(a, b)
        case (.array(let a), .array(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.strictlyEquals($1) }
        case (.object(let a), .object(let b)):
            a.count == b.count && a.allSatisfy { key, value in b[key].map { value.strictlyEquals($0) } ?? false }
        default: false
        }
    }

    /// `==`: JavaScript's abstract equality. Null equals only null; booleans compare as 0/1;
    /// text against a number compares as a number; lists and objects against scalars through their text.
    public func looselyEquals(_ other: RuleValue) -> Bool {
        switch (self, other) {
        case (.null, .null): return true
        case (.null, _), (_, .null): return false
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return UTF8Text.same(a, b)
        case (.bool(let a), .bool(let b)): return a == b
        case (.array, .array), (.object, .object), (.array, .object), (.object, .array): return strictlyEquals(other)
        case (.bool(let a), _): return RuleValue.number(a ? 1 : 0).looselyEquals(other)
        case (_, .bool(let b)): return looselyEquals(.number(b ? 1 : 0))
        case (.number(let a), .string(let b)): return a == JavaScriptNumbers.number(from: b)
        case (.string(let a), .number(let b)): return JavaScriptNumbers.number(from: a) == b
        case (.array, _), (.object, _): return jsPrimitive.looselyEquals(other)
        case (_, .array), (_, .object): return looselyEquals(other.jsPrimitive)
        }
    }

    /// `<` (or `<=`): two texts compare by code units; anything else as numbers, NaN never in order.
    public func jsLess(than other: RuleValue, orEqual: Bool) -> Bool {
        if case .number(let a) = self, case .number(let b) = other { return orEqual ? a <= b : a < b }
        let left = jsPrimitive
        let right = other.jsPrimitive
        if case .string(let a) = left, case .string(let b) = right { return UTF8Text.precedes(a, b, orEqual: orEqual) }
        let a = left.jsNumber
        let b = right.jsNumber
        return orEqual ? a <= b : a < b
    }
}
