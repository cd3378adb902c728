import Synchronization
import Testing

@testable import SalesControl

/// How an import's rows are cut into calls: rows kept together stay in one call until the call's
/// limit, and every row goes exactly once, in order.
@Suite struct BatchPipelineTests {
    @Test func rowsKeptTogetherStayInOneCallUpToTheLimit() async throws {
        let sent = Mutex<[[String]]>([])
        // Contract "a" has 2 rows, "b" 12, "c" 1: batches of about 3, never more than 5 a call.
        let rows = ["a", "a"] + Array(repeating: "b", count: 12) + ["c"]
        let pipeline = BatchPipeline<String, Int>(batchSize: 3, concurrency: 1, most: 5) { batch in
            sent.withLock { $0.append(batch) }
            return batch.count
        }
        var pending = rows.makeIterator()
        var answered = 0
        try await pipeline.run(next: { pending.next() }, together: { $0 == $1 }, collect: { answered += $0 })
        let batches = sent.withLock { $0 }
        #expect(batches.map(\.count) == [5, 5, 4, 1], "\(batches)")
        #expect(batches.flatMap { $0 } == rows)
        #expect(answered == rows.count)
    }
}
