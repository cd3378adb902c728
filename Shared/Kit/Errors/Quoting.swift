extension String.StringInterpolation {
    /// `"\(quoted: value)"`: the value in quotes, cut to a short prefix and with control
    /// characters escaped, so an error message never echoes a huge or unprintable value (a 20,000
    /// digit phone would push the reply's headers past a client's limit).
    public mutating func appendInterpolation(quoted value: some StringProtocol, limit: Int = 32) {
        var shown = ""
        for (index, character) in value.enumerated() {
            if index == limit {
                shown += "…\" (\(value.count) characters)"
                appendLiteral("\"" + shown)
                return
            }
            if character.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                shown += character.unicodeScalars.map { "\\u{\(String($0.value, radix: 16))}" }.joined()
            } else {
                shown.append(character)
            }
        }
        appendLiteral("\"" + shown + "\"")
    }
}
