import Foundation
import GRPCCore
import Logging
import PostgresNIO
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import Synchronization
import TestSupport
import Testing

extension EndToEnd {
    /// Consumers killed with SIGKILL mid-stream lose no event and apply none twice: the effect,
    /// the applied event id and the cursor commit together.
    @Suite struct ConsumerFaultTests {
        @Test func killingIncentivesMidStreamLosesNothingAndRepeatsNothing() async throws {
            let (stack, database, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            // A rep of their own, so the totals below count only this test's opportunities.
            let owner = Caller(tenant: People.tenant, userID: "fault.\(UInt16.random(in: 0...UInt16.max))", roles: [.rep], orgPath: "/fault")
            let applied = { () async throws -> Int64 in
                try await TestEnvironment.withAdminConnection(to: database.url(for: .incentives)) { connection in
                    try await connection.query(
                        "SELECT count(*) FROM incentives.pipeline_credits WHERE owner_id = \(owner.userID)", logger: Logger(label: "test")
                    )
                    .collect().map { try $0.decode(Int64.self) }.first ?? 0
                }
            }

            // Opportunities keep coming until the kills are over, and a few after, so every kill
            // lands while the stream is still being written.
            let killsDone = Mutex(false)
            let producer = Task {
                try await client.with(.opportunities) { grpc in
                    let opportunities = Sales_Opportunities_V1_OpportunityService.Client(wrapping: grpc)
                    var amounts: [Int64] = []
                    var after = 0
                    while amounts.count < 20 || after < 5 {
                        if killsDone.withLock({ $0 }) { after += 1 }
                        let amount = Int64(amounts.count + 1) * 10_000
                        _ = try await opportunities.createOpportunity(
                            .with {
                                $0.name = "故障测试 #\(amounts.count)"
                                $0.customerName = "测试医院"
                                $0.amount = .with {
                                    $0.minorUnits = amount; $0.currency = "CNY"
                                }
                                $0.expectedClose = Google_Protobuf_Timestamp(date: Date().addingTimeInterval(86_400 * 10))
                            }, metadata: try await client.metadata(owner, idempotencyKey: "fault-\(owner.userID)-\(amounts.count)"))
                        amounts.append(amount)
                        try await Task.sleep(for: .milliseconds(15))
                    }
                    return amounts
                }
            }
            /// What incentives had applied of this test's events when it was killed: each kill
            /// waits for the consumer to apply something more since the last one.
            var appliedAtKill: [Int64] = []
            for _ in 0..<3 {
                let before = appliedAtKill.last ?? 0
                let deadline = ContinuousClock.now + .seconds(60)
                while try await applied() <= before, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(10))
                }
                await stack.kill(.incentives, signal: SIGKILL)
                appliedAtKill.append(try await applied())
                await stack.kill(.forecasting, signal: SIGKILL)
                #expect(await stack.lastExitStatus(.incentives) == 128 + SIGKILL)
                try await Task.sleep(for: .milliseconds(100))
                try await stack.start(.incentives)
                try await stack.start(.forecasting)
            }
            killsDone.withLock { $0 = true }
            let amounts = try await producer.value
            let count = amounts.count
            // Every kill landed while the stream was being applied: some events in, not all.
            #expect(appliedAtKill.allSatisfy { 0 < $0 && $0 < Int64(count) }, "applied when killed: \(appliedAtKill) of \(count)")
            try await stack.waitUntilHealthy(.incentives)
            try await stack.waitUntilHealthy(.forecasting)

            let expectedTotal = amounts.reduce(0, +)
            let incentives = try await client.eventually(timeout: .seconds(60)) {
                let overview = try await client.with(.incentives) { grpc in
                    try await Sales_Incentives_V1_IncentiveService.Client(wrapping: grpc).getOverview(
                        .init(), metadata: try await client.metadata(owner))
                }
                return overview.opportunitiesRecorded >= Int64(count) ? overview : nil
            }
            // Running totals are incremented per applied event: a repeat would overshoot both.
            #expect(incentives.opportunitiesRecorded == Int64(count))
            #expect(incentives.pipeline.minorUnits == expectedTotal)

            let forecast = try await client.eventually(timeout: .seconds(60)) {
                let overview = try await client.with(.forecasting) { grpc in
                    try await Sales_Forecasting_V1_ForecastService.Client(wrapping: grpc).getOverview(
                        .init(), metadata: try await client.metadata(owner))
                }
                return overview.opportunitiesTracked >= Int64(count) ? overview : nil
            }
            #expect(forecast.opportunitiesTracked == Int64(count))
            #expect(forecast.periods.map(\.pipeline.minorUnits).reduce(0, +) == expectedTotal)
        }
    }
}
