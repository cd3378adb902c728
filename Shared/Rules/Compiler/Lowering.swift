/// Turns a checked `Expression` into evaluable nodes: `var` paths split and, at the record level,
/// resolved to catalog positions; written-out lists for `in` prepared for lookup; sub-expressions
/// without data folded to constants.
struct Lowering {
    let catalog: FieldCatalog?
    let logSink: Node.LogSink

    /// What `var` reads at this point: the record, or (inside `map`, `some`…) an element.
    enum Scope {
        case record
        case element
    }

    func lower(_ expression: Expression, scope: Scope = .record) -> Node {
        switch expression {
        case .literal(let value):
            return .constant(value)
        case .invalid:
            return .constant(.null)
        case .list(let elements, _):
            return folded(.list(elements.map { lower($0, scope: scope) }))
        case .operation(let operation):
            switch operation.entry {
            case .plugin(let op):
                let arguments = operation.arguments.map { lower($0, scope: scope) }
                return .plugin(PluginCall(op: op, arguments: arguments, path: operation.path))
            case .builtin(let builtin):
                return lower(builtin, operation.arguments, scope: scope)
            }
        }
    }

    private func lower(_ builtin: BuiltinOperator, _ arguments: [Expression], scope: Scope) -> Node {
        let nodes = { arguments.map { lower($0, scope: scope) } }
        switch builtin {
        case .variable:
            return variable(arguments, scope: scope)
        case .missing:
            let constants = arguments.compactMap(\.constantValue)
            guard constants.count == arguments.count else { return .missing(nodes()) }
            let keys = constants.first?.arrayValue ?? constants
            return .missingFields(
                keys.map { key in
                    let text = key.isNull ? "" : key.jsString
                    return Node.MissingField(key: key, path: text.isEmpty ? nil : path(text, scope: scope))
                })
        case .missingSome:
            let lowered = nodes()
            return .missingSome(lowered[0], lowered[1])
        case .if, .ternary:
            return folded(.choose(nodes()))
        case .and:
            return folded(.and(nodes()))
        case .or:
            return folded(.or(nodes()))
        case .not:
            return folded(.not(nodes()[0]))
        case .truthy:
            return folded(.truthy(nodes()[0]))
        case .equal, .notEqual, .strictEqual, .strictNotEqual:
            let lowered = nodes()
            let kind: Node.Equality =
                switch builtin {
                case .equal: .equal
                case .notEqual: .notEqual
                case .strictEqual: .strictEqual
                default: .strictNotEqual
                }
            return folded(.equality(kind, lowered[0], lowered[1]))
        case .greater, .greaterOrEqual, .less, .lessOrEqual:
            let lowered = nodes()
            if lowered.count == 3 {
                return folded(.between(lowered[0], lowered[1], lowered[2], orEqual: builtin == .lessOrEqual))
            }
            let kind: Node.Order =
                switch builtin {
                case .greater: .greater
                case .greaterOrEqual: .greaterOrEqual
                case .less: .less
                default: .lessOrEqual
                }
            return folded(.order(kind, lowered[0], lowered[1]))
        case .in:
            let lowered = nodes()
            if case .constant(.array(let elements)) = lowered[1] {
                return folded(.inList(lowered[0], ConstantList(elements)))
            }
            return folded(.in(lowered[0], lowered[1]))
        case .max, .min, .add, .subtract, .multiply, .divide, .modulo:
            let op: Node.Arithmetic =
                switch builtin {
                case .max: .max
                case .min: .min
                case .add: .add
                case .subtract: .subtract
                case .multiply: .multiply
                case .divide: .divide
                default: .modulo
                }
            return folded(.arithmetic(op, nodes()))
        case .map, .filter, .all, .none, .some:
            let kind: Node.Iteration =
                switch builtin {
                case .map: .map
                case .filter: .filter
                case .all: .all
                case .none: .none
                default: .some
                }
            return .iteration(kind, lower(arguments[0], scope: scope), lower(arguments[1], scope: .element))
        case .reduce:
            return .reduce(
                lower(arguments[0], scope: scope), lower(arguments[1], scope: .element),
                initial: arguments.count > 2 ? lower(arguments[2], scope: scope) : nil)
        case .merge:
            return folded(.merge(nodes()))
        case .cat:
            return folded(.cat(nodes()))
        case .substr:
            let lowered = nodes()
            return folded(.substr(lowered[0], lowered[1], lowered.count > 2 ? lowered[2] : nil))
        case .log:
            return .log(nodes()[0], logSink)
        }
    }

    private func variable(_ arguments: [Expression], scope: Scope) -> Node {
        guard let first = arguments.first else { return .wholeData }
        let fallback = arguments.count > 1 ? lower(arguments[1], scope: scope) : nil
        guard let constant = first.constantValue else {
            return .computedVariable(lower(first, scope: scope), fallback: fallback)
        }
        let text = constant.isNull ? "" : constant.jsString
        if text.isEmpty { return .wholeData }
        return .variable(path(text, scope: scope), fallback: fallback)
    }

    /// At the record level the first step carries the catalog position, so records switch on an integer.
    private func path(_ text: String, scope: Scope) -> FieldPath {
        let head = text.prefix { $0 != "." }
        guard case .record = scope, let catalog, let position = catalog.position(of: String(head)) else {
            return FieldPath(text)
        }
        return FieldPath(text, head: FieldKey(String(head), position: position, domain: catalog.domain))
    }

    /// The node as a constant when none of its inputs depends on data.
    private func folded(_ node: Node) -> Node {
        guard node.children.allSatisfy({ if case .constant = $0 { true } else { false } }) else { return node }
        guard let value = try? node.evaluate(RuleValue.null) else { return node }
        return .constant(value)
    }
}

extension Node {
    /// The nodes evaluated in the same data scope as this one.
    var children: [Node] {
        switch self {
        case .constant, .wholeData, .missingFields: []
        case .list(let nodes), .missing(let nodes), .choose(let nodes), .and(let nodes), .or(let nodes),
            .arithmetic(_, let nodes), .merge(let nodes), .cat(let nodes):
            nodes
        case .variable(_, let fallback): fallback.map { [$0] } ?? []
        case .computedVariable(let path, let fallback): [path] + (fallback.map { [$0] } ?? [])
        case .missingSome(let a, let b), .equality(_, let a, let b), .order(_, let a, let b), .in(let a, let b): [a, b]
        case .not(let node), .truthy(let node), .inList(let node, _), .log(let node, _): [node]
        case .between(let a, let b, let c, _): [a, b, c]
        case .iteration(_, let source, _): [source]
        case .reduce(let source, _, let initial): [source] + (initial.map { [$0] } ?? [])
        case .substr(let a, let b, let c): [a, b] + (c.map { [$0] } ?? [])
        case .plugin(let call): call.arguments
        }
    }
}
