import Foundation

/// The model's inputs, in a fixed order, and the groups a score's factors are told in. Learned
/// from the training deals (which stages, signals and segments exist), then frozen with the model.
struct FeatureSpace: Codable, Sendable {
    /// What a group of inputs stands for, in a factor's words.
    enum Group: Codable, Sendable, Hashable {
        case stage, age, horizon, behaviour(String), activity, external(String), rep, owner, team, season, segment, amount
    }

    /// Which inputs `vector` makes, in which order: raise it whenever they change, so a model
    /// saved by an earlier build is retrained rather than fed inputs it was not fitted on.
    static let version = 2

    /// Months open as a category too (0, 1, … 5 and more): the chance of closing rises and falls
    /// with a deal's age, which no single slope captures.
    static let ageMonths = 6

    let stages: [String]
    let behaviours: [String]
    let externals: [String]
    let segments: [String]

    /// The groups in order, each with its width.
    var layout: [(group: Group, width: Int)] {
        var groups: [(group: Group, width: Int)] = [(.stage, stages.count + 1), (.age, 1 + Self.ageMonths), (.horizon, 1 + stages.count)]
        groups += behaviours.map { (.behaviour($0), 1) }
        groups.append((.activity, 2))
        groups += externals.map { (.external($0), 1) }
        groups += [(.rep, 4), (.owner, 1), (.team, 1), (.season, 2 + segments.count), (.segment, segments.count), (.amount, 1)]
        return groups
    }

    var width: Int { layout.reduce(0) { $0 + $1.width } }

    init(stages: [String], behaviours: [String], externals: [String], segments: [String]) {
        self.stages = stages
        self.behaviours = behaviours
        self.externals = externals
        self.segments = segments
    }

    /// The space of what `states` show; a key seen on fewer than `least` of them is left out
    /// (too rare to learn from).
    init(of states: [DealState], least: Int = 5) {
        func common(_ keys: (DealState) -> [String]) -> [String] {
            var counts: [String: Int] = [:]
            for state in states { for key in keys(state) { counts[key, default: 0] += 1 } }
            return counts.filter { $0.value >= least }.keys.sorted()
        }
        self.init(
            stages: common { [$0.stage] }, behaviours: common { Array($0.recentBehaviour.keys) },
            externals: common { Array($0.recentExternal.keys) }, segments: common { [$0.deal.segment] })
    }

    /// The inputs for `state` and the chance of a win before `horizon`.
    func vector(_ state: DealState, horizon: Date, records: TrackRecords, calendar: Calendar) -> [Double] {
        var x: [Double] = []
        x.reserveCapacity(width)
        for stage in stages { x.append(state.stage == stage ? 1 : 0) }
        x.append(log1p(state.days(since: state.stageSince)))
        let age = state.days(since: state.deal.createdAt)
        x.append(log1p(age))
        let month = min(Int(age / 30), Self.ageMonths - 1)
        for bucket in 0..<Self.ageMonths { x.append(bucket == month ? 1 : 0) }
        let days = log1p(max(0, horizon.timeIntervalSince(state.at) / 86_400))
        x.append(days)
        // How much a longer horizon adds depends on how far along the deal is.
        for stage in stages { x.append(state.stage == stage ? days : 0) }
        for key in behaviours { x.append(log1p(Double(state.recentBehaviour[key] ?? 0))) }
        x.append(log1p(Double(state.behaviourPoints)))
        x.append(log1p(min(180, state.lastBehaviour.map(state.days(since:)) ?? 180)))
        for key in externals { x.append(log1p(Double(state.recentExternal[key] ?? 0))) }
        x.append(Double(state.repPercent ?? 0) / 100)
        x.append(state.repPercent == nil ? 0 : 1)
        x.append(state.repClose.map { $0 < horizon ? 1 : 0 } ?? 0)
        x.append(log1p(Double(state.repPushes)))
        x.append(records.owner(state.deal.ownerID))
        x.append(records.team(state.deal.team))
        let season = records.season(state.deal.segment, from: state.at, to: horizon, calendar: calendar)
        x.append(season)
        // A ready deal (closing signals lately) still waits for its season: the two together.
        x.append(season * log1p(Double(state.recentBehaviour.values.reduce(0, +))))
        // Each segment keeps to its own season as strongly as its history shows.
        for segment in segments { x.append(state.deal.segment == segment ? season : 0) }
        for segment in segments { x.append(state.deal.segment == segment ? 1 : 0) }
        x.append(log(Double(max(state.deal.amount, 100)) / 100))
        return x
    }
}
