import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SalesProto
import ServiceKit
import SwiftProtobuf

/// `salesctl import history FILE`: closed and open deals with their timestamped history, CSV or
/// XLSX, one row per event (headers in English or Chinese), sent to the forecasting service's
/// StreamHistory in batches of up to 500 deals. A deal's rows may be anywhere in the file; they
/// are gathered into one HistoryDeal, so a deal is sent whole in one batch, as a receipt's lines
/// are. Deals are keyed by their id, so running the file again replaces what it imported; every
/// refused deal comes back with its line, column and why.
public struct HistoryImport: Sendable {
    public struct Report: Sendable {
        /// Data rows read, and the deals they made (a row without a deal id counts as one, refused).
        public var rows = 0
        public var deals = 0
        public var created = 0
        public var updated = 0
        public var unchanged = 0
        public var refused: [RowProblem] = []
    }

    /// A deal as the file has it: the message, and the rows its parts came from (a refusal from the
    /// service names the row it is about).
    struct Deal: Sendable {
        struct Row: Sendable {
            let line: Int
            let cells: [String]
        }

        var message = Sales_Forecasting_V1_HistoryDeal()
        var createdRow: Row?
        var closedRow: Row?
        /// eventRows[i] is where message.events[i] came from.
        var eventRows: [Row] = []
        /// The first row the tool could not read: the deal is refused whole.
        var refusal: RowProblem?

        init(id: String, line: Int) {
            message.externalID = id
            message.line = Int32(line)
        }
    }

    /// The file read: the deals to send in the order first seen, and what was refused before sending.
    struct Sheet {
        let index: [HistoryColumn: Int]
        var deals: [Deal] = []
        var refused: [RowProblem] = []
        var rows = 0
    }

    public let host: String
    public let port: Int
    public let token: String
    public var currency = "CNY"
    public var timeZone = TimeZone(identifier: "Asia/Shanghai")!
    /// Deals per streamed batch (the service takes at most 500).
    public var batchSize = 500

    public init(host: String = "127.0.0.1", port: Int, token: String) {
        self.host = host
        self.port = port
        self.token = token
    }

    /// `progress` is called with deals done, deals in the file and deals refused.
    public func run(file path: String, progress: @escaping @Sendable (Int, Int, Int) -> Void = { _, _, _ in }) async throws -> Report {
        guard let data = FileManager.default.contents(atPath: path) else { throw ImportError("cannot read \(path)") }
        var reader = try SheetRows(data: data, name: path)
        let sheet = try read(&reader, name: path)
        let total = sheet.deals.count + sheet.refused.count
        let authorization: Metadata = ["authorization": "Bearer \(token)"]
        return try await withGRPCClient(
            transport: .http2NIOPosix(target: .ipv4(address: host, port: port), transportSecurity: .plaintext)
        ) { client in
            let service = Sales_Forecasting_V1_ForecastService.Client(wrapping: client)
            var report = Report(rows: sheet.rows, deals: sheet.refused.count, refused: sheet.refused)
            progress(report.deals, total, report.refused.count)
            var sent = Dictionary(sheet.deals.map { (Int($0.message.line), $0) }, uniquingKeysWith: { first, _ in first })
            func collect(_ outcomes: [Sales_Common_V1_ImportRowOutcome]) {
                for outcome in outcomes {
                    report.deals += 1
                    let line = Int(outcome.line)
                    let deal = sent.removeValue(forKey: line)
                    switch outcome.result {
                    case "created": report.created += 1
                    case "updated": report.updated += 1
                    case "unchanged": report.unchanged += 1
                    default:
                        report.refused.append(
                            deal?.problem(field: outcome.field, reason: outcome.reason, index: sheet.index)
                                ?? RowProblem(line: line, column: outcome.field, value: "", reason: outcome.reason))
                    }
                }
                progress(report.deals, total, report.refused.count)
            }
            // Streamed (StreamHistory) in batches of whole deals, each answered once committed.
            let size = max(1, min(batchSize, 500))
            let batches = stride(from: 0, to: sheet.deals.count, by: size).map { start in
                sheet.deals[start..<min(start + size, sheet.deals.count)].map(\.message)
            }
            let (alreadyDone, alreadyRefused) = (report.deals, report.refused.count)
            let outcomes = try await service.streamHistory(
                metadata: authorization,
                requestProducer: { writer in
                    for batch in batches { try await writer.write(.with { $0.deals = batch }) }
                },
                onResponse: { response in
                    var outcomes: [Sales_Common_V1_ImportRowOutcome] = []
                    var refused = alreadyRefused
                    for try await answer in response.messages {
                        outcomes += answer.deals
                        refused += answer.deals.filter(\.result.isEmpty).count
                        progress(alreadyDone + outcomes.count, total, refused)
                    }
                    return outcomes
                })
            collect(outcomes)
            report.refused.sort { $0.line < $1.line }
            return report
        }
    }
}

extension HistoryImport.Deal {
    /// A refusal from the service, on the line of the row its field came from (the deal's first
    /// line when no one row holds it), naming the column; the whole deal was refused with it.
    func problem(field: String, reason: String, index: [HistoryColumn: Int]) -> RowProblem {
        let head = String(field.prefix(while: { $0 != "." && $0 != "[" }))
        var row = createdRow
        var column = HistoryColumn(rawValue: head)  // team, region, segment, industry, source
        switch head {
        case "events":
            // events[3].at, events[3].stage, events[3].rep_entry.expected_close, ...
            row = nil
            column = nil
            if let position = Int(field.dropFirst("events[".count).prefix(while: { $0 != "]" })), position < eventRows.count {
                row = eventRows[position]
                column =
                    field.hasSuffix(".at") ? HistoryColumn.at : field.hasSuffix("expected_close") ? HistoryColumn.expectedClose : HistoryColumn.value
            }
        case "outcome", "closed_at":
            row = closedRow
            column = head == "outcome" ? HistoryColumn.event : HistoryColumn.at
        case "created_at": column = .at
        case "owner_id": column = .owner
        case "amount": column = field.hasSuffix("currency") ? HistoryColumn.currency : HistoryColumn.amount
        case "external_id":
            row = nil
            column = .dealID
        default: break
        }
        let line = Int(message.line)
        var name = column?.rawValue ?? field
        var value = ""
        if column == .dealID {
            value = message.externalID
        } else if let cells = row?.cells, let position = column.flatMap({ index[$0] }) {
            value = cells.cell(at: position)
        } else if field.hasPrefix("dimensions.") {
            // dimensions.KEY: the key is the file's own header.
            name = String(field.dropFirst("dimensions.".count))
            value = message.dimensions[name] ?? ""
        }
        let at = row?.line ?? line
        let whole = at == line ? "" : " (the whole deal \(message.externalID), from line \(line), was refused)"
        return RowProblem(line: at, column: name, value: value, reason: reason + whole)
    }
}
