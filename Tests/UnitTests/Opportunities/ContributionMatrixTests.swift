import Foundation
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import Testing

@testable import OpportunitiesService

/// The contribution matrix from recorded activities: who is ticked for which value action, on
/// what evidence, their points and their part of the amount.
@Suite struct ContributionMatrixTests {
    static func activity(
        _ kind: Sales_Opportunities_V1_ActivityKind, by person: String, daysAgo: Double, signals: [String] = [],
        action: Sales_Opportunities_V1_ValueAction = .unspecified
    ) -> Sales_Opportunities_V1_Activity {
        .with {
            $0.id = UUID().apiString
            $0.kind = kind
            $0.recordedBy = person
            $0.occurredAt = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: -daysAgo * 86_400))
            $0.signals = signals
            $0.valueAction = action
        }
    }

    static func builder(
        team: [ContributionMatrixBuilder.Member] = [], leadID: UUID? = nil, dealType: Sales_Opportunities_V1_DealType = .new,
        weights: [ValueActions.Action: Int32] = ValueActions.defaultWeights
    ) -> ContributionMatrixBuilder {
        var deal = StageGateTests.deal(in: "商务谈判")
        deal.leadID = leadID
        deal.dealType = dealType
        return ContributionMatrixBuilder(deal: deal, createdBy: "wang.fang", team: team, weights: weights)
    }

    static let presales = ContributionMatrixBuilder.Member(personID: "zhao.gong", orgPath: "/presales", role: .presales, joinedAt: Date())

    @Test func activitiesTickTheirValueActionsWithTheEarliestEvidence() throws {
        let firstVisit = Self.activity(.visit, by: "li.na", daysAgo: 20)
        let matrix = Self.builder(team: [Self.presales], leadID: UUID()).build(from: [
            Self.activity(.visit, by: "li.na", daysAgo: 10), firstVisit,
            Self.activity(.demo, by: "zhao.gong", daysAgo: 8),
            Self.activity(.meeting, by: "li.na", daysAgo: 2, signals: ["legal_review"]),
            Self.activity(.proposalSent, by: "zhao.gong", daysAgo: 5),
            Self.activity(.call, by: "li.na", daysAgo: 1),
        ])
        let ticks = Dictionary(grouping: matrix.ticks, by: \.personID).mapValues { Set($0.map(\.action)) }
        #expect(ticks["wang.fang"] == [.leadReferral])
        #expect(ticks["li.na"] == [.needsDiagnosis, .contractNegotiation])
        #expect(ticks["zhao.gong"] == [.pocSupport, .solutionDesign])
        let diagnosis = try #require(matrix.ticks.first { $0.action == .needsDiagnosis })
        #expect(diagnosis.evidenceID == firstVisit.id && diagnosis.evidenceKind == "activity")
        #expect(matrix.ticks.first { $0.action == .pocSupport }?.role == .presales)
        #expect(matrix.ticks.first { $0.action == .leadReferral }?.evidenceKind == "lead")
        // 35 + 10 for li.na, 25 + 10 for zhao.gong, 15 for wang.fang; 95 credited in all.
        let points = Dictionary(uniqueKeysWithValues: matrix.shares.map { ($0.personID, $0.points) })
        #expect(points == ["li.na": 45, "zhao.gong": 35, "wang.fang": 15])
        #expect(matrix.shares.map(\.personID) == ["li.na", "zhao.gong", "wang.fang"])
        #expect(matrix.shares.map(\.amount.minorUnits).reduce(0, +) == 128_000_000)
        #expect(matrix.shares[0].amount.minorUnits == 128_000_000 * 45 / 95 + 1)
    }

    @Test func anActionSharedByThreePeopleSplitsItsWeightAndTheAmountToTheFen() {
        let team = ["a", "b"].map { ContributionMatrixBuilder.Member(personID: $0, orgPath: "/east", role: .sales, joinedAt: Date()) }
        let matrix = Self.builder(team: team).build(from: ["li.na", "a", "b"].map { Self.activity(.visit, by: $0, daysAgo: 1) })
        #expect(matrix.shares.count == 3)
        #expect(matrix.shares.allSatisfy { abs($0.points - 3.33) < 0.01 })
        #expect(matrix.shares.map(\.amount.minorUnits).sorted() == [42_666_666, 42_666_667, 42_666_667])
    }

    @Test func implementationAndServiceRolesTickDeliveryAndRenewal() {
        let team = [
            ContributionMatrixBuilder.Member(personID: "impl", orgPath: "/delivery", role: .implementation, joinedAt: Date()),
            ContributionMatrixBuilder.Member(personID: "svc", orgPath: "/service", role: .service, joinedAt: Date()),
        ]
        let renewal = Self.builder(team: team, dealType: .renewal).build(from: [
            Self.activity(.demo, by: "impl", daysAgo: 3), Self.activity(.call, by: "svc", daysAgo: 2),
            Self.activity(.visit, by: "li.na", daysAgo: 1),
        ])
        let ticks = Dictionary(grouping: renewal.ticks, by: \.personID).mapValues { Set($0.map(\.action)) }
        #expect(ticks == ["impl": [.delivery], "svc": [.renewalPush], "li.na": [.renewalPush]])
    }

    @Test func anActivitysOwnValueActionWinsAndRoutineContactTicksNothing() {
        let matrix = Self.builder().build(from: [
            Self.activity(.call, by: "li.na", daysAgo: 3), Self.activity(.wechat, by: "li.na", daysAgo: 2),
            Self.activity(.task, by: "li.na", daysAgo: 1, action: .contractNegotiation),
        ])
        #expect(matrix.ticks.map(\.action) == [.contractNegotiation])
    }

    @Test func nothingRecordedLeavesTheWholeDealWithItsOwner() {
        let matrix = Self.builder().build(from: [Self.activity(.call, by: "li.na", daysAgo: 1)])
        #expect(matrix.ticks.isEmpty)
        #expect(matrix.shares.map(\.personID) == ["li.na"])
        #expect(matrix.shares[0].share == 1 && matrix.shares[0].amount.minorUnits == 128_000_000)
    }

    @Test func aTenantsWeightsDecideThePoints() {
        var weights = ValueActions.defaultWeights
        weights[.needsDiagnosis] = 0
        weights[.pocSupport] = 35
        let matrix = Self.builder(team: [Self.presales], weights: weights).build(from: [
            Self.activity(.visit, by: "li.na", daysAgo: 2), Self.activity(.demo, by: "zhao.gong", daysAgo: 1),
        ])
        // A tick on an action weighted 0 earns no part.
        #expect(matrix.shares.map(\.personID) == ["zhao.gong"])
        #expect(matrix.shares[0].points == 35 && matrix.shares[0].share == 1)
    }

    @Test func holdFollowsDisputesAndTheDeadline() {
        var matrix = Sales_Opportunities_V1_ContributionMatrix()
        matrix.confirmBy = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: 3_600))
        matrix.shares = ["a", "b"].map { person in
            .with {
                $0.personID = person; $0.confirmation.state = .pending
            }
        }
        #expect(ContributionLedger.hold(of: matrix, now: Date()).isEmpty)
        #expect(ContributionLedger.hold(of: matrix, now: Date(timeIntervalSinceNow: 7_200)) == "unconfirmed after 72 hours: a, b")
        matrix.shares[1].confirmation.state = .disputed
        #expect(ContributionLedger.hold(of: matrix, now: Date()) == "disputed by b")
        matrix.shares[0].confirmation.state = .confirmed
        matrix.shares[1].confirmation.state = .confirmed
        #expect(ContributionLedger.hold(of: matrix, now: Date(timeIntervalSinceNow: 7_200)).isEmpty)
    }
}
