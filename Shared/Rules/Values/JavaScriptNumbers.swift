/// Number ↔ text conversions as JavaScript performs them, since JsonLogic's semantics are
/// JavaScript's: `Number("12")`, `parseFloat("12px")` and `String(0.1 + 0.2)` must agree with the
/// reference engine.
enum JavaScriptNumbers {
    /// `String(x)` (Number::toString): shortest round-trip digits, plain notation from 1e-6 to 1e21.
    static func format(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x == 0 { return "0" }
        if x.isInfinite { return x < 0 ? "-Infinity" : "Infinity" }
        if x.rounded() == x, abs(x) < 9_007_199_254_740_992 { return String(Int64(x)) }
        // Swift's description already has the shortest round-trip digits; only the layout differs.
        let text = abs(x).description
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(of: "e") {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        let integerPart = mantissa.prefix { $0 != "." }
        let fractionPart = mantissa.drop { $0 != "." }.dropFirst()
        var digits = Array(integerPart.utf8) + Array(fractionPart.utf8)
        var point = integerPart.count + exponent
        while digits.first == UInt8(ascii: "0") {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == UInt8(ascii: "0") { digits.removeLast() }
        let k = digits.count
        let n = point
        let sign = x < 0 ? "-" : ""
        let digitText = String(decoding: digits, as: UTF8.self)
        if k <= n && n <= 21 {
            return sign + digitText + String(repeating: "0", count: n - k)
        }
        if 0 < n && n <= 21 {
            return sign + String(digitText.prefix(n)) + "." + String(digitText.dropFirst(n))
        }
        if -6 < n && n <= 0 {
            return sign + "0." + String(repeating: "0", count: -n) + digitText
        }
        let exponentText = (n - 1 >= 0 ? "+" : "-") + String(abs(n - 1))
        if k == 1 { return sign + digitText + "e" + exponentText }
        return sign + String(digitText.prefix(1)) + "." + String(digitText.dropFirst()) + "e" + exponentText
    }

    /// `Number(text)` (StringToNumber): whitespace-trimmed; empty is 0; hex, octal and binary
    /// integer literals; `Infinity`; otherwise a decimal literal or NaN.
    static func number(from text: String) -> Double {
        let bytes = Array(text.utf8)
        var start = 0
        var end = bytes.count
        while start < end, let width = whitespaceWidth(bytes, at: start) { start += width }
        while end > start, let width = whitespaceWidthEnding(bytes, at: end) { end -= width }
        if start == end { return 0 }
        let body = bytes[start..<end]
        if body.count > 2, body[start] == UInt8(ascii: "0") {
            let radix: Int? =
                switch body[start + 1] | 0x20 {
                case UInt8(ascii: "x"): 16
                case UInt8(ascii: "o"): 8
                case UInt8(ascii: "b"): 2
                default: nil
                }
            if let radix { return integer(body.dropFirst(2), radix: radix) }
        }
        guard decimalPrefixLength(body, allowInfinity: true) == body.count else { return .nan }
        return decimalValue(body)
    }

    /// `parseFloat(text)`: the longest decimal prefix after leading whitespace, or NaN.
    static func parseFloat(_ text: String) -> Double {
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count, let width = whitespaceWidth(bytes, at: start) { start += width }
        let body = bytes[start...]
        let length = decimalPrefixLength(body, allowInfinity: true)
        guard length > 0 else { return .nan }
        return decimalValue(body.prefix(length))
    }

    private static func decimalValue(_ literal: ArraySlice<UInt8>) -> Double {
        var unsigned = literal
        var negative = false
        if let first = unsigned.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            negative = first == UInt8(ascii: "-")
            unsigned = unsigned.dropFirst()
        }
        if unsigned.elementsEqual("Infinity".utf8) { return negative ? -.infinity : .infinity }
        // The grammar was checked, so Swift's parser sees only what JavaScript accepts.
        guard let value = Double(String(decoding: unsigned, as: UTF8.self)) else { return .nan }
        return negative ? -value : value
    }

    private static func integer(_ digits: ArraySlice<UInt8>, radix: Int) -> Double {
        var value = 0.0
        for byte in digits {
            let digit: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = Int(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = Int(byte - UInt8(ascii: "A")) + 10
            default: return .nan
            }
            guard digit < radix else { return .nan }
            value = value * Double(radix) + Double(digit)
        }
        return value
    }

    /// Length of the longest StrDecimalLiteral at the start: [+-]? (Infinity | digits [. digits] | . digits) [e [+-] digits].
    private static func decimalPrefixLength(_ bytes: ArraySlice<UInt8>, allowInfinity: Bool) -> Int {
        var i = bytes.startIndex
        let end = bytes.endIndex
        if i < end, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
        if allowInfinity, bytes[i...].starts(with: "Infinity".utf8) { return i + 8 - bytes.startIndex }
        func isDigit(_ index: Int) -> Bool { index < end && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) }
        var mantissaDigits = 0
        while isDigit(i) { i += 1; mantissaDigits += 1 }
        if i < end, bytes[i] == UInt8(ascii: ".") {
            var j = i + 1
            var fraction = 0
            while isDigit(j) { j += 1; fraction += 1 }
            if mantissaDigits > 0 || fraction > 0 {
                i = j
                mantissaDigits += fraction
            }
        }
        guard mantissaDigits > 0 else { return 0 }
        if i < end, bytes[i] | 0x20 == UInt8(ascii: "e") {
            var j = i + 1
            if j < end, bytes[j] == UInt8(ascii: "+") || bytes[j] == UInt8(ascii: "-") { j += 1 }
            if isDigit(j) {
                while isDigit(j) { j += 1 }
                i = j
            }
        }
        return i - bytes.startIndex
    }

    /// JavaScript's WhiteSpace and LineTerminator code points, as UTF-8 at `index`.
    private static func whitespaceWidth(_ bytes: [UInt8], at index: Int) -> Int? {
        let byte = bytes[index]
        if byte == 0x20 || (0x09...0x0D).contains(byte) { return 1 }
        guard byte >= 0xC2 else { return nil }
        let scalarEnd = index + (byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2)
        guard scalarEnd <= bytes.count, let scalar = String(decoding: bytes[index..<scalarEnd], as: UTF8.self).unicodeScalars.first,
            isJavaScriptSpace(scalar)
        else { return nil }
        return scalarEnd - index
    }

    private static func whitespaceWidthEnding(_ bytes: [UInt8], at end: Int) -> Int? {
        var start = end - 1
        while start > 0, bytes[start] & 0xC0 == 0x80 { start -= 1 }
        guard let width = whitespaceWidth(bytes, at: start), start + width == end else { return nil }
        return width
    }

    private static func isJavaScriptSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x20, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF: true
        default: false
        }
    }
}
