/// Reads a rule document into an `Expression`: resolves operator names, checks argument counts
/// and lets domain operators refuse constant arguments. Stops at `RuleLimits.maximumDepth`.
struct SyntaxReader {
    let registry: OperatorRegistry
    private(set) var problems: [RuleProblem] = []
    private var reportedDepth = false

    init(registry: OperatorRegistry) {
        self.registry = registry
    }

    mutating func read(_ value: RuleValue, at path: RulePath = .root, depth: Int = 1) -> Expression {
        switch value {
        case .array(let elements):
            guard within(depth, at: path) else { return .invalid }
            var expressions: [Expression] = []
            expressions.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() {
                expressions.append(read(element, at: path.appending(.index(index)), depth: depth + 1))
            }
            return .list(expressions, path: path)
        case .object(let members) where members.count == 1:
            guard within(depth, at: path) else { return .invalid }
            let (name, written) = members.first!
            return operation(name, written, at: path, depth: depth)
        default:
            return .literal(value)
        }
    }

    /// Lists and operations recurse; past the limit the rule is refused (once, at the first place).
    private mutating func within(_ depth: Int, at path: RulePath) -> Bool {
        guard depth > RuleLimits.maximumDepth else { return true }
        if !reportedDepth {
            reportedDepth = true
            problems.append(
                RuleProblem(
                    .tooDeep, at: path, "the rule nests deeper than \(RuleLimits.maximumDepth) levels; split it into simpler rules"))
        }
        return false
    }

    private mutating func operation(_ name: String, _ written: RuleValue, at path: RulePath, depth: Int) -> Expression {
        let listed: Bool
        let values: [RuleValue]
        if case .array(let elements) = written {
            listed = true
            values = elements
        } else {
            listed = false
            values = [written]
        }
        func argumentPath(_ index: Int) -> RulePath {
            listed ? path.appending(.key(name)).appending(.index(index)) : path.appending(.key(name))
        }
        var arguments: [Expression] = []
        arguments.reserveCapacity(values.count)
        for (index, value) in values.enumerated() {
            arguments.append(read(value, at: argumentPath(index), depth: depth + 1))
        }
        guard let entry = registry.entry(name) else {
            var message = "`\(name)` is not an operator"
            if let nearest = nearestOperator(to: name) { message += "; did you mean `\(nearest)`?" }
            problems.append(RuleProblem(.unknownOperator, at: path, message))
            return .invalid
        }
        switch entry {
        case .builtin(let builtin):
            let (minimum, maximum) = builtin.arity
            if arguments.count < minimum || maximum.map({ arguments.count > $0 }) == true {
                problems.append(
                    RuleProblem(
                        .wrongArity, at: path, "`\(name)` takes \(builtin.arityText); got \(arguments.count)"))
            }
        case .plugin(let op):
            if !op.signature.accepts(count: arguments.count) {
                problems.append(
                    RuleProblem(
                        .wrongArity, at: path, "`\(name)` takes \(op.signature.arityText); got \(arguments.count)"))
            } else {
                for message in op.problems(withConstantArguments: arguments.map(\.constantValue)) {
                    problems.append(RuleProblem(.invalidArgument, at: path, "`\(name)`: \(message)"))
                }
            }
        }
        return .operation(.init(name: name, entry: entry, arguments: arguments, path: path, listed: listed))
    }

    private func nearestOperator(to name: String) -> String? {
        EditDistance.nearest(to: name, among: registry.names)
    }
}
