import GRPCCore
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// A sheet's rows at the speed of batches: each message of the stream is graded, routed and
/// written in one transaction (one statement for the rows, one for their keys, one for their
/// events), through the same checks and dedupe as CreateLead. A row that cannot go in is refused
/// alone, with its field and what to fix; the rest of its batch goes in.
extension LeadServiceHandler {
    static let importBatchLimit = 1_000
    static let importWriters = 2

    func importLeads(
        request: RPCAsyncSequence<Sales_Leads_V1_ImportLeadsRequest, any Error>,
        response: RPCWriter<Sales_Leads_V1_ImportLeadsResponse>,
        context: ServerContext
    ) async throws {
        let caller = try RequestContext.caller()
        // While Postgres writes earlier batches (two at a time), the next is checked, graded and
        // routed; answers go out in the order of the messages.
        try await withThrowingTaskGroup(of: (Int, Sales_Leads_V1_ImportLeadsResponse).self) { writing in
            var (started, answered) = (0, 0)
            var finished: [Int: Sales_Leads_V1_ImportLeadsResponse] = [:]
            func answerOne() async throws {
                guard let (number, answer) = try await writing.next() else { return }
                finished[number] = answer
                while let next = finished.removeValue(forKey: answered) {
                    try await response.write(next)
                    answered += 1
                }
            }
            do {
                for try await message in request {
                    let batch = try await prepareImport(message, caller: caller)
                    while started - answered >= Self.importWriters { try await answerOne() }
                    let number = started
                    writing.addTask { (number, try await write(batch)) }
                    started += 1
                }
            } catch {
                // A malformed message ends the stream, after the batches before it are answered.
                while answered < started { try await answerOne() }
                throw error
            }
            while answered < started { try await answerOne() }
        }
    }

    /// A message's rows checked and prepared; the outcomes of those refused already filled in.
    private struct ImportBatch: Sendable {
        var outcomes: [Sales_Leads_V1_ImportLeadOutcome]
        var prepared: [(index: Int, lead: PreparedLead)] = []
    }

    private func prepareImport(_ message: Sales_Leads_V1_ImportLeadsRequest, caller: Caller) async throws -> ImportBatch {
        let importKey = try Self.importKey(checking: message)
        let fields = try await tenantFields(for: caller)
        let rules = try await judging(for: caller, fields: fields)
        var batch = ImportBatch(outcomes: message.rows.map { row in .with { $0.line = row.line } })
        for (index, row) in message.rows.enumerated() {
            do {
                guard row.line >= 1 else { throw ServiceError.invalidArgument(field: "line", rule: "must be 1 or more; got \(row.line)") }
                try TextCheck.validate(row.lead)
                let lead = try NewLead(row.lead, fields: fields.values)
                let key = Idempotency.Key.client("import:\(importKey):\(row.line)", caller: caller)
                batch.prepared.append((index, try await prepare(lead, request: row.lead, caller: caller, rules: rules, key: key)))
            } catch let error as ServiceError {
                batch.outcomes[index].refuse(error)
            }
        }
        return batch
    }

    private func write(_ batch: ImportBatch) async throws -> Sales_Leads_V1_ImportLeadsResponse {
        var outcomes = batch.outcomes
        let written = await writer.writeBatch(batch.prepared.map(\.lead))
        for ((index, _), result) in zip(batch.prepared, written) {
            switch result {
            case .success(let written):
                outcomes[index].leadID = written.response.lead.id
                outcomes[index].alreadyImported = written.isRepeat
            case .failure(let error as ServiceError):
                outcomes[index].refuse(error)
            case .failure(let error):
                // The database, not the row: the stream ends; what was answered before is in,
                // and running the import again finishes it.
                throw error
            }
        }
        return .with { $0.outcomes = outcomes }
    }

    /// The message's import key, once the key and the message's size are checked.
    private static func importKey(checking message: Sales_Leads_V1_ImportLeadsRequest) throws -> String {
        try TextCheck.validate(Sales_Leads_V1_ImportLeadsRequest.with { $0.importKey = message.importKey })
        guard (1...100).contains(message.importKey.count) else {
            throw ServiceError.invalidArgument(field: "import_key", rule: "must be 1 to 100 characters (the client's hash of the file)")
        }
        guard message.rows.count <= importBatchLimit else {
            throw ServiceError.invalidArgument(
                field: "rows", rule: "at most \(importBatchLimit) rows a message; got \(message.rows.count) (split the batch)")
        }
        return message.importKey
    }
}

/// Rows are checked one by one in `importLeads`, each refused alone.
extension Sales_Leads_V1_ImportLeadsRequest: TextCheckedByItem {}

extension Sales_Leads_V1_ImportLeadOutcome {
    fileprivate mutating func refuse(_ error: ServiceError) {
        errorCode = error.statusName
        if case .invalidArgument(let field, let rule) = error {
            self.field = field
            reason = rule
        } else {
            reason = error.rpcErrorMessage
        }
    }
}
