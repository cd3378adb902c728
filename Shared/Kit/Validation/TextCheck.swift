import Foundation
import SwiftProtobuf

/// The check every text field of every request passes at the edge, before a handler sees it:
/// no NUL or other control character (tab and line breaks allowed), and a length limit per field.
/// Postgres refuses NUL outright (SQLSTATE 22021, and `\u0000` in jsonb), so without this a
/// caller's typo ends as INTERNAL; with it, as INVALID_ARGUMENT naming the field. Invalid UTF-8
/// never gets this far: protobuf decoding refuses it.
public enum TextCheck {
    /// The longest ordinary text field, in characters. Handlers set tighter limits of their own.
    public static let fieldLimit = 4_000
    /// The longest JSON document field (a name ending in `json`: rules, channel payloads), in bytes.
    public static let documentLimit = 1_000_000

    /// Throws INVALID_ARGUMENT naming the first text field of `message` that breaks the rules.
    public static func validate(_ message: some SwiftProtobuf.Message) throws(ServiceError) {
        var visitor = TextVisitor(root: type(of: message))
        do {
            try message.traverse(visitor: &visitor)
        } catch let problem as TextVisitor.Problem {
            throw .invalidArgument(field: problem.path, rule: problem.rule)
        } catch {
            throw .invalidArgument(field: "(request)", rule: "could not be read: \(error)")
        }
    }

    /// The same check for text that arrives outside a request (a file, a partner's answer).
    public static func validate(_ text: String, field: String) throws(ServiceError) {
        if let rule = problem(in: text, name: { field }) { throw .invalidArgument(field: field, rule: rule) }
    }

    /// What is wrong with `text` in a field named `name`, or nil when nothing is.
    static func problem(in text: String, name: () -> String) -> String? {
        let bytes = text.utf8
        if bytes.count > fieldLimit {
            if name().hasSuffix("json") {
                if bytes.count > documentLimit { return "must be at most \(documentLimit) bytes of JSON; got \(quoted: text)" }
            } else if text.count > fieldLimit {
                return "must be at most \(fieldLimit) characters; got \(quoted: text)"
            }
        }
        var previous: UInt8 = 0
        for byte in bytes {
            // C0 controls but tab, LF and CR; DEL; C1 controls (U+0080–U+009F, encoded C2 80–C2 9F).
            if (byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D) || byte == 0x7F || (previous == 0xC2 && byte >= 0x80 && byte <= 0x9F) {
                // For a C1 control the second byte is the scalar itself.
                let what = byte == 0 ? "NUL (\\u0000)" : "control characters (found \\u{\(String(byte, radix: 16))})"
                return "must not contain \(what); got \(quoted: text)"
            }
            previous = byte
        }
        // A JSON document whose string holds \u0000 decodes to NUL, which jsonb cannot store.
        if let first = bytes.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }),
            first == UInt8(ascii: "{") || first == UInt8(ascii: "["),
            text.contains("\\u0000")
        {
            return "must not contain \\u0000 in JSON strings (it cannot be stored); got \(quoted: text)"
        }
        return nil
    }
}

/// Walks a message's text fields, nested messages, lists and maps, with the path so far.
struct TextVisitor: SwiftProtobuf.Visitor {
    struct Problem: Error {
        let path: String
        let rule: String
    }

    /// The messages entered so far: each with its type and the path that led to it.
    private var stack: [(type: any SwiftProtobuf.Message.Type, path: String)]

    init(root: any SwiftProtobuf.Message.Type) {
        stack = [(root, "")]
    }

    private func path(_ number: Int, index: String = "") -> String {
        let (type, prefix) = stack[stack.count - 1]
        let name = TextVisitor.protoName(of: number, in: type)
        return (prefix.isEmpty ? name : prefix + "." + name) + index
    }

    private func check(_ text: String, _ number: Int, index: String = "") throws {
        let type = stack[stack.count - 1].type
        if let rule = TextCheck.problem(in: text, name: { TextVisitor.protoName(of: number, in: type) }) {
            throw Problem(path: path(number, index: index), rule: rule)
        }
    }

    private mutating func enter<M: SwiftProtobuf.Message>(_ message: M, at path: String) throws {
        stack.append((M.self, path))
        try message.traverse(visitor: &self)
        stack.removeLast()
    }

    mutating func visitSingularStringField(value: String, fieldNumber: Int) throws { try check(value, fieldNumber) }

    mutating func visitRepeatedStringField(value: [String], fieldNumber: Int) throws {
        for (index, text) in value.enumerated() { try check(text, fieldNumber, index: "[\(index)]") }
    }

    mutating func visitSingularMessageField<M: SwiftProtobuf.Message>(value: M, fieldNumber: Int) throws {
        try enter(value, at: path(fieldNumber))
    }

    mutating func visitRepeatedMessageField<M: SwiftProtobuf.Message>(value: [M], fieldNumber: Int) throws {
        for (index, message) in value.enumerated() { try enter(message, at: path(fieldNumber, index: "[\(index)]")) }
    }

    mutating func visitMapField<KeyType, ValueType: MapValueType>(
        fieldType: _ProtobufMap<KeyType, ValueType>.Type, value: _ProtobufMap<KeyType, ValueType>.BaseType, fieldNumber: Int
    ) throws {
        for (key, item) in value {
            let index = "[\(key)]"
            if let key = key as? String { try check(key, fieldNumber, index: "[key]") }
            if let item = item as? String { try check(item, fieldNumber, index: index) }
        }
    }

    mutating func visitMapField<KeyType, ValueType>(
        fieldType: _ProtobufEnumMap<KeyType, ValueType>.Type, value: _ProtobufEnumMap<KeyType, ValueType>.BaseType, fieldNumber: Int
    ) throws where ValueType.RawValue == Int {
        for key in value.keys { if let key = key as? String { try check(key, fieldNumber, index: "[key]") } }
    }

    mutating func visitMapField<KeyType, ValueType>(
        fieldType: _ProtobufMessageMap<KeyType, ValueType>.Type, value: _ProtobufMessageMap<KeyType, ValueType>.BaseType, fieldNumber: Int
    ) throws {
        for (key, item) in value {
            if let key = key as? String { try check(key, fieldNumber, index: "[key]") }
            try enter(item, at: path(fieldNumber, index: "[\(key)]"))
        }
    }

    // Nothing else holds text.
    mutating func visitSingularDoubleField(value: Double, fieldNumber: Int) throws {}
    mutating func visitSingularInt64Field(value: Int64, fieldNumber: Int) throws {}
    mutating func visitSingularUInt64Field(value: UInt64, fieldNumber: Int) throws {}
    mutating func visitSingularBoolField(value: Bool, fieldNumber: Int) throws {}
    mutating func visitSingularBytesField(value: Data, fieldNumber: Int) throws {}
    mutating func visitSingularEnumField<E: SwiftProtobuf.Enum>(value: E, fieldNumber: Int) throws {}
    mutating func visitUnknown(bytes: Data) throws {}

    /// A field's name in the .proto, looked up only to name a problem or a document field.
    static func protoName(of number: Int, in type: any SwiftProtobuf.Message.Type) -> String {
        guard let named = type as? any (SwiftProtobuf.Message & SwiftProtobuf._ProtoNameProviding).Type else { return "field \(number)" }
        return protoName(of: number, named: named)
    }

    private static func protoName<M: SwiftProtobuf.Message & SwiftProtobuf._ProtoNameProviding>(of number: Int, named: M.Type) -> String {
        (try? Google_Protobuf_FieldMask(fieldNumbers: [number], of: M.self))?.paths.first ?? "field \(number)"
    }
}
