import Crypto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SalesProto
import ServiceKit
import SwiftProtobuf

/// `salesctl import leads FILE`: the sheets sales teams keep today, CSV or XLSX, row by row through
/// the leads service's own CreateLead (so every rule, required field and dedupe applies as on every
/// path). Each row carries an idempotency key from the file's content and its line (the sheet row
/// for XLSX), so re-running an import, whole or after a crash, creates nothing twice.
public struct LeadImport: Sendable {
    public typealias RowError = RowProblem

    public struct Report: Sendable {
        public var rows = 0
        public var imported = 0
        public var errors: [RowError] = []
        public var ignoredColumns: [String] = []
    }

    public let host: String
    public let port: Int
    public let token: String
    public var defaultChannel: Sales_Leads_V1_Channel = .api
    public var concurrency = 8

    public init(host: String = "127.0.0.1", port: Int, token: String) {
        self.host = host
        self.port = port
        self.token = token
    }

    public func run(file path: String, progress: @escaping @Sendable (Int, Int, Int) -> Void = { _, _, _ in }) async throws -> Report {
        guard let data = FileManager.default.contents(atPath: path) else { throw ImportError("cannot read \(path)") }
        // Read before connecting, so a file that cannot be imported says so even with the stack down.
        var reader = try SheetRows(data: data, name: path)
        let fileKey = SHA256.hash(data: data).prefix(12).hexEncoded
        let total = reader.dataRowCount
        let authorization: Metadata = ["authorization": "Bearer \(token)"]
        return try await withGRPCClient(
            transport: .http2NIOPosix(target: .ipv4(address: host, port: port), transportSecurity: .plaintext)
        ) { client in
            let leads = Sales_Leads_V1_LeadService.Client(wrapping: client)
            let fields = try await leads.listLeadFields(.init(), metadata: authorization).fields
            guard let headers = reader.next() else { throw ImportError("\(path) is empty") }
            let columns = LeadColumns(headers: headers, fields: fields)
            guard !columns.missesContactAndKey else {
                throw ImportError(
                    "the header row needs a contact column (姓名/contact_name) and a phone (手机/phone) or credit code (统一社会信用代码) column; found: \(headers.joined(separator: ", "))"
                )
            }
            var report = Report(ignoredColumns: columns.ignored)
            try await withThrowingTaskGroup(of: RowError?.self) { group in
                var inFlight = 0
                func collect(_ result: RowError?) {
                    report.rows += 1
                    if let result { report.errors.append(result) } else { report.imported += 1 }
                    progress(report.rows, total, report.errors.count)
                }
                while let row = reader.next() {
                    let line = reader.line
                    if row.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
                    if inFlight >= concurrency, let done = try await group.next() {
                        inFlight -= 1
                        collect(done)
                    }
                    inFlight += 1
                    group.addTask {
                        let request: Sales_Leads_V1_CreateLeadRequest
                        switch self.request(from: row, columns: columns, line: line) {
                        case .success(let built): request = built
                        case .failure(let error): return error
                        }
                        var metadata = authorization
                        metadata.addString("import:\(fileKey):\(line)", forKey: "idempotency-key")
                        do {
                            _ = try await leads.createLead(request, metadata: metadata)
                            return nil
                        } catch let error as RPCError where error.code == .invalidArgument {
                            return Self.rowError(error.message, line: line, row: row, columns: columns)
                        }
                    }
                }
                for try await done in group { collect(done) }
            }
            report.errors.sort { $0.line < $1.line }
            return report
        }
    }

    /// The CreateLead request of one row, or what is wrong with a cell.
    func request(from row: [String], columns: LeadColumns, line: Int) -> Result<Sales_Leads_V1_CreateLeadRequest, RowError> {
        var request = Sales_Leads_V1_CreateLeadRequest.with { $0.channel = defaultChannel }
        for (index, target) in columns.targets {
            let value = index < row.count ? row[index].trimmingCharacters(in: .whitespacesAndNewlines) : ""
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

    /// "phone: … is not a mainland mobile" → the row, the sheet's column and the cell.
    static func rowError(_ message: String, line: Int, row: [String], columns: LeadColumns) -> RowError {
        let (field, reason) = RowProblem.fieldAndReason(message)
        let column = columns.column(for: field) ?? field
        let index = columns.headers.firstIndex(of: column)
        let value = index.flatMap { $0 < row.count ? row[$0] : nil } ?? ""
        return RowError(line: line, column: column, value: value, reason: reason)
    }
}

public struct ImportError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
