import Crypto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SalesProto
import ServiceKit
import SwiftProtobuf

/// `salesctl import opportunities FILE`: deals from another CRM, CSV or XLSX, each row through
/// the opportunities service's ImportOpportunity (so every gate applies as on every other path).
/// A row's dates become its history: begun (the pipeline's first stage), engaged (the stage the
/// sheet's "engaging" maps to) and closed (won or lost). Rows are keyed by their external id, so
/// running the import again, whole or after a crash, creates nothing twice. Every row that cannot
/// be taken as the sheet has it is reported: refused, or adjusted (with what was done instead).
public struct OpportunityImport: Sendable {
    public struct Report: Sendable {
        public var rows = 0
        public var imported = 0
        /// Rows imported by an earlier run.
        public var alreadyImported = 0
        public var refused: [RowProblem] = []
        public var adjusted: [RowProblem] = []
        public var ignoredColumns: [String] = []
    }

    public let host: String
    public let port: Int
    public let token: String
    public var pipeline = ""
    public var currency = "CNY"
    public var timeZone = TimeZone(identifier: "Asia/Shanghai")!
    public var teams: TeamDirectory?
    public var products: ProductPrices?
    /// Sheet stage → pipeline stage, beyond the defaults (a stage's own key; Prospecting, Engaging, Won, Lost).
    public var stageMap: [String: String] = [:]
    public var overrideReason = ""
    /// Taken as the customer of rows without one; such rows are refused when empty.
    public var unknownCustomer = ""
    /// Calls in flight, and rows per call.
    public var concurrency = 2
    public var batchSize = 200

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
        let columns = OpportunityColumns(headers: headers)
        guard columns.missing.isEmpty else {
            throw ImportError("the header row needs \(columns.missing.joined(separator: ", ")); found: \(headers.joined(separator: ", "))")
        }
        guard teams != nil || columns.index[.orgPath] != nil else {
            throw ImportError("say which team each owner is in: an org_path column, or --teams FILE (owner, region, manager)")
        }
        let authorization: Metadata = ["authorization": "Bearer \(token)"]
        return try await withGRPCClient(
            transport: .http2NIOPosix(target: .ipv4(address: host, port: port), transportSecurity: .plaintext)
        ) { client in
            let deals = Sales_Opportunities_V1_OpportunityService.Client(wrapping: client)
            let listed = try await Sales_Opportunities_V1_PipelineService.Client(wrapping: client)
                .listPipelines(.init(), metadata: authorization).pipelines
            guard let pipeline = listed.first(where: { self.pipeline.isEmpty ? $0.isDefault : $0.name == self.pipeline }) else {
                throw ImportError("the tenant has no pipeline \(self.pipeline); its pipelines: \(listed.map(\.name).joined(separator: ", "))")
            }
            let stages = StageResolver(pipeline: pipeline, map: stageMap)
            var report = Report(ignoredColumns: columns.ignored)
            func collect(_ outcomes: [RowOutcome]) {
                for outcome in outcomes {
                    report.rows += 1
                    report.adjusted += outcome.adjusted
                    switch outcome.result {
                    case .imported: report.imported += 1
                    case .alreadyImported: report.alreadyImported += 1
                    case .refused(let problem): report.refused.append(problem)
                    }
                }
                progress(report.rows, total, report.refused.count)
            }
            let batches = BatchPipeline(batchSize: batchSize, concurrency: concurrency) {
                (rows: [(row: ImportRow, request: Sales_Opportunities_V1_ImportOpportunityRequest)]) in
                try await Self.send(rows, to: deals, metadata: authorization)
            }
            try await batches.run(
                next: {
                    while let row = reader.next() {
                        let line = reader.line
                        if row.isBlankRow { continue }
                        var built = ImportRow(line: line, row: row, columns: columns, timeZone: timeZone)
                        do {
                            // The request first: reading the row records its adjustments on `built`.
                            let request = try built.request(using: self, stages: stages, pipeline: pipeline.name, source: "\(path) line \(line)")
                            return (built, request)
                        } catch let problem as RowProblem {
                            collect([RowOutcome(result: .refused(problem), adjusted: built.adjusted)])
                        }
                    }
                    return nil
                }, collect: collect)
            report.refused.sort { $0.line < $1.line }
            report.adjusted.sort { $0.line < $1.line }
            return report
        }
    }

    /// One call of rows; a row the service's edge check refuses (a NUL in a name) is refused
    /// alone and the others sent again.
    static func send(
        _ rows: [(row: ImportRow, request: Sales_Opportunities_V1_ImportOpportunityRequest)],
        to deals: Sales_Opportunities_V1_OpportunityService.Client<HTTP2ClientTransport.Posix>, metadata: Metadata
    ) async throws -> [RowOutcome] {
        var pending = rows
        var outcomes: [RowOutcome] = []
        while !pending.isEmpty {
            do {
                let response = try await deals.importOpportunities(.with { $0.rows = pending.map(\.request) }, metadata: metadata)
                for (entry, result) in zip(pending, response.results) {
                    let outcome: RowOutcome.Result =
                        !result.errorCode.isEmpty
                        ? .refused(entry.row.problem(from: result.errorMessage))
                        : result.alreadyImported ? .alreadyImported : .imported
                    outcomes.append(RowOutcome(result: outcome, adjusted: entry.row.adjusted))
                }
                return outcomes
            } catch let error as RPCError where error.code == .invalidArgument && error.message.hasPrefix("rows[") {
                guard let close = error.message.firstIndex(of: "]"),
                    let index = Int(error.message[error.message.index(error.message.startIndex, offsetBy: 5)..<close]), index < pending.count
                else { throw error }
                let refused = pending.remove(at: index)
                let message = String(error.message[error.message.index(after: close)...]).trimmingPrefix(".")
                outcomes.append(RowOutcome(result: .refused(refused.row.problem(from: String(message))), adjusted: refused.row.adjusted))
            }
        }
        return outcomes
    }

    struct RowOutcome: Sendable {
        enum Result: Sendable {
            case imported, alreadyImported
            case refused(RowProblem)
        }
        let result: Result
        let adjusted: [RowProblem]
    }
}

/// Sheet stage names to the pipeline's stages: a stage's own key, a mapping given, or the common
/// English names (Prospecting and Engaging the first two open stages, Won and Lost the closing ones).
struct StageResolver: Sendable {
    let pipeline: Sales_Opportunities_V1_Pipeline
    let map: [String: String]

    func stage(_ name: String) -> Sales_Opportunities_V1_PipelineStage? {
        let key = map[name] ?? map[name.lowercased()] ?? name
        if let exact = pipeline.stages.first(where: { $0.key == key || $0.key.lowercased() == key.lowercased() }) { return exact }
        let open = pipeline.stages.filter { $0.outcome == .open }
        switch key.lowercased() {
        case "prospecting", "prospect", "new", "lead": return open.first
        case "engaging", "engaged", "qualification", "qualified": return open.dropFirst().first ?? open.first
        case "won", "closed won", "closed_won", "赢单", "成交": return pipeline.stages.first { $0.outcome == .won }
        case "lost", "closed lost", "closed_lost", "输单", "丢单": return pipeline.stages.first { $0.outcome == .lost }
        default: return nil
        }
    }

    /// The stage an engage date puts a deal in.
    var engaged: Sales_Opportunities_V1_PipelineStage? { stage("Engaging") }
}
