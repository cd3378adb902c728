/// `{"contains_any": [text, ["关键词", …]]}`: whether the text contains any keyword, ignoring case
/// (for product lines in an inquiry: "想了解 CT 和MRI设备"). No text (null) contains nothing.
public struct ContainsAnyOperator: RuleOperator {
    public let name = "contains_any"
    public let signature = OperatorSignature([.init("text", .text), .init("keywords", .array(.text))], result: .boolean)

    public init() {}

    public func problems(withConstantArguments arguments: [RuleValue?]) -> [String] {
        guard let keywords = arguments[1] else { return [] }
        guard case .array(let list) = keywords, !list.isEmpty, list.allSatisfy({ $0.stringValue?.isEmpty == false }) else {
            return ["the keywords must be a non-empty list of non-empty texts; got \(keywords.json)"]
        }
        return []
    }

    public func evaluate(_ arguments: [RuleValue]) throws(RuleEvaluationError) -> RuleValue {
        guard case .string(let text) = arguments[0] else {
            if arguments[0].isNull { return .bool(false) }
            throw RuleEvaluationError("the text must be text; got \(arguments[0].json)")
        }
        guard case .array(let keywords) = arguments[1] else {
            throw RuleEvaluationError("the keywords must be a list of texts; got \(arguments[1].json)")
        }
        let haystack = text.lowercased()
        for keyword in keywords {
            guard case .string(let word) = keyword, !word.isEmpty else { continue }
            if haystack.contains(word.lowercased()) { return .bool(true) }
        }
        return .bool(false)
    }
}
