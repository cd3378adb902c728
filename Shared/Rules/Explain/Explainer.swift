/// Builds explanations on a separate path from evaluation, so that `evaluate` stays lean: each
/// node is evaluated again here as it is explained (rules are small; explaining is for one record).
enum Explainer {
    static func explain<D: RuleData>(_ node: Node, _ data: D, inElement: Bool = false) throws(RuleEvaluationError) -> Explanation {
        let value = try node.evaluate(data)
        let held = value.isTruthy
        func explained(_ child: Node) throws(RuleEvaluationError) -> Explanation {
            try explain(child, data, inElement: inElement)
        }
        func make(_ children: [Explanation], _ summary: String, field: String? = nil) -> Explanation {
            Explanation(operation: node.name, value: value, children: children, field: field, summary: summary)
        }
        switch node {
        case .constant(let constant):
            return make([], Render.value(constant))
        case .variable(let path, _):
            return make([], "\(path.text)=\(Render.value(value))", field: path.text)
        case .wholeData:
            return make([], inElement ? Render.value(value) : "data=\(Render.value(value))", field: "")
        case .and(let nodes), .or(let nodes):
            var children: [Explanation] = []
            let isAnd = if case .and = node { true } else { false }
            for child in nodes {
                let explanation = try explained(child)
                children.append(explanation)
                if explanation.held != isAnd { break }
            }
            // A held `and` and a failed `or` list every part; otherwise the deciding part tells it.
            let everyPart = children.map(\.summary).joined(separator: " and ")
            let decidingPart = children.last?.summary ?? ""
            return make(children, isAnd == held ? everyPart : decidingPart)
        case .choose(let nodes):
            var children: [Explanation] = []
            var index = 0
            while index + 1 < nodes.count {
                let condition = try explained(nodes[index])
                children.append(condition)
                if condition.held {
                    let branch = try explained(nodes[index + 1])
                    children.append(branch)
                    return make(children, "\(condition.summary) → \(branch.summary)")
                }
                index += 2
            }
            if index < nodes.count {
                let otherwise = try explained(nodes[index])
                children.append(otherwise)
                return make(children, "otherwise → \(otherwise.summary)")
            }
            return make(children, "no branch held → null")
        case .not(let child), .truthy(let child), .log(let child, _):
            let explanation = try explained(child)
            return make([explanation], explanation.summary)
        case .equality(let kind, let left, let right):
            let (a, b) = (try explained(left), try explained(right))
            let equal = (kind == .equal || kind == .strictEqual) == held
            return make([a, b], "\(a.summary) \(equal ? "=" : "≠") \(b.summary)")
        case .order(let kind, let left, let right):
            let (a, b) = (try explained(left), try explained(right))
            let symbol =
                switch (kind, held) {
                case (.greater, true), (.lessOrEqual, false): ">"
                case (.greaterOrEqual, true), (.less, false): "≥"
                case (.less, true), (.greaterOrEqual, false): "<"
                case (.lessOrEqual, true), (.greater, false): "≤"
                }
            return make([a, b], "\(Render.operand(a)) \(symbol) \(Render.operand(b))")
        case .between(let low, let middle, let high, let orEqual):
            let parts = [try explained(low), try explained(middle), try explained(high)]
            let symbol = orEqual ? "≤" : "<"
            let range = parts.map(Render.operand).joined(separator: " \(symbol) ")
            return make(parts, held ? range : "not \(range)")
        case .inList(let needle, let list):
            let explanation = try explained(needle)
            return make([explanation], "\(explanation.summary) \(held ? "∈" : "∉") \(Render.value(.array(list.elements)))")
        case .in(let needle, let haystack):
            let (a, b) = (try explained(needle), try explained(haystack))
            return make([a, b], "\(a.summary) \(held ? "∈" : "∉") \(b.summary)")
        case .iteration(let kind, let source, let body):
            let list = try explained(source)
            var children = [list]
            // The element that decided `some`, `none` or `all`, explained with the element as data.
            if kind != .map && kind != .filter, case .array(let elements) = list.value {
                let wantHeld = kind != .all
                for element in elements {
                    let explanation = try explain(body, element, inElement: true)
                    if explanation.held == wantHeld {
                        children.append(explanation)
                        break
                    }
                }
            }
            let detail = children.count > 1 ? ": \(children[1].summary)" : ""
            let summary =
                switch kind {
                case .some: held ? "some element of \(list.summary) matched\(detail)" : "no element of \(list.summary) matched"
                case .none: held ? "no element of \(list.summary) matched" : "an element of \(list.summary) matched\(detail)"
                case .all: held ? "every element of \(list.summary) matched" : "not every element of \(list.summary) matched\(detail)"
                case .map, .filter: "\(kind.rawValue) over \(list.summary) = \(Render.value(value))"
                }
            return make(children, summary)
        default:
            let children = try node.children.map { (child: Node) throws(RuleEvaluationError) in try explained(child) }
            let arguments = children.map(Render.operand).joined(separator: ", ")
            return make(children, "\(node.name)(\(arguments)) = \(Render.value(value))")
        }
    }
}

extension Node {
    /// The operator's name as rules write it.
    var name: String {
        switch self {
        case .constant: "value"
        case .list: "list"
        case .variable, .wholeData, .computedVariable: "var"
        case .missingFields, .missing: "missing"
        case .missingSome: "missing_some"
        case .choose: "if"
        case .and: "and"
        case .or: "or"
        case .not: "!"
        case .truthy: "!!"
        case .equality(let kind, _, _): kind.rawValue
        case .order(let kind, _, _): kind.rawValue
        case .between(_, _, _, let orEqual): orEqual ? "<=" : "<"
        case .inList, .in: "in"
        case .arithmetic(let op, _): op.rawValue
        case .iteration(let kind, _, _): kind.rawValue
        case .reduce: "reduce"
        case .merge: "merge"
        case .cat: "cat"
        case .substr: "substr"
        case .log: "log"
        case .plugin(let call): call.op.name
        }
    }
}

/// Values as explanations show them: text unquoted, long lists and text shortened.
enum Render {
    static func value(_ value: RuleValue) -> String {
        switch value {
        case .string(let text): text.count > 60 ? String(text.prefix(57)) + "…" : text
        case .array(let elements):
            "[" + elements.prefix(10).map(Self.value).joined(separator: ", ") + (elements.count > 10 ? ", … \(elements.count - 10) more" : "") + "]"
        case .number(let number): number.isFinite ? JavaScriptNumbers.format(number) : "null"
        default: shortened(value.json)
        }
    }

    private static func shortened(_ text: String) -> String {
        text.count > 120 ? String(text.prefix(117)) + "…" : text
    }

    /// A field read inside a comparison reads "budget 50000"; anything else as its summary.
    static func operand(_ explanation: Explanation) -> String {
        if let field = explanation.field, !field.isEmpty, explanation.operation == "var" {
            return "\(field) \(value(explanation.value))"
        }
        return explanation.summary
    }
}
