/// `{"contains_any": [text, ["关键词", …]]}`: whether the text contains any keyword, ignoring case
/// (for product lines in an inquiry: "想了解 CT 和MRI设备"). A keyword's Latin edge (a letter or
/// digit) must not run on into another Latin letter or digit, so "CT" is found in "想了解CT设备"
/// and "CT, MRI" but not in "contact"; a Chinese keyword matches anywhere (Chinese has no spaces
/// between words). No text (null) contains nothing.
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
            if Self.contains(word.lowercased(), in: haystack) { return .bool(true) }
        }
        return .bool(false)
    }

    /// Whether `word` occurs in `text` with neither Latin edge running on into a Latin letter or digit.
    static func contains(_ word: String, in text: String) -> Bool {
        let checksStart = word.first.map(isLatinWordCharacter) ?? false
        let checksEnd = word.last.map(isLatinWordCharacter) ?? false
        var from = text.startIndex
        while from < text.endIndex, let found = text[from...].firstRange(of: word) {
            let startFree = !checksStart || found.lowerBound == text.startIndex || !isLatinWordCharacter(text[text.index(before: found.lowerBound)])
            let endFree = !checksEnd || found.upperBound == text.endIndex || !isLatinWordCharacter(text[found.upperBound])
            if startFree && endFree { return true }
            from = text.index(after: found.lowerBound)
        }
        return false
    }

    /// A letter or digit of the Latin script (ASCII, accented letters): the characters that make
    /// up a Latin word. Chinese characters are letters too, but never part of a Latin word.
    static func isLatinWordCharacter(_ character: Character) -> Bool {
        guard let scalar = character.unicodeScalars.first else { return false }
        if scalar.isASCII { return character.isLetter || character.isNumber }
        return (0xC0...0x24F).contains(scalar.value) && character.isLetter
    }
}
