import Foundation
import ZIPFoundation

/// The first worksheet of an Excel workbook (.xlsx, .xlsm, as Excel, WPS and most exports write
/// it), row by row like CSVReader: each row's cells as the text a person sees, and `line` the
/// row's number in the sheet, so an error report points at the row Excel shows. Rows without any
/// value are skipped (Excel keeps formatted empty rows in the file); numbering is not changed.
public struct XLSXReader: Sequence, IteratorProtocol, Sendable {
    private let rows: [XLSXSheet.Row]
    private var position = 0
    /// 1-based sheet row of the row last returned.
    public private(set) var line = 0

    /// Rows after the first (the header row), for progress.
    public var dataRowCount: Int { Swift.max(0, rows.count - 1) }

    /// `name` (the file's path) is only for messages.
    public init(data: Data, name: String = "the workbook") throws {
        if Self.isOLE(data) { throw ImportError(Self.oleProblem(data, name: name)) }
        guard Self.isZIP(data) else { throw ImportError("\(name) is not an Excel workbook (.xlsx): save it as .xlsx or CSV UTF-8") }
        let archive: Archive
        do { archive = try Archive(data: data, accessMode: .read) } catch {
            throw ImportError("\(name) is a damaged workbook (its ZIP cannot be read): open it in Excel or WPS and save it again")
        }
        let parts = try XLSXParts(archive: archive, name: name)
        // Both parts are optional: a workbook with only numbers or inline strings may have neither.
        let strings =
            try Self.extract(parts.sharedStrings, from: archive, name: name).map {
                try XLSXSharedStrings.read($0, part: parts.sharedStrings, name: name)
            } ?? []
        let formats =
            try Self.extract(parts.styles, from: archive, name: name).map {
                try XLSXCellFormats.read($0, part: parts.styles, name: name, date1904: parts.date1904)
            } ?? XLSXCellFormats(date1904: parts.date1904)
        guard let sheet = try Self.extract(parts.sheet, from: archive, name: name) else {
            throw ImportError("\(name) has no worksheet \(parts.sheet)")
        }
        rows = try XLSXSheet.read(sheet, part: parts.sheet, name: name, strings: strings, formats: formats)
    }

    public mutating func next() -> [String]? {
        guard position < rows.count else { return nil }
        defer { position += 1 }
        line = rows[position].number
        return rows[position].cells
    }

    /// An .xlsx is a ZIP: it starts with a local file header.
    static func isZIP(_ data: Data) -> Bool { data.starts(with: [0x50, 0x4B, 0x03, 0x04]) }

    /// An OLE compound file: an Excel 97–2003 .xls, or an .xlsx that was saved with a password.
    static func isOLE(_ data: Data) -> Bool { data.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) }

    private static func oleProblem(_ data: Data, name: String) -> String {
        // Excel encrypts a password-protected workbook into an OLE file with an "EncryptedPackage"
        // stream (its directory names are UTF-16LE); any other OLE spreadsheet is the old format.
        let encrypted = Data("EncryptedPackage".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        if data.range(of: encrypted) != nil {
            return "\(name) is a password-protected workbook: Excel stores it encrypted in an OLE file, not as an .xlsx "
                + "ZIP, so it cannot be read; remove the password (文件 → 信息 → 保护工作簿 → 用密码进行加密, clear it), "
                + "save it and import again"
        }
        return "\(name) is an Excel 97–2003 workbook (.xls): open it in Excel or WPS and save it as .xlsx or CSV UTF-8"
    }

    /// Guards memory against a damaged or hostile file whose part inflates far beyond any sheet.
    static let maximumPartSize = 1 << 30

    /// A part's bytes, nil when the package has no such part.
    static func extract(_ path: String, from archive: Archive, name: String) throws -> Data? {
        guard let entry = archive[path] else { return nil }
        var data = Data()
        do {
            _ = try archive.extract(entry) { chunk in
                guard data.count + chunk.count <= maximumPartSize else {
                    throw ImportError("\(name): \(path) unpacks to more than 1 GiB; split the sheet or save it as CSV UTF-8")
                }
                data.append(chunk)
            }
        } catch let error as ImportError {
            throw error
        } catch {
            throw ImportError("\(name) is a damaged workbook: \(path) cannot be unpacked (\(error)); open it in Excel or WPS and save it again")
        }
        return data
    }
}

/// Where the workbook keeps what the reader needs, found as Excel finds it: the sheets in tab
/// order in xl/workbook.xml, each pointing through xl/_rels/workbook.xml.rels at its part (whose
/// file name says nothing about the order), and the shared strings and styles from the same list.
struct XLSXParts {
    var sheet = "xl/worksheets/sheet1.xml"
    var sharedStrings = "xl/sharedStrings.xml"
    var styles = "xl/styles.xml"
    var date1904 = false

    init(archive: Archive, name: String) throws {
        guard let workbook = try XLSXReader.extract("xl/workbook.xml", from: archive, name: name) else {
            // A minimal writer may leave out the workbook; a sheet at the usual place is still readable.
            guard archive["xl/worksheets/sheet1.xml"] == nil else { return }
            throw ImportError(Self.notAWorkbook(archive, name: name))
        }
        var sheets: [(relationship: String, hidden: Bool)] = []
        var date1904 = false
        try XMLEvents.parse(
            workbook, part: "xl/workbook.xml", name: name,
            start: { element, attributes in
                switch element {
                case "workbookPr": date1904 = ["1", "true"].contains(attributes["date1904"] ?? "")
                case "sheet":  // state is visible, hidden or veryHidden
                    guard let id = XMLEvents.attribute("id", in: attributes) else { return }
                    sheets.append((id, attributes["state"].map { $0 != "visible" } ?? false))
                default: break
                }
            })
        self.date1904 = date1904
        var targets: [String: (type: String, path: String)] = [:]
        let relsPath = "xl/_rels/workbook.xml.rels"
        if let rels = try XLSXReader.extract(relsPath, from: archive, name: name) {
            try XMLEvents.parse(
                rels, part: relsPath, name: name,
                start: { element, attributes in
                    guard element == "Relationship", let id = attributes["Id"], let target = attributes["Target"] else { return }
                    targets[id] = (attributes["Type"] ?? "", Self.resolve(target))
                })
        }
        func path(ofType suffix: String) -> String? { targets.values.first { $0.type.hasSuffix(suffix) }?.path }
        sharedStrings = path(ofType: "/sharedStrings") ?? sharedStrings
        styles = path(ofType: "/styles") ?? styles
        // The first visible worksheet, as Excel opens on it (a hidden first sheet is often a lookup
        // list for drop-downs); chart sheets have no cells.
        let worksheets: [(path: String, hidden: Bool)] = sheets.compactMap { sheet in
            guard let part = targets[sheet.relationship], part.type.hasSuffix("/worksheet"), archive[part.path] != nil else { return nil }
            return (part.path, sheet.hidden)
        }
        if let first = worksheets.first(where: { !$0.hidden }) ?? worksheets.first {
            sheet = first.path
        } else if archive[sheet] == nil {
            throw ImportError("\(name) has no worksheet: add the leads on a sheet (not a chart sheet) and save it again")
        }
    }

    /// A relationship target, relative to xl/ or absolute in the package, as a ZIP entry path.
    static func resolve(_ target: String) -> String {
        if target.hasPrefix("/") { return String(target.dropFirst()) }
        var parts = ["xl"]
        for piece in target.split(separator: "/") {
            if piece == ".." { _ = parts.popLast() } else if piece != "." { parts.append(String(piece)) }
        }
        return parts.joined(separator: "/")
    }

    /// A ZIP that is not an .xlsx: say what it is when that is clear.
    private static func notAWorkbook(_ archive: Archive, name: String) -> String {
        if archive["xl/workbook.bin"] != nil {
            return "\(name) is a binary Excel workbook (.xlsb): save it as .xlsx or CSV UTF-8"
        }
        if archive["content.xml"] != nil, archive["mimetype"] != nil {
            return "\(name) is an OpenDocument spreadsheet (.ods): save it as .xlsx or CSV UTF-8"
        }
        return "\(name) is a ZIP file but not an Excel workbook (it has no xl/workbook.xml): save the sheet as .xlsx or CSV UTF-8"
    }
}
