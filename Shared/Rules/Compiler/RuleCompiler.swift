/// Compiles rule documents once, for evaluating many times. Compiling is also the check on save:
/// it refuses unknown operators, wrong argument counts, over-deep nesting and, given a field
/// catalog, unknown fields and kind mismatches, listing every problem with its path.
public struct RuleCompiler: Sendable {
    public var registry: OperatorRegistry
    /// The domain's fields; without one, `var` may read anything and kinds are not checked
    /// (plain JsonLogic, as the conformance suite and ad-hoc evaluation want).
    public var catalog: FieldCatalog?

    public init(registry: OperatorRegistry = .standard, catalog: FieldCatalog? = nil) {
        self.registry = registry
        self.catalog = catalog
    }

    /// Every problem with the rule; empty when it would compile.
    public func check(_ rule: RuleValue) -> [RuleProblem] {
        analyse(rule).problems
    }

    public func check(json: String) -> [RuleProblem] {
        do {
            return check(try JSONParser.parse(json))
        } catch {
            return [RuleProblem(.malformedJSON, at: .root, error.description)]
        }
    }

    public func compile(_ rule: RuleValue) throws(RuleCompileError) -> CompiledRule {
        let (expression, problems) = analyse(rule)
        guard problems.isEmpty else { throw RuleCompileError(problems: problems) }
        let lowering = Lowering(catalog: catalog, logSink: Node.LogSink(write: registry.logSink))
        return CompiledRule(root: lowering.lower(expression), source: rule)
    }

    public func compile(json: String) throws(RuleCompileError) -> CompiledRule {
        let rule: RuleValue
        do {
            rule = try JSONParser.parse(json)
        } catch {
            throw RuleCompileError(problems: [RuleProblem(.malformedJSON, at: .root, error.description)])
        }
        return try compile(rule)
    }

    private func analyse(_ rule: RuleValue) -> (expression: Expression, problems: [RuleProblem]) {
        var reader = SyntaxReader(registry: registry)
        let expression = reader.read(rule)
        var problems = reader.problems
        if let catalog {
            var checker = CatalogChecker(catalog: catalog)
            checker.check(expression)
            problems += checker.problems
        }
        return (expression, problems)
    }
}

/// A rule ready to evaluate. Immutable and `Sendable`: compile once, share across tasks.
public struct CompiledRule: Sendable {
    let root: Node
    /// The document it was compiled from.
    public let source: RuleValue

    /// The rule's value for one record.
    public func evaluate<D: RuleData>(_ data: D) throws(RuleEvaluationError) -> RuleValue {
        try root.evaluate(data)
    }

    /// Whether the rule's value is truthy for the record (a condition holds).
    public func matches<D: RuleData>(_ data: D) throws(RuleEvaluationError) -> Bool {
        try root.evaluate(data).isTruthy
    }

    /// The value with an account of how it came about: which sub-expressions held, with the
    /// values seen. Slower than `evaluate`; meant for the one record a person asks about.
    public func explain<D: RuleData>(_ data: D) throws(RuleEvaluationError) -> Explanation {
        try Explainer.explain(root, data)
    }
}
