import Foundation
import SalesProto
import SwiftProtobuf
import Testing

@testable import SalesControl

/// A deal-history file to the deals it sends: a deal's rows gathered wherever they stand, times
/// in Shanghai unless they carry an offset, and a deal with a row the tool cannot read refused
/// whole at that row while the others go on.
@Suite struct HistoryImportTests {
    static func read(_ text: String) throws -> HistoryImport.Sheet {
        var rows = try SheetRows(data: Data(text.utf8), name: "history.csv")
        return try HistoryImport(port: 1, token: "").read(&rows, name: "history.csv")
    }

    @Test func twoDealsInterleavedBecomeTheirEventsAndOutcomes() throws {
        let sheet = try Self.read(
            """
            Deal_ID,Event,At,Value,Expected_Close,Owner,Team,Amount,product_line
            D1,created,2025-01-06 09:30,,,li.na,/east/hz,"12,000.50",ERP
            D2,created,2025-02-01,,,wang.wei,/south,800,
            D1,stage,2025-01-10,方案报价,,,,,
            D2,behaviour,2025-02-03T10:00:00+08:00,asked_for_contract,,,,,
            D1,rep_entry,2025-01-12 18:00,60,2025-03-31,,,,
            D1,won,2025-03-20,,,,,,
            D2,lost,2025-03-01,,,,,,
            """)
        #expect(sheet.refused.isEmpty, "\(sheet.refused)")
        #expect(sheet.rows == 7)
        #expect(sheet.deals.map(\.message.externalID) == ["D1", "D2"])
        #expect(sheet.deals.map(\.message.line) == [2, 3], "a deal's line is its first row's")

        let d1 = try #require(sheet.deals.first).message
        #expect(d1.ownerID == "li.na" && d1.team == "/east/hz")
        #expect(d1.amount.minorUnits == 1_200_050 && d1.amount.currency == "CNY")
        #expect(d1.dimensions == ["product_line": "ERP"])
        #expect(d1.createdAt.seconds == 1_736_127_000, "09:30 in Shanghai")
        let rep = Sales_Forecasting_V1_RepEntry.with {
            $0.probabilityPercent = 60
            $0.expectedClose = Google_Protobuf_Timestamp(seconds: 1_743_393_600)
        }
        #expect(d1.events.compactMap(\.kind) == [.stage("方案报价"), .repEntry(rep)])
        #expect(d1.events.map(\.at.seconds) == [1_736_481_600, 1_736_676_000], "a day alone is its noon")
        #expect(d1.outcome == .won && d1.closedAt.seconds == 1_742_443_200)

        let d2 = sheet.deals[1].message
        #expect(d2.ownerID == "wang.wei" && d2.amount.minorUnits == 80_000 && d2.dimensions.isEmpty)
        #expect(d2.events.compactMap(\.kind) == [.behaviour("asked_for_contract")])
        #expect(d2.events.map(\.at.seconds) == [1_738_548_000], "an RFC 3339 offset is kept")
        #expect(d2.outcome == .lost && d2.closedAt.seconds == 1_740_801_600)
    }

    @Test func aDealWithABadRowIsRefusedWholeAtThatRow() throws {
        let sheet = try Self.read(
            """
            deal_id,event,at,value
            D1,created,2025-01-06,
            D2,created,2025-01-07,
            D1,stage,2025-02-30,谈判
            D1,won,2025-03-01,
            ,stage,2025-01-08,谈判
            D3,created,2025-01-09,
            D3,signed,2025-01-10,
            D2,won,2025-03-01,
            D4,stage,2025-01-11,谈判
            """)
        #expect(sheet.deals.map(\.message.externalID) == ["D2"])
        #expect(sheet.deals.first?.message.outcome == .won)
        // D1's bad date, the row without a deal id, D3's unknown event word, D4 without a created row.
        #expect(sheet.refused.map(\.line) == [4, 6, 8, 10])
        #expect(sheet.refused.map(\.column) == ["at", "deal_id", "event", "deal_id"])
        #expect(sheet.refused.first?.value == "2025-02-30")
    }

    @Test func chineseHeadersAndEventWordsRead() throws {
        let sheet = try Self.read(
            """
            商机编号,事件,时间,值,预计成交,负责人,区域,行业,金额,币种,产品线
            C1,创建,2025-04-01 10:00,,,zhang.san,华东,制造,"¥5,000",usd,CRM
            C1,阶段,2025-04-03,需求确认,,,,,,,
            C1,外部信号,2025-04-04,tender_notice,,,,,,,
            C1,销售填报,2025-04-05,40%,2025-06-30,,,,,,
            C1,输单,2025-05-01,,,,,,,,
            """)
        #expect(sheet.refused.isEmpty, "\(sheet.refused)")
        let c1 = try #require(sheet.deals.first).message
        #expect(c1.externalID == "C1" && c1.ownerID == "zhang.san" && c1.region == "华东" && c1.industry == "制造")
        #expect(c1.amount.minorUnits == 500_000 && c1.amount.currency == "USD")
        #expect(c1.dimensions == ["产品线": "CRM"])
        #expect(c1.createdAt.seconds == 1_743_472_800)
        #expect(c1.events.map(\.stage) == ["需求确认", "", ""])
        #expect(c1.events.map(\.external) == ["", "tender_notice", ""])
        #expect(c1.events.last?.repEntry.probabilityPercent == 40)
        #expect(c1.events.last?.repEntry.expectedClose.seconds == 1_751_256_000)
        #expect(c1.outcome == .lost && c1.closedAt.seconds == 1_746_072_000)
    }
}
