import SalesProto

/// Group commit for new leads: creates that arrive while batches are being written wait and go
/// together in the next transaction, so its fixed costs (BEGIN, the idempotency claims, the
/// outbox's ordering lock, COMMIT) are paid once per batch. Nothing waits on purpose: a create
/// arriving at a quiet moment is written at once, alone. Two writers run at once, so Postgres
/// works on one batch while the service prepares the next.
actor LeadBatcher {
    typealias Response = Sales_Leads_V1_CreateLeadResponse

    static let maximumBatch = 32
    static let writers = 2

    private let write: @Sendable ([PreparedLead]) async -> [Result<LeadWriter.Written, any Error>]
    private var waiting: [(lead: PreparedLead, reply: CheckedContinuation<Response, any Error>)] = []
    private var writing = 0

    /// `write` answers each lead of a batch, in order.
    init(write: @escaping @Sendable ([PreparedLead]) async -> [Result<LeadWriter.Written, any Error>]) {
        self.write = write
    }

    func submit(_ lead: PreparedLead) async throws -> Response {
        try await withCheckedThrowingContinuation { reply in
            waiting.append((lead, reply))
            if writing < Self.writers {
                writing += 1
                Task { await writeWaiting() }
            }
        }
    }

    private func writeWaiting() async {
        while !waiting.isEmpty {
            let batch = Array(waiting.prefix(Self.maximumBatch))
            waiting.removeFirst(batch.count)
            let results = await write(batch.map(\.lead))
            for (item, result) in zip(batch, results) { item.reply.resume(with: result.map(\.response)) }
        }
        writing -= 1
    }
}
