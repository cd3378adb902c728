import Foundation
import SalesControl
import TestSupport
import Testing

/// The .xlsx side of `salesctl import leads` on the workbooks in Fixtures/import (made by
/// make_fixtures.py there): each cell as the text a person sees in Excel, at its column, with the
/// row's number in the sheet; and the files it must refuse with a message saying what to do.
@Suite struct XLSXReaderTests {
    static let folder = Fixtures.folder.appendingPathComponent("import")

    static func fixture(_ name: String) throws -> Data {
        let path = folder.appendingPathComponent(name).path
        return try #require(FileManager.default.contents(atPath: path), "\(path) is missing; Fixtures/import/make_fixtures.py writes it")
    }

    static func rows(_ name: String) throws -> (lines: [Int], cells: [[String]]) {
        var reader = try XLSXReader(data: fixture(name), name: name)
        var lines: [Int] = []
        var cells: [[String]] = []
        while let row = reader.next() {
            lines.append(reader.line)
            cells.append(row)
        }
        return (lines, cells)
    }

    static func refusal(_ name: String) throws -> String {
        let data = try fixture(name)
        return try #require(throws: ImportError.self) { try XLSXReader(data: data, name: name) }.description
    }

    @Test func readsWhatOpenpyxlWrites() throws {
        let (lines, cells) = try Self.rows("leads-openpyxl.xlsx")
        #expect(lines == [1, 2, 4, 5, 6], "row 3 has only a styled empty cell; the numbers stay the sheet's")
        #expect(
            cells == [
                ["姓名", "手机", "公司", "渠道", "城市", "核心需求", "下次联系时间", "微信号"],
                ["王建国", "13816622001", "上海瑞金医院", "官网表单", "上海", "腔镜两套", "2026-12-01", "wx1"],
                ["周晓梅", "1381662", "上海仁济医院", "展会", "上海", "超声刀耗材", "2026-12-02", "wx2"],
                ["吴海", "13916622003", "", "抖音", "上海", "制氧机", "", "wx3"],
                ["孙莉", "15026622005", "", "美团", "上海", "验光, 套餐", "2026-12-04"],  // H6: a formula never calculated
            ])
    }

    @Test func readsWhatExcelWrites() throws {
        let (lines, cells) = try Self.rows("leads-excel.xlsx")
        #expect(lines == [1, 2, 5, 7, 8])
        #expect(
            cells == [
                ["姓名", "公司", "手机", "统一社会信用代码", "城市", "咨询内容", "下次联系时间", "预算", "是否老客户", "备注"],
                // phonetic guide left out, rich-text runs joined, a cached formula result, a boolean
                ["王建国", "上海瑞金医院", "13816621001", "91350100M000100Y43", "上海", "腔镜 两套", "2026-12-01", "120000.5", "TRUE", "上海-腔镜"],
                // 1.381662E6 as typed; _x000D_ decoded; a date-time; 0" days" is no date; #N/A kept for the report
                ["周晓梅", "", "1381662", "", "上海", "第一行\r\n第二行", "2026-12-02 14:30:00", "3", "FALSE", "#N/A"],
                // the phone in exponent form; entities; m"月"d"日" (built-in 58) a date; h:mm a time of day
                ["吴海", "", "13916621003", "", "", "R&D 部门 <试用>", "2026-12-03", "13:30:00", "", "_x0041_ 原样"],
                // cells without references follow one another; numbers at Excel's 15 digits
                ["无坐标", "42", "0.3"],
            ])
    }

    @Test func readsThe1904DateSystemAndPrefixedXML() throws {
        let (lines, cells) = try Self.rows("leads-1904.xlsx")
        #expect(lines == [1, 2, 3])
        #expect(
            cells == [
                ["姓名", "手机", "下次联系时间", "登记时间"],
                ["王建国", "13816621001", "2026-12-01", "2026-12-05 09:15:00"],
                ["李娜", "15026621005", "2026-12-06", "2026-12-07"],
            ])
    }

    @Test func readsASheetPartOverTenMegabytes() throws {
        // libxml2 refuses a document over 10 MB handed to it in one piece: the reader streams it.
        var reader = try XLSXReader(data: Self.fixture("large-sheet.xlsx"), name: "large-sheet.xlsx")
        #expect(reader.dataRowCount == 100_000)
        #expect(reader.next() == ["姓名", "手机"])
        var last: [String]?
        while let row = reader.next() { last = row }
        #expect(reader.line == 100_001, "rows without a number follow one another")
        #expect(last == ["王建国王建国王建国王建国王建国", "13800138000"])
    }

    @Test func countsTheRowsAfterTheHeaderForProgress() throws {
        #expect(try XLSXReader(data: Self.fixture("leads-openpyxl.xlsx")).dataRowCount == 4)
    }

    @Test func refusesWhatIsNotAnXLSXSayingWhatToDo() throws {
        let legacy = try Self.refusal("legacy.xls")
        #expect(legacy.contains("Excel 97–2003") && legacy.contains("save it as .xlsx or CSV UTF-8"), "\(legacy)")
        let encrypted = try Self.refusal("encrypted.xlsx")
        #expect(encrypted.contains("password-protected") && encrypted.contains("OLE"), "\(encrypted)")
        let zip = try Self.refusal("not-a-workbook.xlsx")
        #expect(zip.contains("not an Excel workbook"), "\(zip)")
        let empty = try Self.refusal("no-sheet.xlsx")
        #expect(empty.contains("has no worksheet"), "\(empty)")
        let text = try #require(throws: ImportError.self) { try XLSXReader(data: Data("姓名,手机\n".utf8), name: "a.csv") }
        #expect(text.description.contains("not an Excel workbook"))
        let truncated = try Self.fixture("leads-excel.xlsx").prefix(1500)
        let damaged = try #require(throws: ImportError.self) { try XLSXReader(data: Data(truncated), name: "cut.xlsx") }
        #expect(damaged.description.contains("damaged"), "\(damaged)")
    }

    @Test func importFilesAreReadByContent() throws {
        var workbook = try SheetRows(data: Self.fixture("leads-openpyxl.xlsx"), name: "leads.csv")
        #expect(workbook.next()?.first == "姓名")
        #expect(workbook.next()?.first == "王建国")
        #expect(workbook.line == 2)
        #expect(workbook.next()?.first == "周晓梅")
        #expect(workbook.line == 4)
        #expect(workbook.dataRowCount == 4)

        var csv = try SheetRows(data: Data("姓名,手机\r\n王建国,13816620001\r\n".utf8), name: "leads.xlsx")
        #expect(csv.next() == ["姓名", "手机"])
        #expect(csv.next() == ["王建国", "13816620001"])
        #expect(csv.line == 2)
        #expect(csv.dataRowCount == 1)

        let gbk = Data([0xD0, 0xD5, 0xC3, 0xFB, 0x2C, 0xCA, 0xD6, 0xBB, 0xFA, 0x0A])  // 姓名,手机 in GBK, as Excel's plain CSV in China
        let refused = try #require(throws: ImportError.self) { try SheetRows(data: gbk, name: "gbk.csv") }
        #expect(refused.description.contains("CSV UTF-8"))
        let old = try Self.fixture("legacy.xls")
        let legacy = try #require(throws: ImportError.self) { try SheetRows(data: old, name: "old.xls") }
        #expect(legacy.description.contains(".xls"))
    }
}
