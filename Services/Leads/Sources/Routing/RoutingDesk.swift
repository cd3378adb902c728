import RulesEngine

/// The routing desk's choice within a team, as a pure function of the team's state: weighted
/// round robin over the reps who can take a lead now, reps at or above a priority score first;
/// else whoever is on duty this hour and can take it (the same caps); else nobody.
enum RoutingDesk {
    struct Rep: Sendable, Equatable {
        var userID: String
        var active = true
        var weight: Int32 = 1
        var capacity: Int32 = 0
        var score: Double = 0
        var onLeave = false
        var openLeads: Int64 = 0
        var assignedTotal: Int64 = 0

        var atCapacity: Bool { capacity > 0 && openLeads >= Int64(capacity) }
        var canTake: Bool { active && !onLeave && !atCapacity }

        /// Why the desk skips this rep, or nil.
        var unavailability: String? {
            if !active { return "\(userID) inactive" }
            if onLeave { return "\(userID) on leave" }
            if atCapacity { return "\(userID) at capacity \(capacity)" }
            return nil
        }

        /// The same as a notice in Chinese says it.
        var unavailabilityInChinese: String? {
            if !active { return "\(userID) 未启用" }
            if onLeave { return "\(userID) 请假" }
            if atCapacity { return "\(userID) 已达上限 \(capacity) 条" }
            return nil
        }
    }

    enum Choice: Sendable, Equatable {
        case rep(String, detail: String)
        case onDuty(String, detail: String)
        case nobody(detail: String, chinese: String)
    }

    /// `team` is every rep the desk knows in the team; `onDuty` those with a shift this hour;
    /// `offDuty` why the tenant's work calendar says nobody works now (then the roster is not asked).
    static func choose(team: [Rep], onDuty: [Rep], priorityScore: Double?, offDuty: WorkCalendar.OffWork? = nil) -> Choice {
        let able = team.filter(\.canTake)
        if let priorityScore {
            let first = able.filter { $0.score >= priorityScore }
            if let pick = next(in: first) {
                return .rep(
                    pick.userID, detail: "first pick for a score of \(format(priorityScore)) or more: \(pick.userID) (score \(format(pick.score)))")
            }
        }
        if let pick = next(in: able) {
            return .rep(pick.userID, detail: "weighted round robin: \(pick.userID) (weight \(pick.weight), \(pick.openLeads) open)")
        }
        let why =
            team.isEmpty
            ? "no reps are set up for the team" : "nobody can take it (\(team.compactMap(\.unavailability).joined(separator: ", ")))"
        let whyInChinese =
            team.isEmpty
            ? "小组还没有设置销售" : "小组内无人可接（\(team.compactMap(\.unavailabilityInChinese).joined(separator: "、"))）"
        if let offDuty {
            return .nobody(detail: "\(why); \(offDuty): nobody on duty", chinese: "\(whyInChinese)；\(offDuty.chinese)，无人值班")
        }
        // The roster is a fallback, not an exception to the caps.
        if let pick = next(in: onDuty.filter(\.canTake)) {
            return .onDuty(pick.userID, detail: "\(why); on duty now: \(pick.userID)")
        }
        let busy = onDuty.compactMap(\.unavailability)
        let busyInChinese = onDuty.compactMap(\.unavailabilityInChinese)
        return .nobody(
            detail: "\(why); nobody on duty now" + (busy.isEmpty ? "" : " can take it (\(busy.joined(separator: ", ")))"),
            chinese: "\(whyInChinese)；当前" + (busyInChinese.isEmpty ? "无人值班" : "值班的人也无法接手（\(busyInChinese.joined(separator: "、"))）"))
    }

    /// The rep furthest behind their share: fewest leads handed per unit of weight, then fewest
    /// in all, then by id, so the order is never random and the same state always gives the same rep.
    static func next(in reps: [Rep]) -> Rep? {
        reps.min { a, b in
            let left = Double(a.assignedTotal) / Double(max(a.weight, 1))
            let right = Double(b.assignedTotal) / Double(max(b.weight, 1))
            if left != right { return left < right }
            if a.assignedTotal != b.assignedTotal { return a.assignedTotal < b.assignedTotal }
            return a.userID < b.userID
        }
    }

    private static func format(_ score: Double) -> String {
        score == score.rounded() ? String(Int(score)) : String(score)
    }
}
