import SalesProto
import SwiftProtobuf

/// The shape every row-by-row import answers in: one `ImportRowOutcome` per row sent, each row
/// in or refused on its own with the code, field and reason its single-record call would give.
public enum ImportRows {
    /// INVALID_ARGUMENT unless 1 to `most` rows came.
    public static func checkCount(_ count: Int, most: Int, field: String = "rows") throws(ServiceError) {
        guard (1...most).contains(count) else {
            throw .invalidArgument(field: field, rule: "send 1 to \(most) \(field) a call, not \(count)")
        }
    }

    /// Checks each row on its own (its text, then `check`): an outcome per row, refused ones
    /// filled in, and the rows that passed with their index, for the handler to write.
    public static func check<Row: SwiftProtobuf.Message, Checked>(
        _ rows: [Row], line: (Row) -> Int32, _ check: (Row) throws -> Checked
    ) throws -> (outcomes: [Sales_Common_V1_ImportRowOutcome], passed: [(index: Int, value: Checked)]) {
        var outcomes = rows.map { row in Sales_Common_V1_ImportRowOutcome.with { $0.line = line(row) } }
        var passed: [(index: Int, value: Checked)] = []
        for (index, row) in rows.enumerated() {
            do {
                try TextCheck.validate(row)
                passed.append((index, try check(row)))
            } catch {
                try refuse(&outcomes[index], error)
            }
        }
        return (outcomes, passed)
    }

    /// Marks `outcome` refused for `error`; an error that is no ServiceError is rethrown (it is the
    /// service's fault, not the row's).
    public static func refuse(_ outcome: inout Sales_Common_V1_ImportRowOutcome, _ error: any Error) throws {
        guard let error = error as? ServiceError else { throw error }
        outcome.errorCode = error.statusName
        if case .invalidArgument(let field, _) = error { outcome.field = field }
        outcome.reason = error.rpcErrorMessage
    }

    /// Puts outcomes that carry their row's index in `line` back in place among `outcomes`,
    /// with their line restored.
    public static func merge(_ indexed: [Sales_Common_V1_ImportRowOutcome], into outcomes: [Sales_Common_V1_ImportRowOutcome])
        -> [Sales_Common_V1_ImportRowOutcome]
    {
        var merged = outcomes
        for outcome in indexed {
            let index = Int(outcome.line)
            let line = merged[index].line
            merged[index] = outcome
            merged[index].line = line
        }
        return merged
    }
}
