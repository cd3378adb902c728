/// A JSON reader for rule documents and record data, written for hostile input: it keeps its own
/// stack instead of recursing, so a document nested 10,000 levels deep is refused with an error
/// naming the limit rather than overflowing the thread's stack.
public struct JSONParser {
    /// Deeper documents are refused. A rule allowed `RuleLimits.maximumDepth` operator levels
    /// needs up to two JSON levels per operator (the object and its argument list).
    public static let defaultMaximumDepth = 2 * RuleLimits.maximumDepth + 8

    private let bytes: [UInt8]
    private var position = 0
    private let maximumDepth: Int

    private struct Container {
        var isObject: Bool
        var elements: [RuleValue] = []
        var members: [String: RuleValue] = [:]
        var key = ""
    }

    public static func parse(_ text: String, maximumDepth: Int = defaultMaximumDepth) throws(JSONParseError) -> RuleValue {
        var parser = JSONParser(bytes: Array(text.utf8), maximumDepth: maximumDepth)
        return try parser.document()
    }

    public static func parse(bytes: [UInt8], maximumDepth: Int = defaultMaximumDepth) throws(JSONParseError) -> RuleValue {
        var parser = JSONParser(bytes: bytes, maximumDepth: maximumDepth)
        return try parser.document()
    }

    private init(bytes: [UInt8], maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    private mutating func document() throws(JSONParseError) -> RuleValue {
        skipWhitespace()
        guard position < bytes.count else { throw error("the document is empty") }
        var stack: [Container] = []
        while true {
            // Read one value; containers are opened here and closed below.
            skipWhitespace()
            var value: RuleValue
            switch peek() {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let isObject = peek() == UInt8(ascii: "{")
                guard stack.count < maximumDepth else {
                    throw error("the document nests deeper than \(maximumDepth) levels")
                }
                position += 1
                skipWhitespace()
                if peek() == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    position += 1
                    value = isObject ? .object([:]) : .array([])
                } else {
                    var container = Container(isObject: isObject)
                    if isObject { container.key = try memberKey() }
                    stack.append(container)
                    continue
                }
            default:
                value = try scalar()
            }
            // Place the value; close every container that ends here.
            while true {
                guard !stack.isEmpty else {
                    skipWhitespace()
                    guard position == bytes.count else { throw error("unexpected text after the end of the document") }
                    return value
                }
                let top = stack.count - 1
                if stack[top].isObject {
                    stack[top].members[stack[top].key] = value
                } else {
                    stack[top].elements.append(value)
                }
                skipWhitespace()
                let closer = stack[top].isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if peek() == UInt8(ascii: ",") {
                    position += 1
                    if stack[top].isObject { stack[top].key = try memberKey() }
                    break
                }
                guard peek() == closer else {
                    throw error(stack[top].isObject ? "expected ',' or '}' in an object" : "expected ',' or ']' in a list")
                }
                position += 1
                let finished = stack.removeLast()
                value = finished.isObject ? .object(finished.members) : .array(finished.elements)
            }
        }
    }

    private mutating func memberKey() throws(JSONParseError) -> String {
        skipWhitespace()
        guard peek() == UInt8(ascii: "\"") else { throw error("expected a quoted member name") }
        let key = try string()
        skipWhitespace()
        guard peek() == UInt8(ascii: ":") else { throw error("expected ':' after a member name") }
        position += 1
        return key
    }

    private mutating func scalar() throws(JSONParseError) -> RuleValue {
        switch peek() {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case let byte? where byte == UInt8(ascii: "-") || isDigit(byte): return .number(try number())
        case nil: throw error("the document ends where a value should be")
        default: throw error("expected a value")
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let count = word.utf8CodeUnitCount
        let matches = word.withUTF8Buffer { expected in
            position + count <= bytes.count && bytes[position..<(position + count)].elementsEqual(expected)
        }
        guard matches else { throw error("expected a value") }
        position += count
    }

    private mutating func number() throws(JSONParseError) -> Double {
        let start = position
        if peek() == UInt8(ascii: "-") { position += 1 }
        guard let first = peek(), isDigit(first) else { throw error("a number needs digits") }
        if first == UInt8(ascii: "0") {
            position += 1
        } else {
            while let byte = peek(), isDigit(byte) { position += 1 }
        }
        if peek() == UInt8(ascii: ".") {
            position += 1
            guard let byte = peek(), isDigit(byte) else { throw error("a number needs digits after '.'") }
            while let byte = peek(), isDigit(byte) { position += 1 }
        }
        if let byte = peek(), byte | 0x20 == UInt8(ascii: "e") {
            position += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
            guard let byte = peek(), isDigit(byte) else { throw error("a number needs digits in its exponent") }
            while let byte = peek(), isDigit(byte) { position += 1 }
        }
        guard let value = Double(String(decoding: bytes[start..<position], as: UTF8.self)) else {
            throw error("unreadable number")
        }
        return value
    }

    private mutating func string() throws(JSONParseError) -> String {
        position += 1  // the opening quote
        let start = position
        // Fast path: no escapes.
        while let byte = peek(), byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
            guard byte >= 0x20 else { throw error("control character in text; escape it") }
            position += 1
        }
        guard let stop = peek() else { throw error("text is not closed with '\"'") }
        var buffer = Array(bytes[start..<position])
        if stop == UInt8(ascii: "\\") {
            while true {
                guard let byte = peek() else { throw error("text is not closed with '\"'") }
                if byte == UInt8(ascii: "\"") { break }
                guard byte >= 0x20 else { throw error("control character in text; escape it") }
                position += 1
                guard byte == UInt8(ascii: "\\") else {
                    buffer.append(byte)
                    continue
                }
                guard let escape = peek() else { throw error("text ends inside an escape") }
                position += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(escape)
                case UInt8(ascii: "b"): buffer.append(0x08)
                case UInt8(ascii: "f"): buffer.append(0x0C)
                case UInt8(ascii: "n"): buffer.append(0x0A)
                case UInt8(ascii: "r"): buffer.append(0x0D)
                case UInt8(ascii: "t"): buffer.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hexQuad()
                    if (0xD800...0xDBFF).contains(scalar), peek() == UInt8(ascii: "\\"), position + 1 < bytes.count,
                        bytes[position + 1] == UInt8(ascii: "u")
                    {
                        let save = position
                        position += 2
                        let low = try hexQuad()
                        if (0xDC00...0xDFFF).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            position = save
                        }
                    }
                    // A lone surrogate cannot be Swift text; it becomes U+FFFD as in other lenient readers.
                    buffer.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8))
                default:
                    throw error("unknown escape '\\\(Character(Unicode.Scalar(escape)))'")
                }
            }
        }
        position += 1  // the closing quote
        guard let text = String(validating: buffer, as: UTF8.self) else { throw error("text is not valid UTF-8") }
        return text
    }

    private mutating func hexQuad() throws(JSONParseError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("\\u needs four hex digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A")) + 10
            default: throw error("\\u needs four hex digits")
            }
            value = value * 16 + digit
            position += 1
        }
        return value
    }

    private func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
    }

    private func error(_ message: String) -> JSONParseError {
        var line = 1
        var column = 1
        for byte in bytes[..<min(position, bytes.count)] {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return JSONParseError(message: message, line: line, column: column)
    }
}

/// Malformed JSON, with where the reader stopped.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var line: Int
    public var column: Int

    public var description: String { "malformed JSON at line \(line), column \(column): \(message)" }
}

extension RuleValue {
    /// Reads a JSON document.
    public init(json text: String) throws(JSONParseError) {
        self = try JSONParser.parse(text)
    }
}
