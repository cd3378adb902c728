import RulesEngine
import Testing

@testable import LeadsService

/// The routing desk's choice within a team: never random, weights respected, the unavailable skipped.
@Suite struct RoutingDeskTests {
    typealias Rep = RoutingDesk.Rep

    /// Hands `count` leads one by one, counting as the desk's store does.
    func handOut(_ count: Int, team: [Rep], priorityScore: Double? = nil) -> [String: Int] {
        var team = team
        var handed: [String: Int] = [:]
        for _ in 0..<count {
            guard case .rep(let id, _) = RoutingDesk.choose(team: team, onDuty: [], priorityScore: priorityScore),
                let index = team.firstIndex(where: { $0.userID == id })
            else { break }
            team[index].assignedTotal += 1
            team[index].openLeads += 1
            handed[id, default: 0] += 1
        }
        return handed
    }

    /// The order, not just the totals: a rep of weight 2 takes two turns to every one of a rep
    /// of weight 1, interleaved, never in runs of a rep's whole share.
    @Test func turnsInterleaveByWeight() {
        #expect(handOutOrder(9, team: [Rep(userID: "a", weight: 1), Rep(userID: "b", weight: 2)]) == ["a", "b", "b", "a", "b", "b", "a", "b", "b"])
        let three = handOutOrder(6, team: [Rep(userID: "x"), Rep(userID: "y"), Rep(userID: "z")])
        #expect(three == ["x", "y", "z", "x", "y", "z"])
    }

    func handOutOrder(_ count: Int, team: [Rep]) -> [String] {
        var team = team
        var order: [String] = []
        for _ in 0..<count {
            guard case .rep(let id, _) = RoutingDesk.choose(team: team, onDuty: [], priorityScore: nil),
                let index = team.firstIndex(where: { $0.userID == id })
            else { break }
            team[index].assignedTotal += 1
            order.append(id)
        }
        return order
    }

    @Test func sharesFollowWeights() {
        let handed = handOut(30, team: [Rep(userID: "li.na", weight: 2), Rep(userID: "zhang.wei", weight: 1)])
        #expect(handed == ["li.na": 20, "zhang.wei": 10])
    }

    @Test func inactiveOnLeaveAndFullRepsAreSkipped() {
        let team = [
            Rep(userID: "a.inactive", active: false),
            Rep(userID: "b.leave", onLeave: true),
            Rep(userID: "c.full", capacity: 3, openLeads: 3),
            Rep(userID: "d.capped", capacity: 2),
            Rep(userID: "e.free"),
        ]
        let handed = handOut(6, team: team)
        #expect(handed == ["d.capped": 2, "e.free": 4], "d.capped stops at their capacity of 2")
    }

    @Test func highScoresPickFirstWhileTheyCan() {
        let team = [Rep(userID: "top", capacity: 2, score: 95), Rep(userID: "mid", score: 80)]
        let handed = handOut(5, team: team, priorityScore: 90)
        #expect(handed == ["top": 2, "mid": 3], "the top scorer takes the first two, up to their capacity")
    }

    @Test func theDutyRosterCatchesWhatNobodyCanTakeThenThePool() {
        let team = [Rep(userID: "away", onLeave: true), Rep(userID: "off", active: false)]
        let duty = RoutingDesk.choose(team: team, onDuty: [Rep(userID: "night.shift")], priorityScore: nil)
        guard case .onDuty("night.shift", let detail) = duty else { Issue.record("\(duty)"); return }
        #expect(detail.contains("away on leave") && detail.contains("off inactive"), "\(detail)")

        let nobody = RoutingDesk.choose(team: team, onDuty: [Rep(userID: "also.away", onLeave: true)], priorityScore: nil)
        guard case .nobody(let why, let chinese) = nobody else { Issue.record("\(nobody)"); return }
        #expect(why.contains("nobody on duty"), "\(why)")
        #expect(chinese == "小组内无人可接（away 请假、off 未启用）；当前值班的人也无法接手（also.away 请假）", "\(chinese)")
        guard case .nobody(let empty, let emptyInChinese) = RoutingDesk.choose(team: [], onDuty: [], priorityScore: nil) else {
            Issue.record("expected nobody"); return
        }
        #expect(empty.contains("no reps are set up"))
        #expect(emptyInChinese == "小组还没有设置销售；当前无人值班")
    }

    @Test func theRosterCountsOnlyInWorkingTime() {
        let away = [Rep(userID: "away", onLeave: true)]
        let holiday = RoutingDesk.choose(team: away, onDuty: [Rep(userID: "duty")], priorityScore: nil, offDuty: .holiday(LocalDate("2025-10-01")!))
        guard case .nobody(let why, let chinese) = holiday else { Issue.record("\(holiday)"); return }
        #expect(why.contains("(away on leave); 2025-10-01 is a holiday: nobody on duty"), "\(why)")
        #expect(chinese == "小组内无人可接（away 请假）；2025-10-01 是节假日，无人值班", "\(chinese)")
        guard
            case .rep("free", _) = RoutingDesk.choose(
                team: [Rep(userID: "free")], onDuty: [], priorityScore: nil, offDuty: .outsideHours(19 * 60 + 30))
        else {
            Issue.record("the team's own reps take leads at any hour"); return
        }
    }

    @Test func theRosterKeepsTheCaps() {
        let team = [Rep(userID: "full", capacity: 1, openLeads: 1)]
        let capped = RoutingDesk.choose(team: team, onDuty: [Rep(userID: "full", capacity: 1, openLeads: 1)], priorityScore: nil)
        guard case .nobody(let why, let chinese) = capped else { Issue.record("\(capped)"); return }
        #expect(why.contains("nobody on duty now can take it (full at capacity 1)"), "\(why)")
        #expect(chinese.hasSuffix("当前值班的人也无法接手（full 已达上限 1 条）"), "\(chinese)")
        let other = RoutingDesk.choose(
            team: team, onDuty: [Rep(userID: "full", capacity: 1, openLeads: 1), Rep(userID: "spare")], priorityScore: nil)
        guard case .onDuty("spare", _) = other else { Issue.record("\(other)"); return }
    }

    @Test func theSameStateAlwaysGivesTheSameRep() {
        let team = [Rep(userID: "b", assignedTotal: 4), Rep(userID: "a", assignedTotal: 4), Rep(userID: "c", weight: 2, assignedTotal: 8)]
        let picks = (0..<5).map { _ in RoutingDesk.choose(team: team.shuffled(), onDuty: [], priorityScore: nil) }
        #expect(Set(picks.map { "\($0)" }).count == 1)
        guard case .rep("a", _) = picks[0] else { Issue.record("\(picks[0])"); return }
    }
}
