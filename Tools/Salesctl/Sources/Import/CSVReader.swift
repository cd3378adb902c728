import Foundation

/// RFC 4180 CSV as spreadsheets write it: quoted fields with doubled quotes, commas and line
/// breaks inside quotes, CRLF or LF, a UTF-8 byte-order mark. Reads row by row, so a large file
/// is never held as rows in memory.
///
/// It reads the text's UTF-8 bytes: every character that means something in CSV is ASCII, and no
/// byte of a multi-byte character is, so a field's bytes are copied whole. Appending scalar by
/// scalar took most of the time a large file spent in salesctl.
public struct CSVReader: Sequence, IteratorProtocol, Sendable {
    private let bytes: [UInt8]
    private var position: Int
    /// 1-based line of the file where the row last returned started.
    public private(set) var line = 0
    private var nextLine = 1

    private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")

    public init(text: String) {
        bytes = Array(text.utf8)
        position = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    public mutating func next() -> [String]? {
        guard position < bytes.count else { return nil }
        line = nextLine
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            let following: UInt8? = position < bytes.count ? bytes[position] : nil
            if quoted {
                if byte == Self.quote {
                    if following == Self.quote {
                        field.append(Self.quote)
                        position += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if byte == Self.lf { nextLine += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case Self.quote where field.isEmpty:
                quoted = true
            case Self.comma:
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
            case Self.cr where following == Self.lf:
                continue
            case Self.lf, Self.cr:
                nextLine += 1
                fields.append(String(decoding: field, as: UTF8.self))
                return fields
            default:
                field.append(byte)
            }
        }
        fields.append(String(decoding: field, as: UTF8.self))
        return fields.count == 1 && fields[0].isEmpty ? nil : fields
    }
}
