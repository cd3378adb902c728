import Crypto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SalesProto
import ServiceKit
import SwiftProtobuf
import Synchronization

/// `salesctl import leads FILE`: the sheets sales teams keep today, CSV or XLSX, streamed to the
/// leads service's ImportLeads in batches; each batch is written in one transaction through the
/// same rules, required fields and dedupe as CreateLead. Each row is keyed on the file's content
/// and its line (the sheet row for XLSX), so re-running an import, whole or after a crash,
/// creates nothing twice.
public struct LeadImport: Sendable {
    public typealias RowError = RowProblem

    public struct Report: Sendable {
        public var rows = 0
        /// Rows that are leads now, including those an earlier run of the same file imported.
        public var imported = 0
        public var alreadyImported = 0
        public var errors: [RowError] = []
        public var ignoredColumns: [String] = []
    }

    public let host: String
    public let port: Int
    public let token: String
    public var defaultChannel: Sales_Leads_V1_Channel = .api
    /// Rows a message: a transaction on the server.
    public var batchSize = 500

    public init(host: String = "127.0.0.1", port: Int, token: String) {
        self.host = host
        self.port = port
        self.token = token
    }

    public func run(file path: String, progress: @escaping @Sendable (Int, Int, Int) -> Void = { _, _, _ in }) async throws -> Report {
        guard let data = FileManager.default.contents(atPath: path) else { throw ImportError("cannot read \(path)") }
        // Read before connecting, so a file that cannot be imported says so even with the stack down.
        let reader = try SheetRows(data: data, name: path)
        let importKey = SHA256.hash(data: data).prefix(12).hexEncoded
        let authorization: Metadata = ["authorization": "Bearer \(token)"]
        return try await withGRPCClient(
            transport: .http2NIOPosix(target: .ipv4(address: host, port: port), transportSecurity: .plaintext)
        ) { client in
            let leads = Sales_Leads_V1_LeadService.Client(wrapping: client)
            let fields = try await leads.listLeadFields(.init(), metadata: authorization).fields
            var reader = reader
            guard let headers = reader.next() else { throw ImportError("\(path) is empty") }
            let columns = LeadColumns(headers: headers, fields: fields)
            guard !columns.missesContactAndKey else {
                throw ImportError(
                    "the header row needs a contact column (姓名/contact_name) and a phone (手机/phone) or credit code (统一社会信用代码) column; found: \(headers.joined(separator: ", "))"
                )
            }
            let tally = Tally(report: Report(ignoredColumns: columns.ignored), total: reader.dataRowCount, progress: progress)
            try await leads.importLeads(
                metadata: authorization,
                requestProducer: { [reader] writer in
                    var reader = reader
                    var batch: [Sales_Leads_V1_ImportLeadRow] = []
                    func send() async throws {
                        guard !batch.isEmpty else { return }
                        try await writer.write(
                            .with {
                                $0.importKey = importKey; $0.rows = batch
                            })
                        batch.removeAll(keepingCapacity: true)
                    }
                    while let row = reader.next() {
                        let line = reader.line
                        if row.isBlankRow { continue }
                        switch self.request(from: row, columns: columns, line: line) {
                        case .success(let request):
                            tally.sent(row, line: line)
                            batch.append(
                                .with {
                                    $0.line = Int32(line); $0.lead = request
                                })
                            if batch.count >= batchSize { try await send() }
                        case .failure(let error):
                            tally.refused(error)
                        }
                    }
                    try await send()
                },
                onResponse: { response in
                    for try await message in response.messages {
                        for outcome in message.outcomes { tally.answered(outcome, columns: columns) }
                    }
                })
            return tally.finished()
        }
    }

    /// The report as rows are sent and answered (by the request producer and the response reader at once).
    private final class Tally: Sendable {
        private struct State {
            var report: Report
            /// Rows sent and not yet answered, for the cell a refusal names.
            var pending: [Int: [String]] = [:]
        }
        private let state: Mutex<State>
        private let total: Int
        private let progress: @Sendable (Int, Int, Int) -> Void

        init(report: Report, total: Int, progress: @escaping @Sendable (Int, Int, Int) -> Void) {
            state = Mutex(State(report: report))
            self.total = total
            self.progress = progress
        }

        func sent(_ row: [String], line: Int) { state.withLock { $0.pending[line] = row } }

        func refused(_ error: RowError) { count { $0.errors.append(error) } }

        func answered(_ outcome: Sales_Leads_V1_ImportLeadOutcome, columns: LeadColumns) {
            let line = Int(outcome.line)
            let row = state.withLock { $0.pending.removeValue(forKey: line) } ?? []
            count { report in
                if outcome.leadID.isEmpty {
                    report.errors.append(LeadImport.rowError(field: outcome.field, reason: outcome.reason, line: line, row: row, columns: columns))
                } else {
                    report.imported += 1
                    if outcome.alreadyImported { report.alreadyImported += 1 }
                }
            }
        }

        func finished() -> Report {
            var report = state.withLock { $0.report }
            report.errors.sort { $0.line < $1.line }
            return report
        }

        private func count(_ change: (inout Report) -> Void) {
            let (rows, errors) = state.withLock { state in
                state.report.rows += 1
                change(&state.report)
                return (state.report.rows, state.report.errors.count)
            }
            progress(rows, total, errors)
        }
    }

    /// The CreateLead request of one row, or what is wrong with a cell.
    func request(from row: [String], columns: LeadColumns, line: Int) -> Result<Sales_Leads_V1_CreateLeadRequest, RowError> {
        var request = Sales_Leads_V1_CreateLeadRequest.with { $0.channel = defaultChannel }
        for (index, target) in columns.targets {
            let value = row.cell(at: index).trimmedBlanks
            guard !value.isEmpty else { continue }
            let header = columns.headers[index]
            switch target {
            case .contactName: request.contactName = value
            case .companyName: request.companyName = value
            case .phone: request.phone = value
            case .creditCode: request.creditCode = value
            case .campaign: request.campaign = value
            case .city: request.city = value
            case .inquiry: request.inquiry = value
            case .channel:
                guard let channel = LeadColumns.channels[value.lowercased()] ?? LeadColumns.channels[value] else {
                    return .failure(
                        RowError(
                            line: line, column: header, value: value,
                            reason: "not a channel (官网表单, 抖音, 微信, 美团, 展会, 门店, API)"))
                }
                request.channel = channel
            case .custom(let key, let type):
                switch Self.fieldValue(value, type: type) {
                case .success(let fieldValue): request.customFields[key] = fieldValue
                case .failure(let reason): return .failure(RowError(line: line, column: header, value: value, reason: reason.message))
                }
            }
        }
        return .success(request)
    }

    struct Reason: Error { let message: String }

    static func fieldValue(_ text: String, type: Sales_Common_V1_FieldType) -> Result<Sales_Common_V1_FieldValue, Reason> {
        switch type {
        case .text: return .success(.with { $0.text = text })
        case .choice: return .success(.with { $0.choice = text })
        case .date: return .success(.with { $0.date = text.replacingOccurrences(of: "/", with: "-") })
        case .number:
            guard let number = Double(text.replacingOccurrences(of: ",", with: "")) else { return .failure(Reason(message: "not a number")) }
            return .success(.with { $0.number = number })
        case .money:
            let cleaned = text.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "元", with: "").replacingOccurrences(of: "¥", with: "")
            guard let yuan = Decimal(string: cleaned) else { return .failure(Reason(message: "not an amount in yuan")) }
            let fen = NSDecimalNumber(decimal: yuan * 100).rounding(accordingToBehavior: nil).int64Value
            return .success(.with { $0.money = .init(minorUnits: fen, currency: "CNY") })
        case .boolean:
            switch text.lowercased() {
            case "是", "y", "yes", "true", "1": return .success(.with { $0.boolean = true })
            case "否", "n", "no", "false", "0": return .success(.with { $0.boolean = false })
            default: return .failure(Reason(message: "write 是 or 否"))
            }
        case .attachment, .unspecified, .UNRECOGNIZED:
            return .failure(Reason(message: "attachments cannot be imported from a sheet; upload them on the lead"))
        }
    }

    /// A refused row's request field ("phone", "custom_fields.next_contact") → the sheet's column and cell.
    static func rowError(field: String, reason: String, line: Int, row: [String], columns: LeadColumns) -> RowError {
        let column = columns.column(for: field) ?? (field.isEmpty ? "(row)" : field)
        let index = columns.headers.firstIndex(of: column)
        let value = row.cell(at: index)
        return RowError(line: line, column: column, value: value, reason: reason)
    }
}

public struct ImportError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
