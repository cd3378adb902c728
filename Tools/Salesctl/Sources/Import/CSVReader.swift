import Foundation

/// RFC 4180 CSV as spreadsheets write it: quoted fields with doubled quotes, commas and line
/// breaks inside quotes, CRLF or LF, a UTF-8 byte-order mark. Reads row by row, so a large file
/// is never held as rows in memory.
public struct CSVReader: Sequence, IteratorProtocol, Sendable {
    private var scalars: String.UnicodeScalarView.Iterator
    private var pending: Unicode.Scalar?
    private var finished = false
    /// 1-based line of the file where the row last returned started.
    public private(set) var line = 0
    private var nextLine = 1

    public init(text: String) {
        var view = text.unicodeScalars.makeIterator()
        pending = view.next()
        if pending == "\u{FEFF}" { pending = view.next() }
        scalars = view
    }

    public mutating func next() -> [String]? {
        guard !finished else { return nil }
        guard pending != nil else { finished = true; return nil }
        line = nextLine
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var quoted = false
        while let scalar = pending {
            pending = scalars.next()
            if quoted {
                if scalar == "\"" {
                    if pending == "\"" { field.append("\""); pending = scalars.next() } else { quoted = false }
                } else {
                    if scalar == "\n" { nextLine += 1 }
                    field.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty:
                quoted = true
            case ",":
                fields.append(String(field))
                field = String.UnicodeScalarView()
            case "\r" where pending == "\n":
                continue
            case "\n", "\r":
                nextLine += 1
                fields.append(String(field))
                return fields
            default:
                field.append(scalar)
            }
        }
        fields.append(String(field))
        finished = true
        return fields.count == 1 && fields[0].isEmpty ? nil : fields
    }
}
