import Foundation
import ServiceKit

/// A worksheet part (xl/worksheets/sheetN.xml) read as events into rows. A sheet stores only the
/// cells that hold something, each with its reference ("C5"), so every value is put at the column
/// of its reference and every row keeps its number in the sheet.
enum XLSXSheet {
    struct Row: Sendable {
        let number: Int
        let cells: [String]
    }

    /// Rows with at least one value, in sheet order; cells after a row's last value are left off.
    static func read(_ data: Data, part: String, name: String, strings: [String], formats: XLSXCellFormats) throws -> [Row] {
        var rows: [Row] = []
        var problem: String?
        var rowNumber = 0
        var cells: [String] = []
        var cell: (reference: String, column: Int, type: String, style: Int)?
        var nextColumn = 0
        var value = ""
        var inValue = false
        var inline: XLSXStringItem?
        try XMLEvents.parse(
            data, part: part, name: name,
            start: { element, attributes in
                switch element {
                case "row":
                    rowNumber = attributes["r"].flatMap { Int($0) } ?? rowNumber + 1
                    cells = []
                    nextColumn = 0
                case "c":
                    let reference = attributes["r"] ?? ""
                    cell = (reference, columnIndex(reference) ?? nextColumn, attributes["t"] ?? "n", attributes["s"].flatMap { Int($0) } ?? 0)
                    value = ""
                    inline = nil
                case "v" where cell != nil: inValue = true
                case "is" where cell != nil: inline = XLSXStringItem()
                default: inline?.start(element)
                }
            },
            text: { string in
                if inValue { value += string } else { inline?.characters(string) }
            },
            end: { element in
                switch element {
                case "v": inValue = false
                case "c":
                    guard let done = cell else { return }
                    cell = nil
                    nextColumn = done.column + 1
                    guard let text = cellText(type: done.type, value: value, inline: inline, style: done.style, strings: strings, formats: formats)
                    else {
                        problem = problem ?? "cell \(done.reference) refers to shared string \(value), which the workbook does not have"
                        return
                    }
                    guard !text.isEmpty else { return }
                    if cells.count <= done.column { cells += repeatElement("", count: done.column + 1 - cells.count) }
                    cells[done.column] = text
                case "row":
                    if !cells.isEmpty { rows.append(Row(number: rowNumber, cells: cells)) }
                default: inline?.end(element)
                }
            })
        if let problem { throw ImportError("\(name) is a damaged workbook: \(problem); open it in Excel or WPS and save it again") }
        return rows
    }

    /// "C5" → 2; nil for a reference without column letters or past Excel's last column, XFD.
    static func columnIndex(_ reference: String) -> Int? {
        var index = 0
        var letters = 0
        for character in reference {
            guard character.isLetter, let ascii = character.asciiValue else { break }
            index = index * 26 + Int(ascii & ~0x20) - 64  // A or a → 1
            letters += 1
        }
        guard letters > 0, letters <= 3, index <= 16_384 else { return nil }
        return index - 1
    }

    /// The text of one cell by its type (`t`); nil when a shared string index points nowhere.
    static func cellText(type: String, value: String, inline: XLSXStringItem?, style: Int, strings: [String], formats: XLSXCellFormats) -> String? {
        switch type {
        case "s":
            guard !value.isEmpty else { return "" }
            guard let index = Int(value.trimmedBlanks), strings.indices.contains(index) else { return nil }
            return strings[index]
        case "inlineStr": return inline?.decoded ?? value
        case "str", "e": return value  // a formula's cached text, or an error such as #N/A kept for the row's report
        case "b": return value.isEmpty ? "" : (value == "1" || value.lowercased() == "true" ? "TRUE" : "FALSE")
        case "d": return value.isEmpty ? "" : XLSXCellFormats.isoDateText(value)
        default:
            guard !value.isEmpty else { return "" }  // a formula never calculated (openpyxl writes those) has no value
            if formats.isDate(style: style), let serial = Double(value), let date = formats.dateText(serial: serial) { return date }
            return XLSXCellFormats.numberText(value)
        }
    }
}
