import ServiceKit
import Synchronization
import Testing

/// The hand-off an event consumer batches its transactions with.
@Suite struct ArrivalBatchesTests {
    struct Failed: Error {}

    @Test func whatArrivedWhileTheConsumerWasBusyComesAsOneBatchInOrder() async throws {
        let arrivals = ArrivalBatches<Int>(capacity: 100)
        for n in 1...5 { #expect(await arrivals.push(n)) }
        #expect(try await arrivals.next(limit: 3) == [1, 2, 3])
        #expect(try await arrivals.next(limit: 3) == [4, 5])
        arrivals.finish()
        #expect(try await arrivals.next(limit: 3) == nil)
    }

    @Test func theConsumerWaitsForTheFirstAndTheProducerWaitsForRoom() async throws {
        let arrivals = ArrivalBatches<Int>(capacity: 2)
        let pushed = Atomic<Int>(0)
        let producer = Task {
            for n in 1...5 {
                guard await arrivals.push(n) else { return }
                pushed.add(1, ordering: .sequentiallyConsistent)
            }
            arrivals.finish()
        }
        var taken: [Int] = []
        // The producer stops at the capacity until the consumer takes something.
        let deadline = ContinuousClock.now + .seconds(5)
        while pushed.load(ordering: .sequentiallyConsistent) < 2, ContinuousClock.now < deadline { await Task.yield() }
        try await Task.sleep(for: .milliseconds(30))
        #expect(pushed.load(ordering: .sequentiallyConsistent) == 2)
        while let batch = try await arrivals.next(limit: 10) {
            #expect(batch.count <= 2)
            taken += batch
        }
        await producer.value
        #expect(taken == [1, 2, 3, 4, 5])
    }

    @Test func theProducersErrorComesAfterWhatArrivedBeforeIt() async throws {
        let arrivals = ArrivalBatches<Int>(capacity: 10)
        _ = await arrivals.push(1)
        arrivals.finish(throwing: Failed())
        #expect(try await arrivals.next(limit: 10) == [1])
        await #expect(throws: Failed.self) { try await arrivals.next(limit: 10) }
    }

    @Test func closingReleasesAWaitingProducerAndRefusesMore() async throws {
        let arrivals = ArrivalBatches<Int>(capacity: 1)
        _ = await arrivals.push(1)
        let blocked = Task { await arrivals.push(2) }
        try await Task.sleep(for: .milliseconds(20))
        arrivals.close()
        #expect(await blocked.value == false)
        #expect(await arrivals.push(3) == false)
    }
}
