extension Node {
    /// The value of this node for `data`. Recursion is bounded by the rule's depth, which the
    /// compiler limits; the data's own size only makes loops longer.
    func evaluate<D: RuleData>(_ data: D) throws(RuleEvaluationError) -> RuleValue {
        switch self {
        case .constant(let value):
            return value
        case .list(let nodes):
            var values: [RuleValue] = []
            values.reserveCapacity(nodes.count)
            for node in nodes { values.append(try node.evaluate(data)) }
            return .array(values)
        case .variable(let path, let fallback):
            if let value = path.read(data) { return value }
            return try fallback?.evaluate(data) ?? .null
        case .wholeData:
            return data.ruleValue
        case .computedVariable(let pathNode, let fallback):
            if let value = Operations.read(try pathNode.evaluate(data), in: data) { return value }
            return try fallback?.evaluate(data) ?? .null
        case .missingFields(let fields):
            var missing: [RuleValue] = []
            for field in fields where Operations.isMissing(field.path.map { $0.read(data) } ?? data.ruleValue) {
                missing.append(field.key)
            }
            return .array(missing)
        case .missing(let nodes):
            var values: [RuleValue] = []
            for node in nodes { values.append(try node.evaluate(data)) }
            // JavaScript: `missing(["a", "b"])` and `missing("a", "b")` alike.
            let keys = values.first?.arrayValue ?? values
            return .array(keys.filter { Operations.isMissing(Operations.read($0, in: data)) })
        case .missingSome(let need, let options):
            let needed = try need.evaluate(data)
            let optionsValue = try options.evaluate(data)
            let keys = optionsValue.arrayValue ?? [optionsValue]
            let missing = keys.filter { Operations.isMissing(Operations.read($0, in: data)) }
            let present = RuleValue.number(Double(keys.count - missing.count))
            if optionsValue.arrayValue != nil, needed.jsLess(than: present, orEqual: true) { return .array([]) }
            return .array(missing)
        case .choose(let nodes):
            var index = 0
            while index + 1 < nodes.count {
                if try nodes[index].evaluate(data).isTruthy { return try nodes[index + 1].evaluate(data) }
                index += 2
            }
            return index < nodes.count ? try nodes[index].evaluate(data) : .null
        case .and(let nodes):
            var last = RuleValue.null
            for node in nodes {
                last = try node.evaluate(data)
                if !last.isTruthy { return last }
            }
            return last
        case .or(let nodes):
            var last = RuleValue.null
            for node in nodes {
                last = try node.evaluate(data)
                if last.isTruthy { return last }
            }
            return last
        case .not(let node):
            return .bool(!(try node.evaluate(data).isTruthy))
        case .truthy(let node):
            return .bool(try node.evaluate(data).isTruthy)
        case .equality(let kind, let left, let right):
            let a = try left.evaluate(data)
            let b = try right.evaluate(data)
            return switch kind {
            case .equal: .bool(a.looselyEquals(b))
            case .notEqual: .bool(!a.looselyEquals(b))
            case .strictEqual: .bool(a.strictlyEquals(b))
            case .strictNotEqual: .bool(!a.strictlyEquals(b))
            }
        case .order(let kind, let left, let right):
            let a = try left.evaluate(data)
            let b = try right.evaluate(data)
            return switch kind {
            case .less: .bool(a.jsLess(than: b, orEqual: false))
            case .lessOrEqual: .bool(a.jsLess(than: b, orEqual: true))
            case .greater: .bool(b.jsLess(than: a, orEqual: false))
            case .greaterOrEqual: .bool(b.jsLess(than: a, orEqual: true))
            }
        case .between(let low, let middle, let high, let orEqual):
            let a = try low.evaluate(data)
            let b = try middle.evaluate(data)
            let c = try high.evaluate(data)
            return .bool(a.jsLess(than: b, orEqual: orEqual) && b.jsLess(than: c, orEqual: orEqual))
        case .inList(let node, let list):
            return .bool(list.contains(try node.evaluate(data)))
        case .in(let needle, let haystack):
            return .bool(Operations.contains(try haystack.evaluate(data), try needle.evaluate(data)))
        case .arithmetic(let op, let nodes):
            return try Operations.arithmetic(op, nodes, data)
        case .iteration(let kind, let source, let body):
            return try Operations.iterate(kind, try source.evaluate(data), body)
        case .reduce(let source, let body, let initial):
            let items = try source.evaluate(data)
            var accumulator = try initial?.evaluate(data) ?? .null
            guard case .array(let elements) = items else { return accumulator }
            for element in elements {
                accumulator = try body.evaluate(ReduceScope(current: element, accumulator: accumulator))
            }
            return accumulator
        case .merge(let nodes):
            var merged: [RuleValue] = []
            for node in nodes {
                let value = try node.evaluate(data)
                if case .array(let elements) = value { merged.append(contentsOf: elements) } else { merged.append(value) }
                guard merged.count <= RuleLimits.maximumArrayCount else {
                    throw RuleEvaluationError("`merge` would build a list of more than \(RuleLimits.maximumArrayCount) elements")
                }
            }
            return .array(merged)
        case .cat(let nodes):
            var text = ""
            for node in nodes {
                text += try node.evaluate(data).joinedText
                guard text.utf8.count <= RuleLimits.maximumTextLength else {
                    throw RuleEvaluationError("`cat` would build text longer than \(RuleLimits.maximumTextLength) bytes")
                }
            }
            return .string(text)
        case .substr(let source, let start, let length):
            return Operations.substr(try source.evaluate(data), try start.evaluate(data), try length?.evaluate(data))
        case .log(let node, let sink):
            let value = try node.evaluate(data)
            sink.write?(value)
            return value
        case .plugin(let call):
            var arguments: [RuleValue] = []
            arguments.reserveCapacity(call.arguments.count)
            for node in call.arguments { arguments.append(try node.evaluate(data)) }
            do {
                return try call.op.evaluate(arguments)
            } catch {
                throw RuleEvaluationError("`\(call.op.name)` at \(call.path): \(error.message)")
            }
        }
    }
}

/// The data `reduce` gives its body: `{"current": …, "accumulator": …}` without building a dictionary.
struct ReduceScope: RuleData {
    let current: RuleValue
    let accumulator: RuleValue

    func ruleValue(of key: FieldKey) -> RuleValue? {
        switch key.name {
        case "current": current
        case "accumulator": accumulator
        default: nil
        }
    }

    var ruleValue: RuleValue { .object(["current": current, "accumulator": accumulator]) }
}
