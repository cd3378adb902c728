import Foundation

/// Splits a migration's SQL into statements, since the extended protocol takes one at a time.
/// Semicolons inside quotes ('…', "…"), dollar quotes ($$…$$, $tag$…$tag$) and comments do
/// not split.
public enum SQLScript {
    public static func statements(_ sql: String) -> [String] {
        var statements: [String] = []
        var current = ""
        let chars = Array(sql)
        var index = 0
        func flush() {
            let trimmed = current.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty && !isOnlyComments(trimmed) { statements.append(trimmed) }
            current = ""
        }
        while index < chars.count {
            let char = chars[index]
            let next: Character? = index + 1 < chars.count ? chars[index + 1] : nil
            switch char {
            case "-" where next == "-":
                while index < chars.count, chars[index] != "\n" { current.append(chars[index]); index += 1 }
                continue
            case "/" where next == "*":
                while index < chars.count, !(chars[index] == "*" && index + 1 < chars.count && chars[index + 1] == "/") {
                    current.append(chars[index]); index += 1
                }
                current.append("*/"); index += 2
                continue
            case "'", "\"":
                current.append(char); index += 1
                while index < chars.count {
                    current.append(chars[index])
                    if chars[index] == char {
                        // A doubled quote is an escaped quote, not the end.
                        if index + 1 < chars.count, chars[index + 1] == char { current.append(char); index += 2; continue }
                        index += 1
                        break
                    }
                    index += 1
                }
                continue
            case "$":
                if let tag = dollarTag(chars, at: index) {
                    current.append(contentsOf: tag); index += tag.count
                    while index < chars.count, !matches(chars, tag, at: index) { current.append(chars[index]); index += 1 }
                    if index < chars.count { current.append(contentsOf: tag); index += tag.count }
                    continue
                }
            case ";":
                flush(); index += 1
                continue
            default:
                break
            }
            current.append(char); index += 1
        }
        flush()
        return statements
    }

    /// "$$" or "$tag$" starting at `index`, if one does.
    private static func dollarTag(_ chars: [Character], at index: Int) -> String? {
        var end = index + 1
        while end < chars.count, chars[end].isLetter || chars[end].isNumber || chars[end] == "_" { end += 1 }
        guard end < chars.count, chars[end] == "$" else { return nil }
        if end > index + 1, chars[index + 1].isNumber { return nil }  // $1 is a parameter
        return String(chars[index...end])
    }

    private static func matches(_ chars: [Character], _ tag: String, at index: Int) -> Bool {
        let tagChars = Array(tag)
        guard index + tagChars.count <= chars.count else { return false }
        return Array(chars[index..<index + tagChars.count]) == tagChars
    }

    private static func isOnlyComments(_ text: String) -> Bool {
        text.split(separator: "\n").allSatisfy { $0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
    }
}
