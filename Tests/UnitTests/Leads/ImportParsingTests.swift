import SalesControl
import SalesProto
import SwiftProtobuf
import Testing

@Suite struct ImportParsingTests {
    @Test func readsWhatSpreadsheetsWrite() {
        let text = "\u{FEFF}姓名,手机,备注\r\n王建国,13816620001,\"询价, 两套\"\r\n\"李\"\"娜\",13816620002,\"第一行\n第二行\"\n\n张伟,13816620003,"
        var reader = CSVReader(text: text)
        #expect(reader.next() == ["姓名", "手机", "备注"])
        #expect(reader.next() == ["王建国", "13816620001", "询价, 两套"])
        #expect(reader.line == 2)
        #expect(reader.next() == ["李\"娜", "13816620002", "第一行\n第二行"])
        #expect(reader.next() == [""])
        #expect(reader.next() == ["张伟", "13816620003", ""])
        #expect(reader.line == 6)
        #expect(reader.next() == nil)
    }

    @Test func mapsChineseAndEnglishHeadersAndTenantFields() {
        let field = Sales_Common_V1_FieldDefinition.with {
            $0.key = "bed_count"; $0.label = "床位数"; $0.type = .number
        }
        let columns = LeadColumns(headers: ["联系人", "Mobile", "公司名称", "床位数", "微信号"], fields: [field])
        #expect(columns.targets[0] == .contactName)
        #expect(columns.targets[1] == .phone)
        #expect(columns.targets[2] == .companyName)
        #expect(columns.targets[3] == .custom(key: "bed_count", type: .number))
        #expect(columns.ignored == ["微信号"])
        #expect(columns.column(for: "phone") == "Mobile")
        #expect(columns.column(for: "custom_fields.bed_count") == "床位数")
        #expect(!columns.missesContactAndKey)
        #expect(LeadColumns(headers: ["公司"], fields: []).missesContactAndKey)
    }
}
