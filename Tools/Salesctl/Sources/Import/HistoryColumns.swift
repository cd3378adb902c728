import Foundation
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The columns of a deal-history file: one row per event, a deal's rows sharing its id. What
/// describes the deal (owner, team, amount, ...) is read from its `created` row only.
enum HistoryColumn: String, SheetColumn {
    case dealID = "deal_id", event, at, value, expectedClose = "expected_close"
    case owner, team, region, segment, industry, source, amount, currency, customer = "customer_id"

    var names: [String] {
        switch self {
        case .dealID: ["deal_id", "商机编号"]
        case .event: ["event", "事件"]
        case .at: ["at", "时间"]
        case .value: ["value", "值"]
        case .expectedClose: ["expected_close", "预计成交"]
        case .owner: ["owner", "负责人"]
        case .team: ["team", "团队"]
        case .region: ["region", "区域"]
        case .segment: ["segment", "客户类型"]
        case .industry: ["industry", "行业"]
        case .source: ["source", "来源"]
        case .amount: ["amount", "金额"]
        case .currency: ["currency", "币种"]
        case .customer: ["customer_id", "客户编号"]
        }
    }

    static let required: [Self] = [.dealID, .event, .at]
}

/// What a row says happened, in English or Chinese.
enum HistoryEventWord: String, CaseIterable, Sendable {
    case created, stage, behaviour, external, repEntry = "rep_entry", won, lost

    static let chinese: [String: Self] = [
        "创建": .created, "阶段": .stage, "行为": .behaviour, "外部信号": .external, "销售填报": .repEntry, "赢单": .won, "输单": .lost,
    ]

    init?(_ text: String) {
        let word = text.lowercased()
        // The American spelling too.
        guard let read = Self(rawValue: word) ?? Self.chinese[text] ?? (word == "behavior" ? Self.behaviour : nil) else { return nil }
        self = read
    }
}

extension HistoryImport {
    /// Reads the whole file into deals, in the order their ids first appear: a deal's rows need not
    /// be adjacent, so no deal is complete before the last row. A deal with a row the tool cannot
    /// read is refused whole, naming that row (the first such), so nothing of it is half-imported;
    /// a row without a deal id is refused on its own, and a deal without a created row at its first.
    func read(_ reader: inout SheetRows, name: String) throws -> Sheet {
        guard let headers = reader.next() else { throw ImportError("\(name) is empty") }
        let index = HistoryColumn.locate(in: headers)
        let missing = HistoryColumn.required.filter { index[$0] == nil }
        guard missing.isEmpty else {
            throw ImportError("the header row needs \(missing.map(\.rawValue).joined(separator: ", ")); found: \(headers.joined(separator: ", "))")
        }
        // Headers no column knows (a repeated known one included) are the created row's dimensions.
        var dimensions: [(position: Int, key: String)] = []
        for (position, header) in headers.enumerated() {
            let key = header.trimmedBlanks
            if !key.isEmpty, !HistoryColumn.allCases.contains(where: { $0.names.contains(key.lowercased()) }) {
                dimensions.append((position, key))
            }
        }
        var sheet = Sheet(index: index)
        var found: [Deal] = []
        var byID: [String: Int] = [:]
        while let row = reader.next() {
            let line = reader.line
            if row.isBlankRow { continue }
            sheet.rows += 1
            let cell = { (column: HistoryColumn) in index.cell(column, in: row) }
            let id = cell(.dealID)
            guard !id.isEmpty else {
                sheet.refused.append(
                    RowProblem(line: line, column: "deal_id", value: "", reason: "is empty: every row needs its deal's id", suggestion: "fill it in"))
                continue
            }
            let at: Int
            if let seen = byID[id] {
                at = seen
            } else {
                at = found.count
                byID[id] = at
                found.append(Deal(id: id, line: line))
            }
            guard found[at].refusal == nil else { continue }
            do throws(RowProblem) {
                try add(Deal.Row(line: line, cells: row), cell, dimensions: dimensions, to: &found[at])
            } catch {
                found[at].refusal = error
            }
        }
        for deal in found {
            if let refusal = deal.refusal {
                sheet.refused.append(refusal)
            } else if deal.createdRow == nil {
                // The service needs what only a created row gives (owner, team, amount, start): it could only say "owner_id is required".
                sheet.refused.append(
                    RowProblem(
                        line: Int(deal.message.line), column: "deal_id", value: deal.message.externalID,
                        reason: "has no created row: it gives the deal's owner, team, amount and start",
                        suggestion: "add a row with event created (创建)"))
            } else {
                sheet.deals.append(deal)
            }
        }
        sheet.refused.sort { $0.line < $1.line }
        return sheet
    }

    /// One row into its deal: the created row describes it, won or lost closes it, the others are
    /// its events (in the file's order; the service orders them by time).
    private func add(
        _ row: Deal.Row, _ cell: (HistoryColumn) -> String, dimensions: [(position: Int, key: String)], to deal: inout Deal
    ) throws(RowProblem) {
        let line = row.line
        guard let event = HistoryEventWord(cell(.event)) else {
            throw RowProblem(
                line: line, column: "event", value: cell(.event), reason: "is not an event",
                suggestion: "one of created, stage, behaviour, external, rep_entry, won, lost (创建, 阶段, 行为, 外部信号, 销售填报, 赢单, 输单)")
        }
        let at = Google_Protobuf_Timestamp(date: try time(cell(.at), line: line, column: "at"))
        switch event {
        case .created:
            if let first = deal.createdRow {
                throw RowProblem(line: line, column: "event", value: cell(.event), reason: "a second created row (the first is line \(first.line))")
            }
            deal.message.createdAt = at
            deal.message.ownerID = cell(.owner)
            deal.message.team = cell(.team)
            deal.message.region = cell(.region)
            deal.message.segment = cell(.segment)
            deal.message.industry = cell(.industry)
            deal.message.source = cell(.source)
            deal.message.customerID = cell(.customer)
            if !cell(.amount).isEmpty {
                let currency = cell(.currency).isEmpty ? self.currency : cell(.currency).uppercased()
                deal.message.amount = .init(minorUnits: try yuan(cell(.amount), line: line), currency: currency)
            }
            for (position, key) in dimensions where position < row.cells.count {
                let value = row.cells[position].trimmedBlanks
                if !value.isEmpty { deal.message.dimensions[key] = value }
            }
            deal.createdRow = row
        case .won, .lost:
            if let first = deal.closedRow {
                throw RowProblem(line: line, column: "event", value: cell(.event), reason: "the deal is already closed on line \(first.line)")
            }
            deal.message.outcome = event == .won ? .won : .lost
            deal.message.closedAt = at
            deal.closedRow = row
        case .stage, .behaviour, .external, .repEntry:
            let value = cell(.value)
            guard !value.isEmpty else {
                let what = event == .stage ? "stage key" : event == .repEntry ? "probability in percent" : "signal key"
                throw RowProblem(line: line, column: "value", value: "", reason: "is empty: a \(event.rawValue) row needs its \(what)")
            }
            var entry = Sales_Forecasting_V1_HistoryEvent()
            entry.at = at
            switch event {
            case .stage: entry.stage = value
            case .behaviour: entry.behaviour = value
            case .external: entry.external = value
            default:
                // A sheet may write the percent sign; a fraction (0.6, a percent-formatted cell) is refused, not guessed.
                let digits = value.hasSuffix("%") ? String(value.dropLast()).trimmedBlanks : value
                guard let percent = Int32(digits), (0...100).contains(percent) else {
                    throw RowProblem(
                        line: line, column: "value", value: value, reason: "is not a probability in whole percent",
                        suggestion: "write 0 to 100, like 60")
                }
                var rep = Sales_Forecasting_V1_RepEntry()
                rep.probabilityPercent = percent
                if !cell(.expectedClose).isEmpty {
                    rep.expectedClose = Google_Protobuf_Timestamp(date: try time(cell(.expectedClose), line: line, column: "expected_close"))
                }
                entry.repEntry = rep
            }
            deal.message.events.append(entry)
            deal.eventRows.append(row)
        }
    }

    /// RFC 3339 with its offset, as the store-sales service reads sold_at; else a day or a time in
    /// `timeZone`, as the opportunity import reads its dates (a day alone is its noon). A clock with
    /// anything after it (an offset RFC 3339 did not take) is refused rather than read as local.
    private func time(_ text: String, line: Int, column: String) throws(RowProblem) -> Date {
        if let clock = text.split(separator: "T", maxSplits: 1).dropFirst().first,
            clock.last == "Z" || clock.contains(where: { $0 == "+" || $0 == "-" })
        {
            for style in [Date.ISO8601FormatStyle(), Date.ISO8601FormatStyle(includingFractionalSeconds: true)] {
                if let date = try? Date(text, strategy: style) { return date }
            }
        }
        let afterDay = text.split(whereSeparator: { $0 == " " || $0 == "T" }).dropFirst()
        if afterDay.allSatisfy({ part in part.allSatisfy { $0 == ":" || ($0.isASCII && $0.isNumber) } }),
            let date = ImportDates.parse(text, in: timeZone)
        {
            return date
        }
        throw RowProblem(
            line: line, column: column, value: text, reason: text.isEmpty ? "is empty: every row needs its time" : "is not a time",
            suggestion: "write it like 2026-03-05 14:30, 2026-03-05 or 2026-03-05T14:30:00+08:00")
    }

    private func yuan(_ text: String, line: Int) throws(RowProblem) -> Int64 {
        guard let fen = PaymentImport.fen(text) else {
            throw RowProblem(line: line, column: "amount", value: text, reason: "is not an amount in yuan", suggestion: "write it like 1234.56")
        }
        return fen
    }
}
