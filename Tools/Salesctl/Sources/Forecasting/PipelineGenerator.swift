import Foundation
import SalesModel
import SalesProto
import SwiftProtobuf

/// A synthetic, seeded sales-pipeline history for testing the deal-forecasting model: deals with
/// their stage moves, behaviour and external signals and the reps' entries, as `ImportHistory` takes
/// them. Each deal's whole life is drawn from the seed alone and `now` only cuts it, so histories
/// taken at two moments agree on everything before the earlier one.
///
/// The outcome is driven by a hidden quality, the rep's skill, the segment, size, source and
/// external signals; what the model sees (stage reached, dwell, behaviour mix and timing, external
/// signals, rep entries) reflects it only noisily, so no single field gives the answer away.
public struct PipelineGenerator: Sendable {
    public struct Options: Sendable {
        public var seed: UInt64
        /// Deals are created over the `months` calendar months (Asia/Shanghai) from `start`'s month, from `start` on.
        public var start: Date
        public var months: Int
        public var dealsPerMonth: Int
        public var reps: Int
        /// The sellers by id and team path; when empty, `reps` made-up ones (rep01…) over six teams.
        public var people: [(id: String, team: String)]

        public init(
            seed: UInt64 = 7, start: Date, months: Int = 24, dealsPerMonth: Int = 120, reps: Int = 12, people: [(id: String, team: String)] = []
        ) {
            self.people = people
            self.seed = seed
            self.start = start
            self.months = months
            self.dealsPerMonth = dealsPerMonth
            self.reps = reps
        }
    }

    public static let stages = ["线索确认", "需求分析", "方案报价", "商务谈判"]
    /// The built-in catalog's twelve, by index: 4 (customer_reply) stands for a site visit, 9
    /// (legal_review) for a reference call near the close, 11 (champion_left) for a silence.
    public static let behaviourKeys = [
        "proposal_opened", "decision_maker_met", "tech_lead_demo", "finance_requested_contract_template", "customer_reply", "poc_started",
        "budget_confirmed", "competitor_price_cut", "price_objection", "legal_review", "procurement_registered", "champion_left",
    ]
    public static let externalKeys = ["capital_increase", "tender_published", "competitor_news"]

    private let options: Options

    public init(_ options: Options) {
        self.options = options
    }

    /// Every deal created in the window, with its events up to `now` (events and outcomes after `now` are cut: a deal that
    /// closes after `now` is open, its later events absent).
    public func deals(now: Date) -> [Sales_Forecasting_V1_HistoryDeal] {
        var rng = SplitMix64(seed: options.seed)
        let reps = Self.makeReps(options.people.isEmpty ? Self.madeUpPeople(max(1, options.reps)) : options.people, rng: &rng)
        let created = Self.creationTimes(options, rng: &rng)
        let cut = now.timeIntervalSince1970
        var deals: [Sales_Forecasting_V1_HistoryDeal] = []
        deals.reserveCapacity(created.count)
        // Sorted by creation, so the deals before `now` are a prefix and keep their lines and ids.
        for index in 0..<created.count where created[index] < cut {
            // Each deal has its own stream, so one deal's draws never shift another's.
            var dealRNG = SplitMix64(seed: options.seed ^ ((UInt64(index) &+ 1) &* 0xD1B5_4A32_D192_ED03))
            deals.append(Self.deal(index: index, created: created[index], reps: reps, now: cut, rng: &dealRNG))
        }
        return deals
    }
}

// MARK: - The world

private let daySeconds = 86_400.0

private struct Segment: Sendable {
    let key: String
    let medianYuan: Double
    /// Median days in each stage; bigger buyers deliberate longer.
    let dwellDays: [Double]
    /// Median days from the middle of each stage to the close: where a rep's estimate starts.
    let remainingDays: [Double]
    /// Log-odds of a win for an average deal, before quality, size, source and skill.
    let baseLogit: Double
    /// Mean external signals per deal: government deals have tenders, small firms little news.
    let externalRate: Double
    /// How often a win shows procurement_registered first: government always buys through procurement.
    let procurementOdds: Double

    init(_ key: String, yuan: Double, dwell: [Double], logit: Double, externals: Double, procurement: Double) {
        self.key = key
        medianYuan = yuan
        dwellDays = dwell
        var remaining = [Double](repeating: 0, count: dwell.count)
        var after = 0.0
        for k in stride(from: dwell.count - 1, through: 0, by: -1) {
            remaining[k] = 0.5 * dwell[k] + after
            after += dwell[k]
        }
        remainingDays = remaining
        baseLogit = logit
        externalRate = externals
        procurementOdds = procurement
    }
}

private let segments = [
    Segment("smb", yuan: 50_000, dwell: [6, 9, 9, 7], logit: -0.95, externals: 0.6, procurement: 0.3),
    Segment("enterprise", yuan: 500_000, dwell: [12, 20, 22, 18], logit: -1.25, externals: 0.95, procurement: 0.6),
    Segment("government", yuan: 1_200_000, dwell: [18, 28, 32, 30], logit: -1.35, externals: 1.2, procurement: 0.85),
]
private let government = 2
/// The capital's teams sell more to government.
private let segmentWeightsNorth = [0.45, 0.25, 0.3]
private let segmentWeightsElsewhere = [0.45, 0.4, 0.15]
private let industries = ["制造", "零售", "金融", "教育"]
private let industryWeights = [0.35, 0.3, 0.2, 0.15]
private let industryLift = [0, 0.1, -0.2, 0]
private let sources = ["referral", "website", "event", "outbound", "partner"]
private let sourceWeights = [0.15, 0.3, 0.2, 0.2, 0.15]
/// Warm introductions win more often than cold outreach.
private let sourceLift = [0.5, 0, -0.1, -0.4, 0.2]
private let productLines = ["ERP", "CRM", "BI"]
private let productWeights = [0.4, 0.4, 0.2]
/// Order of `PipelineGenerator.externalKeys`: capital_increase, tender_published, competitor_news.
private let externalWeightsGovernment = [0.15, 0.55, 0.3]
private let externalWeightsElsewhere = [0.45, 0.15, 0.4]
/// Where lost deals stall.
private let lossStageWeights = [0.22, 0.3, 0.28, 0.2]

private let teams = ["/east/hz", "/east/sh", "/north/bj", "/north/tj", "/south/gz", "/south/sz"]

/// Indexes into `PipelineGenerator.behaviourKeys`.
private enum Signal {
    static let proposalOpened = 0, decisionMakerMet = 1, techLeadDemo = 2, financeAskedContract = 3, siteVisit = 4
    static let pocStarted = 5, budgetConfirmed = 6, competitorMentioned = 7, priceObjection = 8, referenceCall = 9
    static let procurementStarted = 10, silence = 11
}

/// Behaviour signals a deal shows while in each stage (repeats weigh a key up), and how many per visit at activity 1.
private let positiveMenu = [
    [Signal.decisionMakerMet, Signal.siteVisit, Signal.siteVisit, Signal.proposalOpened],
    [Signal.techLeadDemo, Signal.siteVisit, Signal.decisionMakerMet, Signal.pocStarted],
    [Signal.proposalOpened, Signal.proposalOpened, Signal.pocStarted, Signal.referenceCall, Signal.techLeadDemo],
    [Signal.proposalOpened, Signal.referenceCall, Signal.decisionMakerMet, Signal.budgetConfirmed],
]
private let positiveRate = [2.0, 2.4, 2.6, 2.2]
/// Competitor and price talk per visit, for a deal that will be lost (a winner hears under half as much).
private let negativeRate = [0.4, 0.6, 0.9, 0.9]
/// The signals that come just before a win, and how often each shows on one (procurement: the segment's odds).
private let closingSignals = [Signal.budgetConfirmed, Signal.financeAskedContract, Signal.procurementStarted]
private let closingOdds = [0.6, 0.65, 0]
/// What an honest rep would give an average deal in each stage.
private let stageOdds = [0.12, 0.25, 0.45, 0.65]
/// Deal creation by month of year: Chinese New Year empties February, National Day dents October.
private let creationSeason = [0.9, 0.55, 1.1, 1.05, 1.0, 1.05, 0.95, 0.9, 1.1, 0.85, 1.1, 1.0]

private enum Bias: Sendable { case honest, optimist, sandbagger }

private struct Rep: Sendable {
    let id: String
    let team: String
    let region: String
    let bias: Bias
    /// Added to the honest probability (optimists +0.20…0.30, sandbaggers −0.15…−0.25), and its noise.
    let shift: Double
    let noise: Double
    /// Multiplies the deal's true win probability (0.7…1.3).
    let skill: Double
}

private struct Visit {
    let stage: Int
    let at: Double
}

/// Indexes rather than strings, so events stay plain values while they are drawn and sorted.
private enum Kind {
    case stage(Int), behaviour(Int), external(Int), rep(Int32, Double)
}

private struct RawEvent {
    let at: Double
    let kind: Kind

    var message: Sales_Forecasting_V1_HistoryEvent {
        var event = Sales_Forecasting_V1_HistoryEvent()
        event.at = timestamp(at)
        switch kind {
        case .stage(let i): event.stage = PipelineGenerator.stages[i]
        case .behaviour(let i): event.behaviour = PipelineGenerator.behaviourKeys[i]
        case .external(let i): event.external = PipelineGenerator.externalKeys[i]
        case .rep(let percent, let expected):
            var entry = Sales_Forecasting_V1_RepEntry()
            entry.probabilityPercent = percent
            entry.expectedClose = timestamp(expected)
            event.repEntry = entry
        }
        return event
    }
}

private enum EntryReason { case opening, stageMove, regular, push }

/// Whole seconds, so a timestamp never lands after the moment it was cut at.
private func timestamp(_ t: Double) -> Google_Protobuf_Timestamp {
    Google_Protobuf_Timestamp(date: Date(timeIntervalSince1970: t.rounded(.down)))
}

private func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
private func logit(_ p: Double) -> Double { log(p / (1 - p)) }

/// By time, ties in the order drawn. An insertion sort: a deal has a few dozen events, and the
/// generic `sort` is slow in the debug builds tests run in.
private func sortByTime(_ events: inout [RawEvent]) {
    guard events.count > 1 else { return }
    for i in 1..<events.count {
        let item = events[i]
        var j = i - 1
        while j >= 0 && events[j].at > item.at {
            events[j + 1] = events[j]
            j -= 1
        }
        events[j + 1] = item
    }
}

// MARK: - Drawing deals

extension PipelineGenerator {
    private static func madeUpPeople(_ count: Int) -> [(id: String, team: String)] {
        (0..<count).map { i in (i + 1 < 10 ? "rep0\(i + 1)" : "rep\(i + 1)", teams[i % teams.count]) }
    }

    private static func makeReps(_ people: [(id: String, team: String)], rng: inout SplitMix64) -> [Rep] {
        let count = people.count
        // A third of each bias, shuffled so that bias does not line up with teams.
        var biases = (0..<count).map { [Bias.honest, .optimist, .sandbagger][$0 % 3] }
        for i in stride(from: count - 1, to: 0, by: -1) { biases.swapAt(i, rng.below(i + 1)) }
        var reps: [Rep] = []
        for i in 0..<count {
            let (id, team) = people[i]
            var shift = 0.0
            var noise = 0.12
            switch biases[i] {
            case .honest: break
            case .optimist: (shift, noise) = (rng.uniform(0.20, 0.30), 0.05)
            case .sandbagger: (shift, noise) = (-rng.uniform(0.15, 0.25), 0.05)
            }
            reps.append(
                Rep(
                    id: id, team: team, region: String(team.split(separator: "/").first ?? ""), bias: biases[i], shift: shift, noise: noise,
                    skill: rng.uniform(0.7, 1.3)))
        }
        return reps
    }

    /// Creation moments over the window, sorted: seasonal monthly volume, on weekday office hours mostly.
    private static func creationTimes(_ options: Options, rng: inout SplitMix64) -> [Double] {
        let start = options.start.timeIntervalSince1970
        let first = Local.civil(Local.day(start))
        let meanSeason = creationSeason.reduce(0, +) / Double(creationSeason.count)
        var times: [Double] = []
        times.reserveCapacity(max(0, options.months) * max(0, options.dealsPerMonth) * 11 / 10)
        for i in 0..<max(0, options.months) {
            let month = first.y * 12 + first.m - 1 + i
            let from = max(start, Local.start(ofDay: Local.dayNumber(month / 12, month % 12 + 1, 1)))
            let to = Local.start(ofDay: Local.dayNumber((month + 1) / 12, (month + 1) % 12 + 1, 1))
            guard to > from else { continue }
            let expected = Double(options.dealsPerMonth) * creationSeason[month % 12] / meanSeason
            let count = max(0, Int((expected * (1 + 0.06 * rng.gauss())).rounded()))
            for _ in 0..<count { times.append(workTime(from, to, rng: &rng)) }
        }
        times.sort()
        return times
    }

    private static func workTime(_ from: Double, _ to: Double, rng: inout SplitMix64) -> Double {
        for _ in 0..<4 {
            let d = Local.day(rng.uniform(from, to))
            let weekday = ((d + 3) % 7 + 7) % 7  // 0 = Monday; 1970-01-01 was a Thursday
            if weekday >= 5 && rng.chance(0.85) { continue }
            let t = Local.start(ofDay: d) + rng.uniform(9, 19) * 3600
            if t >= from && t < to { return t }
        }
        return rng.uniform(from, to)
    }

    private static func deal(
        index: Int, created: Double, reps: [Rep], now: Double, rng: inout SplitMix64
    ) -> Sales_Forecasting_V1_HistoryDeal {
        let rep = reps[rng.below(reps.count)]
        let segmentIndex = rng.weighted(rep.region == "north" ? segmentWeightsNorth : segmentWeightsElsewhere)
        let segment = segments[segmentIndex]
        let isGovernment = segmentIndex == government
        let industryIndex = isGovernment ? -1 : rng.weighted(industryWeights)
        let industry = industryIndex >= 0 ? industries[industryIndex] : rng.chance(0.75) ? "政府" : "教育"
        let sourceIndex = rng.weighted(sourceWeights)
        let productLine = productLines[rng.weighted(productWeights)]
        let yuan = max(1000, (segment.medianYuan * exp(0.6 * rng.gauss())).rounded())
        let relative = yuan / segment.medianYuan
        let size = pow(relative, 0.25)  // larger deals move slower

        // The true odds: hidden quality, harder big deals, warm sources, and the external signals.
        let quality = rng.gauss()
        var odds = segment.baseLogit + 1.1 * quality - 0.25 * log(relative) + sourceLift[sourceIndex]
        if industryIndex >= 0 { odds += industryLift[industryIndex] }
        var externals: [Int] = []
        for _ in 0..<rng.poisson(segment.externalRate) {
            let key = rng.weighted(isGovernment ? externalWeightsGovernment : externalWeightsElsewhere)
            switch key {
            case 1: odds += isGovernment ? 0.8 : 0.25  // tender_published
            case 2: odds -= 0.6  // competitor_news
            default: odds += isGovernment ? 0 : 0.3  // capital_increase
            }
            externals.append(key)
        }
        let p = min(0.95, max(0.02, sigmoid(odds) * rep.skill))
        let won = rng.chance(p)

        // Stages: a win passes all four; a loss stalls in one, longer than usual, and is closed out.
        let lastStage = won ? 3 : rng.weighted(lossStageWeights)
        var visits = [Visit(stage: 0, at: created)]
        var t = created
        for k in 0...lastStage {
            var dwell = max(1, segment.dwellDays[k] * size * exp(0.55 * rng.gauss())) * daySeconds
            if !won && k == lastStage { dwell *= rng.uniform(1.2, 2.2) }
            if k >= 1 && rng.chance(0.07) {  // back a stage for a while (a new stakeholder, a re-scope)
                let before = dwell * rng.uniform(0.3, 0.7)
                t += before
                visits.append(Visit(stage: k - 1, at: t))
                t += max(1, segment.dwellDays[k - 1] * rng.uniform(0.3, 0.6)) * daySeconds
                visits.append(Visit(stage: k, at: t))
                t += dwell - before
            } else {
                t += dwell
            }
            if k < lastStage { visits.append(Visit(stage: k + 1, at: t)) }
        }
        let close = won && isGovernment ? governmentSlip(t, rng: &rng) : t
        let life = close - created

        var events: [RawEvent] = []
        events.reserveCapacity(48)
        func add(_ kind: Kind, _ at: Double) {
            events.append(RawEvent(at: min(close, max(created + 60, at)), kind: kind))
        }

        // Behaviour: winners are busier and busiest just before the win; losers go quiet before they
        // are closed out and hear more about competitors and price. Some reps log next to nothing.
        let quiet = rng.chance(0.08)
        let activity = exp(0.5 * rng.gauss()) * (won ? 1.15 : 0.9) * (quiet ? 0.12 : 1)
        let stop = won ? close : created + life * rng.uniform(0.45, 0.85)
        for i in 0..<visits.count {
            let visit = visits[i]
            let end = i + 1 < visits.count ? visits[i + 1].at : close
            let upTo = min(end, stop)
            if upTo > visit.at {
                let menu = positiveMenu[visit.stage]
                for _ in 0..<rng.poisson(activity * positiveRate[visit.stage]) {
                    var u = rng.uniform()
                    if won && visit.stage == 3 { u = u.squareRoot() }
                    add(.behaviour(menu[rng.below(menu.count)]), visit.at + (upTo - visit.at) * u)
                }
            }
            for _ in 0..<rng.poisson((won ? 0.3 : 0.8) * negativeRate[visit.stage] * (quiet ? 0.12 : 1)) {
                let key = rng.chance(visit.stage >= 2 ? 0.55 : 0.3) ? Signal.priceObjection : Signal.competitorMentioned
                add(.behaviour(key), rng.uniform(visit.at, end))
            }
        }
        // The closing signals: within four weeks of a win, now and then on a deal that is lost anyway.
        for i in 0..<closingSignals.count {
            if won {
                let likelihood = i == 2 ? segment.procurementOdds : closingOdds[i]
                if rng.chance(likelihood * (quiet ? 0.2 : 1)) { add(.behaviour(closingSignals[i]), close - rng.uniform(0.5, 25) * daySeconds) }
            } else if rng.chance((isGovernment ? 0.2 : 0.12) * (quiet ? 0.2 : 1)) {
                let from = created + 0.3 * life
                add(.behaviour(closingSignals[i]), rng.uniform(from, max(from, stop)))
            }
        }
        // The opportunities service marks 14 days without activity; it has nothing to watch on a quiet deal.
        if !quiet {
            sortByTime(&events)
            let logged = events.count
            var previous = created
            for i in 0...logged {
                let moment = i < logged ? events[i].at : close
                if moment - previous >= 14 * daySeconds && rng.chance(0.85) { add(.behaviour(Signal.silence), previous + 14 * daySeconds) }
                previous = max(previous, moment)
            }
        }
        for key in externals { add(.external(key), created + life * rng.uniform(0.1, 0.9)) }
        for visit in visits { events.append(RawEvent(at: visit.at, kind: .stage(visit.stage))) }

        // Rep entries: at creation, a few hours after each stage move, every 2–5 weeks, and whenever the
        // expected close passes without a close (a push). Optimists' early dates make them push often.
        // Each push since the last stage move sets the date about a month further out than the one
        // before and takes 30% off the rep's confidence: a slipped deal is not called for this week again.
        // A rep's date counts what is left of the current stage (the estimate used to start from the
        // stage's middle even at its start, so every rep, honest ones too, dated early).
        var moves: [Double] = []
        for i in 1..<max(1, visits.count) { moves.append(visits[i].at + rng.uniform(300, 21_600)) }
        var nextMove = 0
        var visitIndex = 0
        var expected = created
        var reason = EntryReason.opening
        var entryAt = created + rng.uniform(60, 7200)
        var entries = 0
        var pushes = 0
        // Most reps selling to government know its budgets are spent at the year's end; optimists hope for sooner.
        let budgetAware = isGovernment && rep.bias != .optimist && rng.chance(0.7)
        while entryAt <= close && entries < 400 {
            entries += 1
            while visitIndex + 1 < visits.count && visits[visitIndex + 1].at <= entryAt { visitIndex += 1 }
            let stage = visits[visitIndex].stage
            // What is left of this stage at its usual pace (a quarter of it once the deal is overdue in it), then the later stages.
            let stageDays = segment.dwellDays[stage] * size * daySeconds
            let leftInStage = max(0.25 * stageDays, visits[visitIndex].at + stageDays - entryAt)
            let remaining = leftInStage + (segment.remainingDays[stage] - 0.5 * segment.dwellDays[stage]) * size * daySeconds
            let factor: Double
            switch rep.bias {
            case .honest: factor = exp(0.35 * rng.gauss())
            case .optimist: factor = rng.uniform(0.5, 0.8)
            case .sandbagger: factor = rng.uniform(1.3, 1.8)
            }
            switch reason {
            case .opening, .stageMove:
                expected = entryAt + remaining * factor
                pushes = 0
            case .regular: if expected < entryAt + daySeconds { expected = entryAt + remaining * factor }
            case .push:
                pushes += 1
                expected = entryAt + max(remaining * factor, Double(pushes) * rng.uniform(20, 40) * daySeconds)
            }
            if budgetAware { expected = yearEndBudget(expected) }
            var honest = sigmoid(logit(stageOdds[stage]) + 0.8 * (logit(p) - logit(0.3))) * pow(0.7, Double(pushes))
            if !won && entryAt > stop { honest *= 0.5 }  // reps sense a deal going quiet
            let percent = min(95, max(5, (honest + rep.shift + rep.noise * rng.gauss()) * 100))  // 0 and 100 are for closed deals
            let entered = rng.chance(0.7) ? (percent / 5).rounded() * 5 : percent.rounded()  // reps like round numbers
            events.append(RawEvent(at: entryAt, kind: .rep(Int32(entered), expected)))

            let regular = entryAt + rng.uniform(14, 35) * daySeconds
            let push = max(expected, entryAt) + rng.uniform(0.5, 4) * daySeconds
            let move = nextMove < moves.count ? max(moves[nextMove], entryAt) : .infinity
            let next = min(regular, push, move)
            if next == move {
                reason = .stageMove
                nextMove += 1
            } else {
                reason = next == push ? .push : .regular
            }
            entryAt = next
        }

        // Only the stage event sits at `created` (everything else is a minute later or more), so it comes first.
        sortByTime(&events)
        var result = Sales_Forecasting_V1_HistoryDeal()
        result.line = Int32(clamping: index + 2)
        let digits = String(index + 1)
        result.externalID = "D" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
        result.ownerID = rep.id
        result.team = rep.team
        result.region = rep.region
        result.segment = segment.key
        result.industry = industry
        result.source = sources[sourceIndex]
        result.dimensions = ["product_line": productLine]
        var amount = Sales_Common_V1_Money()
        amount.minorUnits = Int64(yuan) * 100
        amount.currency = "CNY"
        result.amount = amount
        result.createdAt = timestamp(created)
        var messages: [Sales_Forecasting_V1_HistoryEvent] = []
        messages.reserveCapacity(events.count)
        for event in events where event.at < now { messages.append(event.message) }
        result.events = messages
        if close < now {
            result.outcome = won ? .won : .lost
            result.closedAt = timestamp(close)
        } else {
            result.outcome = .open
        }
        return result
    }

    /// A government deal expected from July to October, as a rep who knows the budget calendar dates it: mid-November.
    private static func yearEndBudget(_ expected: Double) -> Double {
        let date = Local.civil(Local.day(expected))
        guard (7...10).contains(date.m) else { return expected }
        return Local.start(ofDay: Local.dayNumber(date.y, 11, 15)) + 12 * 3600
    }

    /// Government budgets are spent in November–December: a win due earlier in the year often waits
    /// for them, the more likely the nearer the year's end.
    private static func governmentSlip(_ close: Double, rng: inout SplitMix64) -> Double {
        let date = Local.civil(Local.day(close))
        guard date.m <= 10, rng.chance(date.m >= 7 ? 0.7 : date.m >= 4 ? 0.35 : 0.15) else { return close }
        let target = Local.dayNumber(date.y, rng.chance(0.4) ? 11 : 12, 1) + rng.below(28)
        return Local.start(ofDay: target) + rng.uniform(9, 19) * 3600
    }
}

// MARK: - Calendar arithmetic and randomness

/// Days in Asia/Shanghai (UTC+8, no daylight saving since 1991) by plain arithmetic: Calendar is
/// far too slow for a hundred thousand deals.
private enum Local {
    static let offset = 8.0 * 3600

    static func day(_ t: Double) -> Int { Int(((t + offset) / daySeconds).rounded(.down)) }
    static func start(ofDay d: Int) -> Double { Double(d) * daySeconds - offset }

    /// Days since 1970-01-01 to the civil date (H. Hinnant's algorithm).
    static func civil(_ days: Int) -> (y: Int, m: Int, d: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func dayNumber(_ year: Int, _ month: Int, _ dayOfMonth: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + dayOfMonth - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
