import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SalesProto
import ServiceKit
import SwiftProtobuf

/// `salesctl import products|members|receipts FILE`: a store chain's existing files, CSV or
/// XLSX, headers in English or Chinese, sent to the store-sales service in batches with two in
/// flight. Each kind is keyed (SKU, mobile, store and receipt number), so running a file again
/// changes nothing; every refused row comes back with its line, column and why.
public struct StoreImport: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case products, members, receipts
    }

    public struct Report: Sendable {
        public var rows = 0
        public var created = 0
        public var updated = 0
        public var unchanged = 0
        public var refused: [RowProblem] = []
    }

    public let host: String
    public let port: Int
    public let token: String
    public var currency = "CNY"
    public var batchSize = 1_000
    public var concurrency = 2

    public init(host: String = "127.0.0.1", port: Int, token: String) {
        self.host = host
        self.port = port
        self.token = token
    }

    public func run(_ kind: Kind, file path: String, progress: @escaping @Sendable (Int, Int, Int) -> Void = { _, _, _ in }) async throws
        -> Report
    {
        guard let data = FileManager.default.contents(atPath: path) else { throw ImportError("cannot read \(path)") }
        var reader = try SheetRows(data: data, name: path)
        let total = reader.dataRowCount
        guard let headers = reader.next() else { throw ImportError("\(path) is empty") }
        let authorization: Metadata = ["authorization": "Bearer \(token)"]
        return try await withGRPCClient(
            transport: .http2NIOPosix(target: .ipv4(address: host, port: port), transportSecurity: .plaintext)
        ) { client in
            switch kind {
            case .products:
                let service = Sales_Storesales_V1_ReceiptService.Client(wrapping: client)
                return try await importing(
                    ProductColumn.self, headers: headers, reader: &reader, total: total, progress: progress, build: product,
                    send: { rows in try await service.importProducts(.with { $0.rows = rows }, metadata: authorization).outcomes })
            case .members:
                let service = Sales_Storesales_V1_MemberService.Client(wrapping: client)
                return try await importing(
                    MemberColumn.self, headers: headers, reader: &reader, total: total, progress: progress, build: member,
                    send: { rows in try await service.importMembers(.with { $0.rows = rows }, metadata: authorization).outcomes })
            case .receipts:
                let service = Sales_Storesales_V1_ReceiptService.Client(wrapping: client)
                return try await importing(
                    ReceiptColumn.self, headers: headers, reader: &reader, total: total, progress: progress, build: receiptLine,
                    send: { rows in try await service.importReceipts(.with { $0.lines = rows }, metadata: authorization).outcomes },
                    together: { $0.storeCode.uppercased() == $1.storeCode.uppercased() && $0.receiptNumber == $1.receiptNumber })
            }
        }
    }

    /// Reads rows into messages with `build` (a problem found locally refuses the row without a
    /// call) and sends them through the pipeline, tallying what came back.
    private func importing<Column: SheetColumn, Row: Sendable>(
        _ columns: Column.Type, headers: [String], reader: inout SheetRows, total: Int,
        progress: @escaping @Sendable (Int, Int, Int) -> Void,
        build: (Int, (Column) -> String) throws(RowProblem) -> Row,
        send: @escaping @Sendable ([Row]) async throws -> [Sales_Common_V1_ImportRowOutcome],
        together: @escaping (Row, Row) -> Bool = { _, _ in false }
    ) async throws -> Report {
        let index = Column.locate(in: headers)
        let missing = Column.required.filter { index[$0] == nil }
        guard missing.isEmpty else {
            throw ImportError("the header row needs \(missing.map(\.rawValue).joined(separator: ", ")); found: \(headers.joined(separator: ", "))")
        }
        var report = Report()
        var cells: [Int: [String]] = [:]
        func collect(_ outcomes: [Sales_Common_V1_ImportRowOutcome]) {
            for outcome in outcomes {
                report.rows += 1
                let line = Int(outcome.line)
                let row = cells.removeValue(forKey: line) ?? []
                switch outcome.result {
                case "created": report.created += 1
                case "updated": report.updated += 1
                case "unchanged": report.unchanged += 1
                default:
                    let field = String(outcome.field.prefix { $0 != "." && $0 != "[" })
                    let column = Column(rawValue: field)
                    let value = row.cell(at: column.flatMap { index[$0] })
                    report.refused.append(RowProblem(line: line, column: column?.rawValue ?? field, value: value, reason: outcome.reason))
                }
            }
            progress(report.rows, total, report.refused.count)
        }
        let pipeline = BatchPipeline(batchSize: batchSize, concurrency: concurrency, send: send)
        try await pipeline.run(
            next: {
                while let row = reader.next() {
                    let line = reader.line
                    if row.isBlankRow { continue }
                    let cell = { (column: Column) in index.cell(column, in: row) }
                    do throws(RowProblem) {
                        let built = try build(line, cell)
                        cells[line] = row
                        return built
                    } catch {
                        report.rows += 1
                        report.refused.append(error)
                    }
                }
                return nil
            }, together: together, collect: collect)
        report.refused.sort { $0.line < $1.line }
        return report
    }
}
