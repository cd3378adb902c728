/// The JsonLogic operators' semantics on evaluated values, as json-logic-js defines them.
enum Operations {
    /// `var` with a computed path: null or "" is the whole data, otherwise a dotted path.
    static func read<D: RuleData>(_ path: RuleValue, in data: D) -> RuleValue? {
        if case .null = path { return data.ruleValue }
        let text = path.jsString
        if text.isEmpty { return data.ruleValue }
        return FieldPath(text).read(data)
    }

    /// What `missing` counts as missing: absent, null or "".
    static func isMissing(_ value: RuleValue?) -> Bool {
        switch value {
        case nil, .null?: true
        case .string(let text)?: text.isEmpty
        default: false
        }
    }

    /// `in`: a substring of text, or an element (strictly equal) of a list; false for anything else.
    static func contains(_ haystack: RuleValue, _ needle: RuleValue) -> Bool {
        switch haystack {
        case .string(let text): !text.isEmpty && UTF8Text.contains(text, needle.jsString)
        case .array(let elements): elements.contains { $0.strictlyEquals(needle) }
        default: false
        }
    }

    /// `+` and `*` parse each argument as `parseFloat` does; `-`, `/`, `%`, `min`, `max` convert
    /// with `Number()`. Division or remainder by zero is null (JavaScript's Infinity and NaN
    /// serialise as null anyway, and a null compares as "no value" rather than as a huge number).
    static func arithmetic<D: RuleData>(_ op: Node.Arithmetic, _ nodes: [Node], _ data: D) throws(RuleEvaluationError) -> RuleValue {
        switch op {
        case .add:
            var sum = 0.0
            for node in nodes { sum += try node.evaluate(data).jsParseFloat }
            return .number(sum)
        case .multiply:
            var product = try nodes[0].evaluate(data).jsParseFloat
            for node in nodes.dropFirst() { product *= try node.evaluate(data).jsParseFloat }
            return .number(product)
        case .subtract:
            let a = try nodes[0].evaluate(data).jsNumber
            guard nodes.count > 1 else { return .number(-a) }
            return .number(a - (try nodes[1].evaluate(data).jsNumber))
        case .divide:
            let a = try nodes[0].evaluate(data).jsNumber
            let b = try nodes[1].evaluate(data).jsNumber
            return b == 0 ? .null : .number(a / b)
        case .modulo:
            let a = try nodes[0].evaluate(data).jsNumber
            let b = try nodes[1].evaluate(data).jsNumber
            return b == 0 ? .null : .number(a.truncatingRemainder(dividingBy: b))
        case .max, .min:
            var result = op == .max ? -Double.infinity : Double.infinity
            for node in nodes {
                let value = try node.evaluate(data).jsNumber
                if value.isNaN { return .number(.nan) }
                result = op == .max ? Swift.max(result, value) : Swift.min(result, value)
            }
            return .number(result)
        }
    }

    /// `map`, `filter`, `all`, `none`, `some`: the body sees each element as its data. Anything
    /// but a list counts as an empty list (so `all` is false, `none` true).
    static func iterate(_ kind: Node.Iteration, _ source: RuleValue, _ body: Node) throws(RuleEvaluationError) -> RuleValue {
        guard case .array(let elements) = source else {
            return switch kind {
            case .map, .filter: .array([])
            case .all, .some: .bool(false)
            case .none: .bool(true)
            }
        }
        switch kind {
        case .map:
            var results: [RuleValue] = []
            results.reserveCapacity(elements.count)
            for element in elements { results.append(try body.evaluate(element)) }
            return .array(results)
        case .filter:
            var kept: [RuleValue] = []
            for element in elements {
                if try body.evaluate(element).isTruthy { kept.append(element) }
            }
            return .array(kept)
        case .all:
            guard !elements.isEmpty else { return .bool(false) }
            for element in elements {
                if !(try body.evaluate(element).isTruthy) { return .bool(false) }
            }
            return .bool(true)
        case .some, .none:
            for element in elements {
                if try body.evaluate(element).isTruthy { return .bool(kind == .some) }
            }
            return .bool(kind == .none)
        }
    }

    /// `substr`: JavaScript's `String.prototype.substr` on UTF-16 code units; a negative length
    /// drops that many units from the end.
    static func substr(_ source: RuleValue, _ start: RuleValue, _ length: RuleValue?) -> RuleValue {
        let units = Array(source.jsString.utf16)
        func integer(_ value: RuleValue) -> Double {
            let number = value.jsNumber
            return number.isNaN ? 0 : number.rounded(.towardZero)
        }
        let size = Double(units.count)
        var from = integer(start)
        from = from < 0 ? Swift.max(size + from, 0) : Swift.min(from, size)
        var to = size
        if let length {
            let count = integer(length)
            to = count < 0 ? Swift.max(from, size + count) : Swift.min(size, from + count)
        }
        guard to > from else { return .string("") }
        return .string(String(decoding: units[Int(from)..<Int(to)], as: UTF16.self))
    }
}
