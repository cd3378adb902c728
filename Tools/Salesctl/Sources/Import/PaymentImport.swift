import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SalesProto
import ServiceKit
import SwiftProtobuf

/// `salesctl import payments FILE`: money received (a bank statement, the ERP's export), CSV or
/// XLSX with columns contract_id, reference, amount (yuan, e.g. 1,234.56) and received_on
/// (YYYY-MM-DD), sent to ImportPayments in batches of about 900 with two in flight, each
/// contract's payments in one batch in the file's order. A reference is recorded once, so running
/// the file again records nothing twice; every refused row is reported with its line, column and
/// why.
public struct PaymentImport: Sendable {
    public struct Report: Sendable {
        public var rows = 0
        public var recorded = 0
        public var alreadyRecorded = 0
        public var refused: [RowProblem] = []
    }

    enum Column: String, SheetColumn {
        case contractID = "contract_id", reference, amount, receivedOn = "received_on", currency

        /// Header names a sheet may use, in English or Chinese.
        var names: [String] {
            switch self {
            case .contractID: ["contract_id", "contract", "合同id", "合同编号"]
            case .reference: ["reference", "流水号", "银行流水号", "交易流水号"]
            case .amount: ["amount", "金额", "到账金额"]
            case .receivedOn: ["received_on", "date", "到账日期", "日期"]
            case .currency: ["currency", "币种"]
            }
        }

        static let required: [Self] = [.contractID, .reference, .amount, .receivedOn]
    }

    public let host: String
    public let port: Int
    public let token: String
    public var currency = "CNY"
    /// Under `ImportPaymentsRequest.mostRows`, so a contract's payments may fill a call past it up to the limit.
    public var batchSize = 900
    public var concurrency = 2

    public init(host: String = "127.0.0.1", port: Int, token: String) {
        self.host = host
        self.port = port
        self.token = token
    }

    public func run(file path: String, progress: @escaping @Sendable (Int, Int, Int) -> Void = { _, _, _ in }) async throws -> Report {
        guard let data = FileManager.default.contents(atPath: path) else { throw ImportError("cannot read \(path)") }
        var reader = try SheetRows(data: data, name: path)
        let total = reader.dataRowCount
        guard let headers = reader.next() else { throw ImportError("\(path) is empty") }
        let index = Column.locate(in: headers)
        let missing = Column.required.filter { index[$0] == nil }
        guard missing.isEmpty else {
            throw ImportError(
                "the header row needs \(missing.map(\.rawValue).joined(separator: ", ")); found: \(headers.joined(separator: ", "))")
        }
        let authorization: Metadata = ["authorization": "Bearer \(token)"]
        return try await withGRPCClient(
            transport: .http2NIOPosix(target: .ipv4(address: host, port: port), transportSecurity: .plaintext)
        ) { client in
            let receivables = Sales_Opportunities_V1_ReceivableService.Client(wrapping: client)
            var report = Report()
            var values: [Int: [String]] = [:]
            func collect(_ outcomes: [Sales_Opportunities_V1_ImportPaymentOutcome]) {
                for outcome in outcomes {
                    report.rows += 1
                    let line = Int(outcome.line)
                    let row = values.removeValue(forKey: line) ?? []
                    if !outcome.errorCode.isEmpty {
                        let column = outcome.field.split(separator: ".").first.map(String.init) ?? ""
                        let value = row.cell(at: Column(rawValue: column).flatMap { index[$0] })
                        report.refused.append(RowProblem(line: line, column: column, value: value, reason: outcome.reason))
                    } else if outcome.alreadyRecorded {
                        report.alreadyRecorded += 1
                    } else {
                        report.recorded += 1
                    }
                }
                progress(report.rows, total, report.refused.count)
            }
            var rows: [Sales_Opportunities_V1_PaymentRow] = []
            while let row = reader.next() {
                let line = reader.line
                if row.isBlankRow { continue }
                func cell(_ column: Column) -> String { index.cell(column, in: row) }
                guard let fen = Self.fen(cell(.amount)) else {
                    report.rows += 1
                    report.refused.append(
                        RowProblem(
                            line: line, column: "amount", value: cell(.amount), reason: "is not an amount in yuan",
                            suggestion: "write it like 1234.56 or 1,234.56"))
                    continue
                }
                values[line] = row
                let currency = cell(.currency).isEmpty ? self.currency : cell(.currency).uppercased()
                rows.append(
                    .with {
                        $0.line = Int32(line)
                        $0.contractID = cell(.contractID)
                        $0.reference = cell(.reference)
                        $0.amount = .init(minorUnits: fen, currency: currency)
                        $0.receivedOn = Self.day(cell(.receivedOn))
                    })
            }
            // A contract's payments travel in one call, in the file's order. A bank statement lists
            // contracts in no order, so two calls in flight used to lock the same contracts and
            // take turns; grouped by contract, they run side by side.
            // Each row's key is made once: lowercasing it in the comparison made the sort most of
            // the time salesctl took before the first call.
            let keyed = rows.enumerated().map { (contract: $0.element.contractID.lowercased(), offset: $0.offset, row: $0.element) }
                .sorted { ($0.contract, $0.offset) < ($1.contract, $1.offset) }
            rows = []
            let pipeline = BatchPipeline(batchSize: batchSize, concurrency: concurrency, most: Sales_Opportunities_V1_ImportPaymentsRequest.mostRows)
            {
                (keyed: [(contract: String, offset: Int, row: Sales_Opportunities_V1_PaymentRow)]) in
                try await receivables.importPayments(.with { $0.rows = keyed.map(\.row) }, metadata: authorization).outcomes
            }
            var pending = keyed.makeIterator()
            try await pipeline.run(next: { pending.next() }, together: { $0.contract == $1.contract }, collect: collect)
            report.refused.sort { $0.line < $1.line }
            return report
        }
    }

    /// Yuan written with up to two decimals (thousands separated by commas, a ¥ in front) in fen,
    /// exactly; nil for anything else.
    static func fen(_ text: String) -> Int64? {
        var digits = text.contains(",") ? text.filter { $0 != "," } : text
        for prefix in ["¥", "￥", "RMB", "CNY"] where digits.hasPrefix(prefix) { digits = String(digits.dropFirst(prefix.count)) }
        digits = digits.trimmedBlanks
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].allSatisfy(\.isASCIIDigit),
            let yuan = Int64(parts[0]), yuan <= Int64.max / 100
        else { return nil }
        guard parts.count == 2 else { return yuan * 100 }
        let cents = parts[1]
        guard (1...2).contains(cents.count), cents.allSatisfy(\.isASCIIDigit), let value = Int64(cents) else { return nil }
        let (fen, overflow) = (yuan * 100).addingReportingOverflow(cents.count == 1 ? value * 10 : value)
        return overflow ? nil : fen
    }

    /// A date written 2026/3/5 or 2026-03-05 as YYYY-MM-DD; anything else as it is (the service
    /// refuses it with its reason).
    static func day(_ text: String) -> String {
        let parts = text.split(whereSeparator: { $0 == "/" || $0 == "-" || $0 == "." })
        guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), parts[0].count == 4 else {
            return text
        }
        // Written out by hand: String(format:) goes through NSString, a few microseconds a row.
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))"
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
