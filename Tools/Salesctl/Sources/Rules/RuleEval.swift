import RulesEngine

/// `salesctl rules eval --rule JSON --data JSON`: one rule, one record.
public enum RuleEval {
    /// The rule's value for the data, as JSON. Without data the rule sees null.
    public static func evaluate(rule: String, data: String?, domain: String? = nil, environment: RuleToolEnvironment = .init()) throws(RuleToolError)
        -> String
    {
        try outcome(rule: rule, data: data, domain: domain, environment: environment).value.json
    }

    /// The value and how the rule reached it.
    public static func explain(rule: String, data: String?, domain: String? = nil, environment: RuleToolEnvironment = .init()) throws(RuleToolError)
        -> Explanation
    {
        let (compiled, record) = try prepare(rule: rule, data: data, domain: domain, environment: environment)
        do {
            return try compiled.explain(record)
        } catch {
            throw RuleToolError("evaluation failed: \(error.message)")
        }
    }

    static func outcome(rule: String, data: String?, domain: String?, environment: RuleToolEnvironment) throws(RuleToolError) -> (
        value: RuleValue, rule: CompiledRule
    ) {
        let (compiled, record) = try prepare(rule: rule, data: data, domain: domain, environment: environment)
        do {
            return (try compiled.evaluate(record), compiled)
        } catch {
            throw RuleToolError("evaluation failed: \(error.message)")
        }
    }

    private static func prepare(rule: String, data: String?, domain: String?, environment: RuleToolEnvironment) throws(RuleToolError) -> (
        CompiledRule, RuleValue
    ) {
        let compiler = RuleCompiler(registry: environment.registry, catalog: try catalog(domain))
        let compiled: CompiledRule
        do {
            compiled = try compiler.compile(json: rule)
        } catch {
            throw RuleToolError("the rule is refused:\n" + error.problems.map { "  \($0)" }.joined(separator: "\n"))
        }
        var record = RuleValue.null
        if let data {
            do { record = try RuleValue(json: data) } catch { throw RuleToolError("the data is not JSON: \(error)") }
        }
        return (compiled, record)
    }

    static func catalog(_ domain: String?) throws(RuleToolError) -> FieldCatalog? {
        guard let domain else { return nil }
        guard let catalog = FieldCatalog.builtIn(domain: domain) else {
            throw RuleToolError("`\(domain)` is not a domain with a field catalog; use \(FieldCatalog.builtInDomains.joined(separator: ", "))")
        }
        return catalog
    }
}
