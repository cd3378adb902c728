import Foundation
import SalesProto
import SwiftProtobuf
import Testing

@testable import SalesControl

/// One row of an opportunities sheet to an import request: each cell the importer cannot take is
/// refused with its column, value, reason and a suggestion; dates become the deal's history.
@Suite struct ImportRowTests {
    static let headers = ["opportunity_id", "sales_agent", "product", "account", "deal_stage", "engage_date", "close_date", "close_value"]

    static let pipeline = Sales_Opportunities_V1_Pipeline.with {
        $0.name = "hardware"
        $0.stages = [("Prospecting", Sales_Opportunities_V1_StageOutcome.open), ("Engaging", .open), ("Won", .won), ("Lost", .lost)].map {
            key, outcome in
            .with {
                $0.key = key
                $0.outcome = outcome
            }
        }
    }

    static func importer() throws -> OpportunityImport {
        var importer = OpportunityImport(port: 1, token: "")
        importer.teams = try TeamDirectory(rows: [["sales_agent", "manager", "regional_office"], ["Anna Snelling", "Dustin Brinkmann", "Central"]])
        importer.products = try ProductPrices(rows: [["product", "sales_price"], ["GTX Pro", "4821"], ["MG Special", "55"]])
        return importer
    }

    static func request(_ cells: [String]) throws -> Result<Sales_Opportunities_V1_ImportOpportunityRequest, RowProblem> {
        var row = ImportRow(line: 7, row: cells, columns: OpportunityColumns(headers: headers), timeZone: TimeZone(identifier: "Asia/Shanghai")!)
        do {
            return .success(
                try row.request(using: try importer(), stages: StageResolver(pipeline: pipeline, map: [:]), pipeline: "hardware", source: "t"))
        } catch let problem as RowProblem {
            return .failure(problem)
        }
    }

    @Test func aWonRowBecomesItsHistoryWithItsOwnerAndAmount() throws {
        let request = try Self.request(["X1", "Anna Snelling", "GTXPro", "Cancity", "Won", "2016-10-20", "2017-03-01", "1054"]).get()
        #expect(request.opportunity.ownerID == "anna.snelling" && request.opportunity.ownerOrgPath == "/central/dustin-brinkmann")
        #expect(request.opportunity.name == "GTX Pro · Cancity" && request.opportunity.amount.minorUnits == 105_400)
        #expect(request.history.map(\.toStage) == ["Engaging", "Won"])
        #expect(request.history.map(\.changedAt.seconds) == [1_476_936_000, 1_488_340_800], "noon in Shanghai on each day")
    }

    @Test func eachCellItCannotTakeIsRefusedWithASuggestion() throws {
        let cases: [([String], String, String)] = [
            (["X2", "Anna Snelling", "GTX Ultra", "Cancity", "Won", "2016-10-20", "2017-03-01", "10"], "product", "one of: GTX Pro, MG Special"),
            (
                ["X3", "Nobody Here", "GTX Pro", "Cancity", "Won", "2016-10-20", "2017-03-01", "10"], "sales_agent",
                "add Nobody Here to the teams sheet"
            ),
            (["X4", "Anna Snelling", "GTX Pro", "Cancity", "Won", "2016-10-20", "2017-02-30", "10"], "close_date", "write it as 2017-03-01"),
            (["X5", "Anna Snelling", "GTX Pro", "Cancity", "Negotiating", "2016-10-20", "", "10"], "deal_stage", "--stage-map"),
            (["X6", "Anna Snelling", "GTX Pro", "Cancity", "Won", "2016-10-20", "", "10"], "close_date", ""),
            (["X7", "Anna Snelling", "GTX Pro", "Cancity", "Won", "2016-10-20", "2017-03-01", "12abc"], "close_value", ""),
        ]
        for (cells, column, suggestion) in cases {
            guard case .failure(let problem) = try Self.request(cells) else {
                Issue.record("\(cells[0]) was taken")
                continue
            }
            #expect(problem.line == 7 && problem.column == column, "\(cells[0]): \(problem)")
            #expect(suggestion.isEmpty || problem.suggestion.contains(suggestion), "\(cells[0]): \(problem.suggestion)")
        }
    }
}
