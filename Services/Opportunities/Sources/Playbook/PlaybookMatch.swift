import Foundation

/// How well an atom answers an objection on a deal: the objection's words first (the same,
/// one inside the other, or sharing enough character pairs, which suits Chinese without a word
/// segmenter), then the stage and the customer type, where an atom's "*" fits any.
enum PlaybookMatch {
    static let any = "*"

    /// The score, or nil when the atom does not fit (another stage or customer type, or an unrelated objection).
    static func score(
        objection: String, atomObjection: String, stage: String, atomStage: String, customerType: String, atomCustomerType: String
    ) -> Double? {
        guard atomStage == any || atomStage == stage else { return nil }
        guard atomCustomerType == any || atomCustomerType == customerType else { return nil }
        let said = normalized(objection)
        let known = normalized(atomObjection)
        guard !said.isEmpty, !known.isEmpty else { return nil }
        var score: Double
        if said == known {
            score = 3
        } else if said.contains(known) || known.contains(said) {
            score = 2
        } else {
            let overlap = similarity(said, known)
            guard overlap >= 0.2 else { return nil }
            score = 1 + overlap
        }
        if atomStage != any { score += 1 }
        if atomCustomerType != any { score += 0.5 }
        return (score * 100).rounded() / 100
    }

    /// Letters and digits only, lowercased: "价格 太高！" and "价格太高" are the same objection.
    static func normalized(_ text: String) -> String {
        String(text.lowercased().filter { $0.isLetter || $0.isNumber })
    }

    /// Jaccard similarity of the two texts' character pairs (single characters for one-character texts).
    static func similarity(_ a: String, _ b: String) -> Double {
        let left = pairs(a)
        let right = pairs(b)
        let union = left.union(right).count
        return union == 0 ? 0 : Double(left.intersection(right).count) / Double(union)
    }

    private static func pairs(_ text: String) -> Set<String> {
        let characters = Array(text)
        guard characters.count > 1 else { return Set(characters.map(String.init)) }
        return Set((0..<characters.count - 1).map { String(characters[$0...$0 + 1]) })
    }
}
