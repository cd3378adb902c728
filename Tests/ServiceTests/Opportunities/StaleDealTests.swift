import Foundation
import GRPCCore
import GRPCInProcessTransport
import OpportunitiesService
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

/// Deals that stopped moving: flagged once per stay in a stage, in the tenant's working time, the
/// owner reminded and the team's channels copied through the shared notification module; a move
/// or an activity clears the flag. And where deals wait: dwell by stage and hour of day.
@Suite struct StaleDealTests {
    @Test func aDealThatStoppedMovingIsFlaggedOnceAndAnActivityClearsIt() async throws {
        let people = StageMoveTests.People()
        try await ServiceHarness.with(
            .opportunities, migrations: OpportunitiesServer.migrations, build: { try OpportunitiesServer.components($0) }
        ) { grpc, tokens, database in
            let clients = StageMoveTests.Clients(grpc, tokens: tokens)
            let admin = try await clients.metadata(people.admin)
            let stuck = try await clients.newDeal(by: people.rep)
            _ = try await clients.advance(stuck.id, to: "需求确认", action: "电话沟通", feedback: "要资料", by: people.rep)
            let fresh = try await clients.newDeal(by: people.rep)
            _ = try await clients.advance(fresh.id, to: "需求确认", action: "电话沟通", feedback: "要资料", by: people.rep)
            // Two weeks in 需求确认 (a fast stage: 48 business hours), no activity since.
            try await database.query(
                "UPDATE opportunities SET stage_entered_at = now() - interval '14 days' WHERE id = \(UUID(uuidString: stuck.id)!)")

            let swept = try await clients.deals.sweepStaleDeals(.init(), metadata: admin)
            #expect(swept.flagged == 1, "only the deal that stopped")
            let flagged = try await clients.deals.getOpportunity(.with { $0.id = stuck.id }, metadata: try await clients.metadata(people.rep))
            #expect(flagged.hasStaleSince)
            #expect(
                flagged.staleReason.contains("business hours in 需求确认 (limit 48)") && flagged.staleReason.contains("no activity for"),
                "\(flagged.staleReason)")
            let staleOnly = try await clients.deals.listOpportunities(.with { $0.staleOnly = true }, metadata: try await clients.metadata(people.rep))
            #expect(staleOnly.opportunities.map(\.id) == [stuck.id])

            // The owner's reminder and the team's copy, logged as skipped: this tenant set up no channel.
            let deliveries = try await clients.notifications.listNotificationDeliveries(.with { $0.subjectID = stuck.id }, metadata: admin).deliveries
            #expect(Set(deliveries.map(\.notice)) == ["deal_stale", "deal_stale_copy"])
            #expect(deliveries.first { $0.notice == "deal_stale" }?.audience == "person:li.na")
            #expect(deliveries.first { $0.notice == "deal_stale_copy" }?.audience == "team:/east/east-sh")
            #expect(deliveries.allSatisfy { $0.status == .skipped })

            #expect(try await clients.deals.sweepStaleDeals(.init(), metadata: admin).flagged == 0, "once per stay in a stage")
            _ = try await clients.visit(stuck.id, by: people.rep)
            let cleared = try await clients.deals.getOpportunity(.with { $0.id = stuck.id }, metadata: try await clients.metadata(people.rep))
            #expect(!cleared.hasStaleSince && cleared.staleReason.isEmpty)

            let repSweep = await refusal {
                try await clients.deals.sweepStaleDeals(.init(), metadata: try await clients.metadata(people.rep))
            }
            #expect(repSweep?.code == .permissionDenied)

            // Where deals wait: both left 初步接触 once; the rep sees their own.
            let dwell = try await clients.deals.getStageDwell(.init(), metadata: try await clients.metadata(people.rep)).cells
            #expect(dwell.filter { $0.stage == "初步接触" }.map(\.moves).reduce(0, +) == 2)
            #expect(dwell.allSatisfy { (0...23).contains($0.hourOfDay) && $0.averageHours >= 0 })
            let stranger = try await clients.deals.getStageDwell(.init(), metadata: try await clients.metadata(people.stranger)).cells
            #expect(stranger.isEmpty, "another tenant sees none of it")
        }
    }
}
