import Foundation
import ServiceKit
import Testing

/// `Require.text`, and `trimmedBlanks` that import files' cells use, trim with the standard
/// library's White_Space property (and the zero-width space) instead of Foundation's CharacterSet:
/// the same answer for every whitespace character either knows, and for mixtures.
@Suite struct RequireTextTests {
    static let whitespace: [Unicode.Scalar] =
        [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x200B, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000]
        .map { Unicode.Scalar($0)! } + (0x2000...0x200A).map { Unicode.Scalar($0)! }
    /// Look like blanks but are not whitespace to either: kept.
    static let notWhitespace: [Unicode.Scalar] = [0xFEFF, 0x180E, 0x200D].map { Unicode.Scalar($0)! }

    @Test func trimsAsFoundationDoes() throws {
        let pieces: [String] = Self.whitespace.map(String.init) + Self.notWhitespace.map(String.init) + ["王", "a", "\r\n", "é", "👍🏽"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let text = (0..<Int.random(in: 0...6, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let expected = text.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(try Require.optionalText(text, field: "f") == expected, "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
            #expect(text[...].trimmedBlanks == expected, "a Substring (a cell of an import file) trims the same")
        }
    }

    @Test func limitsCountCharactersNotBytes() throws {
        #expect(try Require.text("  王建国  ", field: "contact_name", maxLength: 3) == "王建国")
        #expect(throws: ServiceError.invalidArgument(field: "contact_name", rule: "must be at most 2 characters")) {
            try Require.text("王建国", field: "contact_name", maxLength: 2)
        }
        #expect(throws: ServiceError.invalidArgument(field: "contact_name", rule: "is required")) {
            try Require.text(" \u{3000}\n", field: "contact_name")
        }
    }
}
