import Logging
import PostgresNIO
import Synchronization

/// What a transaction leaves for its end: the events it appended and, for idempotent calls,
/// the responses to keep; `Database.transaction` writes them in one statement just before COMMIT.
final class TransactionTail: Sendable {
    @TaskLocal static var current: TransactionTail?

    struct Answer: Sendable {
        let key: Idempotency.Key
        let response: ByteBuffer
    }

    private let state = Mutex<(events: [Outbox.Event], answers: [Answer])>(([], []))

    func add(_ event: Outbox.Event) {
        state.withLock { $0.events.append(event) }
    }

    func keep(_ answer: Answer) {
        state.withLock { $0.answers.append(answer) }
    }

    /// How much has been kept so far, to go back to when a savepoint rolls back.
    var mark: (events: Int, answers: Int) {
        state.withLock { ($0.events.count, $0.answers.count) }
    }

    /// Forgets what was kept after `mark`, as the savepoint's rollback forgets its writes.
    func rollback(to mark: (events: Int, answers: Int)) {
        state.withLock {
            $0.events.removeSubrange(mark.events...)
            $0.answers.removeSubrange(mark.answers...)
        }
    }

    func flush(on connection: PostgresConnection, logger: Logger) async throws {
        let (events, answers) = state.withLock { state in
            defer { state = ([], []) }
            return state
        }
        try await Outbox.write(events, answers: answers, on: connection, logger: logger)
    }
}
