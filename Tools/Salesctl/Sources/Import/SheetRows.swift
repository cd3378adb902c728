import Foundation
import ServiceKit

/// The rows of an import file, CSV or XLSX, told apart by content rather than by extension (a
/// workbook renamed .csv, or a CSV saved as .xlsx by a careless export, still reads right).
/// `line` is where the row last returned is: the file's line for CSV, the sheet's row for XLSX.
public enum SheetRows: Sequence, IteratorProtocol, Sendable {
    case csv(CSVReader, dataRows: Int)
    case xlsx(XLSXReader)

    /// `name` (the file's path) is only for messages.
    public init(data: Data, name: String) throws {
        // An OLE file is an .xls or a password-protected .xlsx: the XLSX reader says which.
        if XLSXReader.isZIP(data) || XLSXReader.isOLE(data) {
            self = .xlsx(try XLSXReader(data: data, name: name))
            return
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ImportError("\(name) is not UTF-8 text: save the sheet as \"CSV UTF-8\" or as .xlsx")
        }
        // Line feeds counted in bytes (a CRLF holds one): by Character, the whole file went through
        // grapheme breaking once more just for the progress count.
        let lines = text.utf8.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        self = .csv(CSVReader(text: text), dataRows: Swift.max(0, lines - 1))
    }

    /// Rows after the header, for progress.
    public var dataRowCount: Int {
        switch self {
        case .csv(_, let dataRows): dataRows
        case .xlsx(let reader): reader.dataRowCount
        }
    }

    public var line: Int {
        switch self {
        case .csv(let reader, _): reader.line
        case .xlsx(let reader): reader.line
        }
    }

    public mutating func next() -> [String]? {
        switch self {
        case .csv(var reader, let dataRows):
            defer { self = .csv(reader, dataRows: dataRows) }
            return reader.next()
        case .xlsx(var reader):
            defer { self = .xlsx(reader) }
            return reader.next()
        }
    }
}

extension [String] {
    /// A row with nothing in any cell (a spacer a sheet keeps): skipped, neither sent nor refused.
    var isBlankRow: Bool { allSatisfy { $0.trimmedBlanks.isEmpty } }
}
