/// Rules for the human-chosen keys of the directory (team ids, user logins, store codes).
public enum Identifier {
    /// 2 to 40 characters from lowercase letters, digits and the given punctuation.
    public static func isValid(_ value: String, allowing punctuation: Set<Character> = ["-"]) -> Bool {
        (2...40).contains(value.count)
            && value.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || punctuation.contains($0) }
    }

    /// A catalog key (a behaviour or external signal): lowercase letters, digits and '_',
    /// starting with a letter, 2 to 40 characters. The opportunities and forecasting catalogs
    /// share it, so a key one accepts the other does too.
    public static func isSignalKey(_ value: String) -> Bool {
        isValid(value, allowing: ["_"]) && value.first.map { $0.isASCII && $0.isLowercase } == true
    }
}
