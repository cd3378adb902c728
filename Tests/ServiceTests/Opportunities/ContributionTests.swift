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

/// Who did the work: the deal team, the matrix ticked from recorded activities, its freeze at
/// the win, the confirmations asked of the people credited, the hold (a dispute, or a part still
/// unconfirmed after 72 hours), a late confirmation, and a member whose part stays small.
@Suite struct ContributionTests {
    typealias Contributions = Sales_Opportunities_V1_ContributionService.Client<InProcessTransport.Client>

    struct Team {
        let rep, presales, colleague, admin: Caller

        init() {
            let people = StageMoveTests.People()
            rep = people.rep
            admin = people.admin
            presales = Caller(tenant: people.rep.tenant, userID: "zhao.gong", roles: [.rep], orgPath: "/presales")
            colleague = Caller(tenant: people.rep.tenant, userID: "zhou.jie", roles: [.rep], orgPath: "/east/east-sh")
        }
    }

    static func hosted(
        _ body: @Sendable (StageMoveTests.Clients, Contributions, Database) async throws -> Void
    ) async throws {
        try await ServiceHarness.with(
            .opportunities, migrations: OpportunitiesServer.migrations, build: { try OpportunitiesServer.components($0) }
        ) { grpc, tokens, database in
            try await body(StageMoveTests.Clients(grpc, tokens: tokens), Contributions(wrapping: grpc), database)
        }
    }

    static func record(
        _ kind: Sales_Opportunities_V1_ActivityKind, on deal: String, signals: [String] = [], by caller: Caller,
        clients: StageMoveTests.Clients
    ) async throws -> Sales_Opportunities_V1_Activity {
        try await clients.deals.recordActivity(
            .with {
                $0.activity = .with {
                    $0.opportunityID = deal
                    $0.kind = kind
                    $0.occurredAt = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: -600))
                    $0.summary = "记录：\(kind)"
                    $0.signals = signals
                }
            }, metadata: try await clients.metadata(caller))
    }

    static func events(_ type: String, of deal: String, in database: Database) async throws -> Int {
        let rows = try await database.query("SELECT count(*) FROM outbox WHERE event_type LIKE \("%" + type) AND aggregate_id = \(deal)")
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    @Test func theMatrixFollowsTheWorkFreezesAtTheWinAndWaitsForEveryConfirmation() async throws {
        let team = Team()
        try await Self.hosted { clients, contributions, database in
            let deal = try await clients.newDeal(by: team.rep)
            let asPresales = try await clients.metadata(team.presales)
            // Not on the team yet: the presales engineer cannot see the deal.
            let before = await refusal { try await clients.deals.getOpportunity(.with { $0.id = deal.id }, metadata: asPresales) }
            #expect(before?.code == .notFound)
            let member = try await contributions.addDealTeamMember(
                .with {
                    $0.opportunityID = deal.id
                    $0.personID = "zhao.gong"
                    $0.orgPath = "/presales"
                    $0.role = .presales
                }, metadata: try await clients.metadata(team.rep))
            #expect(member.role == .presales && member.addedBy == "li.na")
            // Credited people see the deal, alone and in their list.
            #expect(try await clients.deals.getOpportunity(.with { $0.id = deal.id }, metadata: asPresales).id == deal.id)
            #expect(try await clients.deals.listOpportunities(.init(), metadata: asPresales).opportunities.map(\.id) == [deal.id])

            let demo = try await Self.record(.demo, on: deal.id, by: team.presales, clients: clients)
            let visit = try await clients.visit(deal.id, by: team.rep)
            _ = try await Self.record(.meeting, on: deal.id, signals: ["legal_review"], by: team.rep, clients: clients)
            let live = try await contributions.getContributionMatrix(.with { $0.opportunityID = deal.id }, metadata: asPresales)
            #expect(!live.frozen)
            #expect(live.ticks.first { $0.action == .pocSupport }?.evidenceID == demo.id)
            #expect(live.ticks.first { $0.action == .needsDiagnosis }?.evidenceID == visit.id)
            #expect(live.shares.map(\.personID) == ["li.na", "zhao.gong"])
            #expect(live.shares.map(\.points) == [45, 25])
            #expect(live.shares.map(\.amount.minorUnits).reduce(0, +) == deal.amount.minorUnits)

            let early = await refusal {
                try await contributions.confirmContribution(
                    .with {
                        $0.opportunityID = deal.id
                        $0.statement = "做了演示"
                    }, metadata: asPresales)
            }
            #expect(early?.code == .failedPrecondition)

            _ = try await clients.advance(deal.id, to: "赢单", override: "客户当面签约，补录", by: team.admin)
            let won = try await contributions.getContributionMatrix(.with { $0.opportunityID = deal.id }, metadata: asPresales)
            #expect(won.frozen && !won.held && won.hasConfirmBy)
            #expect(won.shares.allSatisfy { $0.confirmation.state == .pending })
            #expect(abs(won.confirmBy.date.timeIntervalSince(won.wonAt.date) - 72 * 3_600) < 1)
            #expect(try await Self.events("ContributionMatrixFrozen", of: deal.id, in: database) == 1)
            let asks = try await clients.notifications.listNotificationDeliveries(
                .with { $0.subjectID = deal.id }, metadata: try await clients.metadata(team.admin)
            ).deliveries.filter { $0.notice == "contribution_confirm" }
            #expect(Set(asks.map(\.audience)) == ["person:li.na", "person:zhao.gong"])

            // Activities after the win do not change the frozen matrix.
            _ = try await Self.record(.demo, on: deal.id, by: team.rep, clients: clients)
            let still = try await contributions.getContributionMatrix(.with { $0.opportunityID = deal.id }, metadata: asPresales)
            #expect(still.ticks == won.ticks)

            // A stranger to the matrix has nothing to confirm; a dispute holds the deal; confirming releases it.
            let outsider = await refusal {
                try await contributions.confirmContribution(
                    .with {
                        $0.opportunityID = deal.id
                        $0.statement = "我也参与了"
                    }, metadata: try await clients.metadata(team.admin))
            }
            #expect(outsider?.code == .failedPrecondition && outsider?.message.contains("no part") == true)
            let disputed = try await contributions.confirmContribution(
                .with {
                    $0.opportunityID = deal.id
                    $0.statement = "方案也是我写的"
                    $0.dispute = true
                }, metadata: asPresales)
            #expect(disputed.held && disputed.holdReason == "disputed by zhao.gong")
            _ = try await contributions.confirmContribution(
                .with {
                    $0.opportunityID = deal.id
                    $0.statement = "跑了五次医院，谈下合同"
                }, metadata: try await clients.metadata(team.rep))
            let released = try await contributions.confirmContribution(
                .with {
                    $0.opportunityID = deal.id
                    $0.statement = "做了腔镜演示和 POC"
                }, metadata: asPresales)
            #expect(!released.held && released.shares.allSatisfy { $0.confirmation.state == .confirmed && !$0.confirmation.late })
            #expect(released.shares.first { $0.personID == "zhao.gong" }?.confirmation.statement == "做了腔镜演示和 POC")
            #expect(try await Self.events("ContributionHoldChanged", of: deal.id, in: database) == 2)
            #expect(try await Self.events("ContributionAnswered", of: deal.id, in: database) == 3)
        }
    }

    @Test func aPartUnconfirmedAfter72HoursHoldsTheDealAndALateConfirmationIsMarkedLate() async throws {
        let team = Team()
        try await Self.hosted { clients, contributions, database in
            let deal = try await clients.newDeal(by: team.rep)
            _ = try await clients.visit(deal.id, by: team.rep)
            _ = try await clients.advance(deal.id, to: "赢单", override: "客户当面签约，补录", by: team.admin)
            let admin = try await clients.metadata(team.admin)
            #expect(try await contributions.sweepContributions(.init(), metadata: admin).held == 0, "the 72 hours are not over")
            try await database.query(
                "UPDATE contribution_snapshots SET confirm_by = now() - interval '1 hour' WHERE opportunity_id = \(UUID(uuidString: deal.id)!)")
            #expect(try await contributions.sweepContributions(.init(), metadata: admin).held == 1)
            #expect(try await contributions.sweepContributions(.init(), metadata: admin).held == 0, "held once")
            let held = try await contributions.getContributionMatrix(.with { $0.opportunityID = deal.id }, metadata: admin)
            #expect(held.held && held.holdReason == "unconfirmed after 72 hours: li.na")
            let copies = try await clients.notifications.listNotificationDeliveries(.with { $0.subjectID = deal.id }, metadata: admin)
                .deliveries.filter { $0.notice == "contribution_held" }
            #expect(copies.map(\.audience) == ["team:/east/east-sh"])

            let late = try await contributions.confirmContribution(
                .with {
                    $0.opportunityID = deal.id
                    $0.statement = "拜访并签下合同"
                }, metadata: try await clients.metadata(team.rep))
            #expect(late.shares[0].confirmation.late && late.shares[0].confirmation.state == .confirmed)
            #expect(!late.held, "every part is confirmed now: incentives may go on, knowing it was late")
        }
    }

    @Test func aMemberWhosePartStaysUnderFivePointsFor15DaysIsNotedToTheirManager() async throws {
        let team = Team()
        try await Self.hosted { clients, contributions, database in
            let deal = try await clients.newDeal(by: team.rep)
            for person in ["zhao.gong", "zhou.jie"] {
                _ = try await contributions.addDealTeamMember(
                    .with {
                        $0.opportunityID = deal.id
                        $0.personID = person
                        $0.orgPath = person == "zhao.gong" ? "/presales" : "/east/east-sh"
                        $0.role = person == "zhao.gong" ? .presales : .sales
                    }, metadata: try await clients.metadata(team.rep))
            }
            _ = try await Self.record(.demo, on: deal.id, by: team.presales, clients: clients)
            try await database.query(
                "UPDATE deal_team SET joined_at = now() - interval '16 days' WHERE opportunity_id = \(UUID(uuidString: deal.id)!)")
            let admin = try await clients.metadata(team.admin)
            #expect(try await contributions.sweepContributions(.init(), metadata: admin).lowPartsNoted == 1, "zhou.jie recorded nothing")
            #expect(try await contributions.sweepContributions(.init(), metadata: admin).lowPartsNoted == 0, "checked once")
            let notes = try await clients.notifications.listNotificationDeliveries(.with { $0.subjectID = deal.id }, metadata: admin)
                .deliveries.filter { $0.notice == "contribution_low" }
            #expect(notes.map(\.audience) == ["team:/east/east-sh"])
            let teamList = try await contributions.listDealTeam(.with { $0.opportunityID = deal.id }, metadata: admin)
            #expect(teamList.members.map(\.personID) == ["li.na", "zhao.gong", "zhou.jie"])
        }
    }

    @Test func weightsAreTheTenantsAndBadInputIsRefusedNamingTheField() async throws {
        let team = Team()
        try await Self.hosted { clients, contributions, _ in
            let admin = try await clients.metadata(team.admin)
            let rep = try await clients.metadata(team.rep)
            #expect(try await contributions.getContributionWeights(.init(), metadata: rep).weights.map(\.weight) == [15, 10, 10, 25, 35, 3, 2])
            var weights = try await contributions.getContributionWeights(.init(), metadata: rep)
            let byRep = await refusal {
                try await contributions.setContributionWeights(.with { $0.weights = weights.weights }, metadata: rep)
            }
            #expect(byRep?.code == .permissionDenied)
            weights.weights[0].weight = 20
            let over = await refusal {
                try await contributions.setContributionWeights(.with { $0.weights = weights.weights }, metadata: admin)
            }
            #expect(over?.code == .invalidArgument && over?.message.contains("add up to 105") == true, "\(over?.message ?? "")")
            let twice = await refusal {
                try await contributions.setContributionWeights(.with { $0.weights = weights.weights + [weights.weights[0]] }, metadata: admin)
            }
            #expect(twice?.message.contains("weights[7].action") == true, "\(twice?.message ?? "")")
            weights.weights[1].weight = 5
            _ = try await contributions.setContributionWeights(.with { $0.weights = weights.weights }, metadata: admin)
            #expect(try await contributions.getContributionWeights(.init(), metadata: rep).weights.map(\.weight) == [20, 5, 10, 25, 35, 3, 2])

            let deal = try await clients.newDeal(by: team.rep)
            let cases: [(Sales_Opportunities_V1_AddDealTeamMemberRequest, String)] = [
                (.with { $0.opportunityID = "nope" }, "opportunity_id"),
                (
                    .with {
                        $0.opportunityID = deal.id; $0.orgPath = "/presales"; $0.role = .presales
                    }, "person_id"
                ),
                (
                    .with {
                        $0.opportunityID = deal.id; $0.personID = "zhao\u{0}"; $0.orgPath = "/presales"; $0.role = .presales
                    }, "person_id"
                ),
                (
                    .with {
                        $0.opportunityID = deal.id; $0.personID = "zhao.gong"; $0.orgPath = "presales"; $0.role = .presales
                    }, "org_path"
                ),
                (
                    .with {
                        $0.opportunityID = deal.id; $0.personID = "zhao.gong"; $0.orgPath = "/presales"
                    }, "role"
                ),
                (
                    .with {
                        $0.opportunityID = deal.id; $0.personID = "zhao.gong"; $0.orgPath = "/presales"; $0.role = .init(rawValue: 9)!
                    }, "role"
                ),
            ]
            for (request, field) in cases {
                let refused = await refusal { try await contributions.addDealTeamMember(request, metadata: rep) }
                #expect(refused?.code == .invalidArgument && refused?.message.contains(field) == true, "\(field): \(refused?.message ?? "")")
            }
            // Another tenant's deal, and a deal the caller cannot see, read as missing.
            let colleague = try await clients.metadata(team.colleague)
            let unseen = await refusal {
                try await contributions.getContributionMatrix(.with { $0.opportunityID = deal.id }, metadata: colleague)
            }
            #expect(unseen?.code == .notFound)
            let selfAdd = await refusal {
                try await contributions.addDealTeamMember(
                    .with {
                        $0.opportunityID = deal.id
                        $0.personID = "zhou.jie"
                        $0.orgPath = "/east/east-sh"
                        $0.role = .sales
                    }, metadata: colleague)
            }
            #expect(selfAdd?.code == .notFound, "nobody adds themselves to a deal they cannot see")
            let shortStatement = await refusal {
                try await contributions.confirmContribution(
                    .with {
                        $0.opportunityID = deal.id
                        $0.statement = "好"
                    }, metadata: rep)
            }
            #expect(shortStatement?.code == .invalidArgument && shortStatement?.message.contains("statement") == true)
        }
    }
}
