import Foundation
import GRPCCore
import GRPCInProcessTransport
import OpportunitiesService
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

/// The playbook: an objection recorded on a deal brings back the best-matching atoms; their
/// figures come from recorded uses and the outcomes of the deals; a rep's atom adopted by others
/// counts toward the rep's badge.
@Suite struct PlaybookTests {
    typealias Playbook = Sales_Opportunities_V1_PlaybookService.Client<InProcessTransport.Client>

    static func atom(_ objection: String, stage: String = "*", type: String = "*", strategies: Int = 1) -> Sales_Opportunities_V1_PlaybookAtom {
        .with {
            $0.objection = objection
            $0.stage = stage
            $0.customerType = type
            $0.strategies = (0..<strategies).map { index in
                .with {
                    $0.text = "策略\(index + 1)：算五年总成本"
                    $0.conditions = "客户拿竞品单价比较"
                    $0.expectedEffect = "比较从单价转到总成本"
                }
            }
        }
    }

    @Test func anObjectionBringsBackTheBestAtomsWithFiguresFromRecordedUse() async throws {
        let people = StageMoveTests.People()
        let colleague = Caller(tenant: people.rep.tenant, userID: "zhang.wei", roles: [.rep], orgPath: "/east/east-sh")
        try await ServiceHarness.with(
            .opportunities, migrations: OpportunitiesServer.migrations, build: { try OpportunitiesServer.components($0) }
        ) { grpc, tokens in
            let clients = StageMoveTests.Clients(grpc, tokens: tokens)
            let playbook = Playbook(wrapping: grpc)
            let admin = try await clients.metadata(people.admin)
            let rep = try await clients.metadata(people.rep)
            let negotiation = try await playbook.savePlaybookAtom(
                .with { $0.atom = Self.atom("价格太高", stage: "商务谈判", type: "三甲医院", strategies: 2) }, metadata: admin)
            let anyStage = try await playbook.savePlaybookAtom(.with { $0.atom = Self.atom("价格太贵了") }, metadata: admin)
            _ = try await playbook.savePlaybookAtom(.with { $0.atom = Self.atom("交期太长") }, metadata: admin)
            _ = try await playbook.savePlaybookAtom(.with { $0.atom = Self.atom("价格太高", type: "民营医院") }, metadata: admin)

            var request = OpportunityServiceTests.valid
            request.customerType = "三甲医院"
            let deal = try await clients.deals.createOpportunity(request, metadata: rep)
            var visit = StageMoveTests.visit(deal.id)
            visit.objection = "价格太高了"
            let recorded = try await clients.deals.recordActivity(.with { $0.activity = visit }, metadata: rep)
            // In 初步接触 only the atom for any stage fits; the 民营医院 one is another customer type.
            #expect(recorded.playbook.map(\.atom.id) == [anyStage.id])
            let stored = try await clients.deals.listActivities(.with { $0.opportunityID = deal.id }, metadata: rep)
            #expect(stored.activities[0].playbook.isEmpty, "suggestions are read fresh, not stored with the activity")

            _ = try await clients.advance(deal.id, to: "商务谈判", override: "测试：直接进入谈判", by: people.admin)
            let suggested = try await playbook.suggestPlaybook(
                .with {
                    $0.opportunityID = deal.id
                    $0.objection = "价格太高"
                }, metadata: rep)
            #expect(suggested.suggestions.map(\.atom.id) == [negotiation.id, anyStage.id])
            #expect(suggested.suggestions[0].score == 4.5)

            // Uses on deals that closed: 4 won of 6 with the atom, against 4 of 10 for the tenant.
            var used: [String] = []
            for _ in 0..<6 {
                let other = try await clients.deals.createOpportunity(request, metadata: rep)
                _ = try await playbook.usePlaybookAtom(
                    .with {
                        $0.atomID = anyStage.id
                        $0.opportunityID = other.id
                    }, metadata: rep)
                used.append(other.id)
            }
            for (index, id) in used.enumerated() {
                _ = try await clients.advance(id, to: index < 4 ? "赢单" : "输单", override: "测试：结单", by: people.admin)
            }
            for _ in 0..<4 {
                let unused = try await clients.deals.createOpportunity(request, metadata: rep)
                _ = try await clients.advance(unused.id, to: "输单", override: "测试：结单", by: people.admin)
            }
            let figured = try await playbook.suggestPlaybook(
                .with {
                    $0.opportunityID = deal.id
                    $0.objection = "价格太贵了"
                }, metadata: rep
            ).suggestions.first { $0.atom.id == anyStage.id }
            #expect(figured?.figures.uses == 6 && figured?.figures.closedDeals == 6 && figured?.figures.wonDeals == 4)
            #expect(figured?.figures.winLiftPercent == 67)
            #expect(figured?.figures.summary == "本区域 7 天内使用 6 次；使用后赢单率高 67%")
            #expect(figured?.atom.adoptions == 6, "li.na is not the proposer: each use on a deal is an adoption")

            // A rep's atom from a deal's notes: their colleague's uses count toward the 10-adoption badge.
            let proposed = try await playbook.proposePlaybookAtom(
                .with {
                    $0.opportunityID = deal.id
                    $0.atom = Self.atom("要先试用")
                }, metadata: rep)
            #expect(proposed.proposedBy == "li.na" && proposed.proposedFromDeal == deal.id)
            let asColleague = try await clients.metadata(colleague)
            for round in 0..<10 {
                let theirs = try await clients.deals.createOpportunity(request, metadata: asColleague)
                var metadata = asColleague
                metadata.addString("use-\(round)", forKey: "idempotency-key")
                for _ in 0..<2 {  // a retried call counts once
                    _ = try await playbook.usePlaybookAtom(
                        .with {
                            $0.atomID = proposed.id
                            $0.opportunityID = theirs.id
                        }, metadata: metadata)
                }
            }
            let badges = try await playbook.getPlaybookBadges(.init(), metadata: rep).proposers
            #expect(badges.first { $0.personID == "li.na" }.map { ($0.adoptions, $0.tenAdoptions) } ?? (0, false) == (10, true))
            #expect(badges.first { $0.personID == "admin" }?.tenAdoptions == false)
        }
    }

    @Test func badAtomsAndUsesAreRefusedNamingTheField() async throws {
        let people = StageMoveTests.People()
        try await ServiceHarness.with(
            .opportunities, migrations: OpportunitiesServer.migrations, build: { try OpportunitiesServer.components($0) }
        ) { grpc, tokens in
            let clients = StageMoveTests.Clients(grpc, tokens: tokens)
            let playbook = Playbook(wrapping: grpc)
            let admin = try await clients.metadata(people.admin)
            let rep = try await clients.metadata(people.rep)
            let byRep = await refusal { try await playbook.savePlaybookAtom(.with { $0.atom = Self.atom("价格太高") }, metadata: rep) }
            #expect(byRep?.code == .permissionDenied)
            let cases: [(Sales_Opportunities_V1_PlaybookAtom, String)] = [
                (Self.atom(""), "atom.objection"),
                (Self.atom("！"), "atom.objection"),
                (Self.atom("价格太高", strategies: 0), "atom.strategies"),
                (Self.atom("价格太高", strategies: 4), "atom.strategies"),
                (Self.atom("价格太高", type: String(repeating: "医", count: 41)), "atom.customer_type"),
            ]
            for (atom, field) in cases {
                let refused = await refusal { try await playbook.savePlaybookAtom(.with { $0.atom = atom }, metadata: admin) }
                #expect(refused?.code == .invalidArgument && refused?.message.hasPrefix(field) == true, "\(field): \(refused?.message ?? "")")
            }
            let atom = try await playbook.savePlaybookAtom(.with { $0.atom = Self.atom("价格太高") }, metadata: admin)
            let deal = try await clients.newDeal(by: people.rep)
            let badStrategy = await refusal {
                try await playbook.usePlaybookAtom(
                    .with {
                        $0.atomID = atom.id
                        $0.opportunityID = deal.id
                        $0.strategy = 3
                    }, metadata: rep)
            }
            #expect(badStrategy?.code == .invalidArgument && badStrategy?.message.hasPrefix("strategy") == true)
            let stranger = try await clients.metadata(people.stranger)
            let otherTenant = await refusal {
                try await playbook.suggestPlaybook(
                    .with {
                        $0.opportunityID = deal.id
                        $0.objection = "价格太高"
                    }, metadata: stranger)
            }
            #expect(otherTenant?.code == .notFound)
            let unknownAtom = await refusal {
                try await playbook.savePlaybookAtom(
                    .with {
                        $0.atom = Self.atom("价格太高")
                        $0.atom.id = UUID().uuidString
                    }, metadata: admin)
            }
            #expect(unknownAtom?.code == .notFound)
        }
    }
}
