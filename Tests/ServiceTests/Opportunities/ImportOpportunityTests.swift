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

/// Deals from another system: their history kept at its own times, each change through the gate
/// it enters (refused naming what is missing, or let through by an admin's recorded override),
/// one deal per external id however often it is imported.
@Suite struct ImportOpportunityTests {
    static func day(_ offset: Double) -> Google_Protobuf_Timestamp {
        // 2023-11-14, whole seconds: what the database keeps reads back equal.
        Google_Protobuf_Timestamp(seconds: 1_700_000_000 + Int64(offset * 86_400))
    }

    static func request(
        _ externalID: String, history: [(String, Double, String, String)], override: String = ""
    ) -> Sales_Opportunities_V1_ImportOpportunityRequest {
        .with {
            $0.externalID = externalID
            $0.opportunity = OpportunityServiceTests.valid
            $0.opportunity.ownerID = "li.na"
            $0.opportunity.ownerOrgPath = "/east/east-sh"
            $0.createdAt = day(0)
            $0.history = history.map { stage, offset, action, feedback in
                .with {
                    $0.toStage = stage
                    $0.changedAt = day(offset)
                    $0.keyAction = action
                    $0.feedback = feedback
                    $0.changedBy = "li.na"
                }
            }
            $0.overrideReason = override
            $0.source = "旧CRM.xlsx line 7"
        }
    }

    @Test func historyIsKeptAtItsTimesThroughTheGatesAndAnExternalIDImportsOnce() async throws {
        let people = StageMoveTests.People()
        try await ServiceHarness.with(
            .opportunities, migrations: OpportunitiesServer.migrations, build: { try OpportunitiesServer.components($0) }
        ) { grpc, tokens, database in
            let clients = StageMoveTests.Clients(grpc, tokens: tokens)
            let admin = try await clients.metadata(people.admin)
            let met = try await clients.deals.importOpportunity(
                Self.request("OPP-1", history: [("需求确认", 3, "电话沟通", "要资料")]), metadata: admin)
            #expect(met.opportunity.stageKey == "需求确认" && met.opportunity.ownerID == "li.na" && !met.alreadyImported)
            #expect(met.opportunity.createdAt == Self.day(0) && met.opportunity.stageEnteredAt == Self.day(3))
            #expect(met.history.map(\.changedAt) == [Self.day(3)] && met.history[0].changedBy == "li.na")
            #expect(met.history[0].overrideReason.isEmpty)

            // 方案报价 needs a visit on record: an import without one is refused, naming it, and leaves nothing.
            let unmet = Self.request("OPP-2", history: [("需求确认", 3, "电话沟通", "要资料"), ("方案报价", 9, "发送方案", "看报价")])
            let refused = await refusal { try await clients.deals.importOpportunity(unmet, metadata: admin) }
            #expect(refused?.code == .failedPrecondition)
            #expect(refused?.message.contains("history[1]: entering 方案报价 needs: requirement visited") == true, "\(refused?.message ?? "")")
            let noAction = await refusal {
                try await clients.deals.importOpportunity(Self.request("OPP-3", history: [("需求确认", 3, "", "")]), metadata: admin)
            }
            #expect(noAction?.message.contains("key_action") == true && noAction?.message.contains("feedback") == true)
            let all = try await clients.deals.listOpportunities(.init(), metadata: admin)
            #expect(all.opportunities.map(\.id) == [met.opportunity.id], "a refused import stores nothing")

            // With an admin's reason the change that misses its gate is let through and audited; the one that met it is not.
            var overridden = unmet
            overridden.overrideReason = "迁移自旧 CRM，无拜访记录"
            let through = try await clients.deals.importOpportunity(overridden, metadata: admin)
            #expect(through.history.map(\.overrideReason) == ["", "迁移自旧 CRM，无拜访记录"])
            let audit = try await clients.deals.listStageOverrides(.init(), metadata: admin)
            #expect(audit.changes.map(\.opportunityID) == [through.opportunity.id])

            // A won deal imported as history asks nobody to confirm anything.
            let won = try await clients.deals.importOpportunity(
                Self.request(
                    "OPP-4", history: [("需求确认", 3, "电话沟通", "要资料"), ("赢单", 30, "签署合同", "签了")], override: "迁移自旧 CRM"),
                metadata: admin)
            #expect(won.opportunity.stage == .won && won.history.count == 2)
            let events = try await database.query(
                """
                SELECT event_type, count(*) FROM outbox WHERE aggregate_id = \(won.opportunity.id) GROUP BY event_type ORDER BY event_type
                """)
            var counts: [String: Int64] = [:]
            for try await (type, count) in events.decode((String, Int64).self) { counts[String(type.split(separator: ".").last ?? "")] = count }
            #expect(counts == ["OpportunityImported": 1], "one event with the history; no fresh moves, no confirmations")
            let open = try await database.query(
                "SELECT event_type FROM outbox WHERE aggregate_id = \(met.opportunity.id) ORDER BY sequence")
            var types: [String] = []
            for try await type in open.decode(String.self) { types.append(String(type.split(separator: ".").last ?? "")) }
            #expect(types == ["OpportunityCreated", "OpportunityImported"], "a deal still open joins the live pipeline")

            // The same external id again: the deal it became, nothing new.
            let again = try await clients.deals.importOpportunity(
                Self.request("OPP-1", history: [("需求确认", 3, "电话沟通", "换了个说法")]), metadata: admin)
            #expect(again.alreadyImported && again.opportunity.id == met.opportunity.id)
            #expect(try await clients.deals.listOpportunities(.init(), metadata: admin).opportunities.count == 3)
        }
    }

    @Test func badRowsAreRefusedNamingTheFieldAndRepsCannotImport() async throws {
        let people = StageMoveTests.People()
        try await ServiceHarness.with(
            .opportunities, migrations: OpportunitiesServer.migrations, build: { try OpportunitiesServer.components($0) }
        ) { grpc, tokens in
            let clients = StageMoveTests.Clients(grpc, tokens: tokens)
            let admin = try await clients.metadata(people.admin)
            let byRep = await refusal {
                try await clients.deals.importOpportunity(Self.request("X", history: []), metadata: try await clients.metadata(people.rep))
            }
            #expect(byRep?.code == .permissionDenied)

            var noID = Self.request("", history: [])
            noID.externalID = "  "
            var noName = Self.request("N", history: [])
            noName.opportunity.name = ""
            var future = Self.request("F", history: [])
            future.createdAt = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: 86_400))
            var noStart = Self.request("S", history: [])
            noStart.clearCreatedAt()
            let cases: [(Sales_Opportunities_V1_ImportOpportunityRequest, String)] = [
                (noID, "external_id"),
                (noName, "opportunity.name"),
                (future, "created_at"),
                (noStart, "created_at"),
                (Self.request("O", history: [("需求确认", 5, "电话沟通", "要资料"), ("商务谈判", 4, "处理异议", "压价")]), "history[1].changed_at"),
                (Self.request("U", history: [("需求确认x", 5, "电话沟通", "要资料")]), "history[0].to_stage"),
                (Self.request("L", history: [("需求确认", 5, "电话沟通", String(repeating: "长", count: 51))]), "history[0].feedback"),
                (Self.request("E", history: [("", 5, "电话沟通", "要资料")]), "history[0].to_stage"),
            ]
            for (request, field) in cases {
                let refused = await refusal { try await clients.deals.importOpportunity(request, metadata: admin) }
                #expect(refused?.code == .invalidArgument && refused?.message.hasPrefix(field) == true, "\(field): \(refused?.message ?? "")")
            }
        }
    }
}
