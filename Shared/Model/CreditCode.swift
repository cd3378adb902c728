import Foundation

/// A unified social credit code (统一社会信用代码, GB 32100-2015): the key of a B2B customer.
/// 18 characters from 0–9 and the capitals except I, O, S, V, Z; the last is a check character
/// over the first 17 (weights 3^i mod 31).
public struct CreditCode: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    static let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    /// Accepts lowercase, full-width characters and surrounding spaces; nil when the length, a
    /// character or the check fails.
    public init?(_ input: String) {
        let code = input.halfWidth.trimmingCharacters(in: .whitespaces).uppercased()
        let characters = Array(code)
        guard characters.count == 18, characters[17] == Self.checkCharacter(characters.prefix(17)) else { return nil }
        rawValue = code
    }

    /// The code whose first 17 characters are `body`, with its check character appended; nil when
    /// `body` is not 17 characters of the alphabet. For test and demo data, and to tell a person
    /// which check character a mistyped code should end with.
    public static func completing(_ body: String) -> CreditCode? {
        let characters = Array(body.uppercased())
        guard characters.count == 17, let check = checkCharacter(characters[...]) else { return nil }
        return CreditCode(String(characters) + String(check))
    }

    /// The check character over the first 17 characters; nil when one is not of the alphabet.
    private static func checkCharacter(_ body: ArraySlice<Character>) -> Character? {
        var sum = 0
        for (character, weight) in zip(body, weights) {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            sum += value * weight
        }
        return alphabet[(31 - sum % 31) % 31]
    }

    /// The six-digit administrative division of registration (characters 3–8), e.g. "310000" for 上海.
    public var divisionCode: Substring { rawValue.dropFirst(2).prefix(6) }

    public var description: String { rawValue }
}
