import Foundation
import ServiceKit

/// Sends an import's rows in batches, at most `concurrency` batches in flight, and hands each
/// batch's answer to `collect` as it lands: the server writes one batch while the next travels.
struct BatchPipeline<Row: Sendable, Answer: Sendable> {
    let batchSize: Int
    let concurrency: Int
    /// The most rows a call may carry: rows kept together stop at it.
    var most = Int.max
    let send: @Sendable ([Row]) async throws -> Answer

    /// `next` gives the rows to send (nil at the end). `together` says whether a row belongs with
    /// the one before it (a receipt's lines), so a batch never splits them below `most`.
    func run(
        next: () throws -> Row?, together: (Row, Row) -> Bool = { _, _ in false }, collect: (Answer) -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Answer.self) { group in
            var inFlight = 0
            var batch: [Row] = []
            func flush() async throws {
                guard !batch.isEmpty else { return }
                if inFlight >= concurrency, let done = try await group.next() {
                    inFlight -= 1
                    collect(done)
                }
                inFlight += 1
                let rows = batch
                batch = []
                group.addTask { try await send(rows) }
            }
            while let row = try next() {
                if batch.count >= batchSize, let last = batch.last, !together(last, row) || batch.count >= most { try await flush() }
                batch.append(row)
            }
            try await flush()
            for try await done in group { collect(done) }
        }
    }
}

/// A sheet's column, known by any of its header names (English or Chinese).
protocol SheetColumn: CaseIterable, Hashable, RawRepresentable<String> {
    var names: [String] { get }
    /// The columns a sheet must have.
    static var required: [Self] { get }
}

extension SheetColumn {
    /// Where each known column stands in the header row; the first of a repeated name wins.
    static func locate(in headers: [String]) -> [Self: Int] {
        var index: [Self: Int] = [:]
        for (position, header) in headers.enumerated() {
            let name = header.trimmedBlanks.lowercased()
            if let column = allCases.first(where: { $0.names.contains(name) }), index[column] == nil { index[column] = position }
        }
        return index
    }
}

extension Dictionary where Key: SheetColumn, Value == Int {
    /// `row`'s cell in `column`, trimmed; empty when the sheet has no such column or the row stops short.
    func cell(_ column: Key, in row: [String]) -> String {
        row.cell(at: self[column]).trimmedBlanks
    }
}

extension Array where Element == String {
    /// The cell at `position` as the sheet wrote it; empty when there is no such column (nil) or
    /// the row stops short of it, as a sheet's ragged rows do.
    func cell(at position: Int?) -> String {
        guard let position, indices.contains(position) else { return "" }
        return self[position]
    }
}
