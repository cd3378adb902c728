import Foundation
import SalesProto
import SwiftProtobuf

/// A tenant's trained model: the chance an open deal is won before a horizon, from its stage,
/// dwell, behaviour and external signals, what the rep entered (one input among many), the
/// owner's and team's record, the segment's season, age and amount.
struct WinModel: Codable, Sendable {
    let id: UUID
    let trainedAt: Date
    let asOf: Date
    let space: FeatureSpace
    let regression: LogisticRegression
    let deals: Int
    let snapshots: Int
    let holdoutBrier: Double
    /// How many times the coins' variance the amounts won strayed from the holdout forecasts by:
    /// deals' outcomes share causes (a season, a budget round) and the chances are themselves
    /// estimates, so a range from independent coins alone is too narrow. Nil for models saved
    /// before it was measured, or with too few holdout snapshots; never taken below 1.
    let dispersion: Double?
    /// How many months of the tenant's own record (`MonthRecord`) the dispersion came from; nil
    /// when it came from the holdout (fewer months recorded, or a model saved before records).
    let dispersionMonths: Int?
    /// The `FeatureSpace.version` it was fitted on; nil for models saved before versions.
    let inputsVersion: Int?
    /// The median days from a moment in each stage to the win, for the expected close.
    let daysToWin: [String: Double]
    let typicalDaysToWin: Double

    func probability(_ state: DealState, before horizon: Date, records: TrackRecords, calendar: Calendar) -> Double {
        guard horizon > state.at else { return 0 }
        return regression.probability(space.vector(state, horizon: horizon, records: records, calendar: calendar))
    }

    var spreadFactor: Double { max(1, dispersion ?? 1) }

    /// Whether this build can score with it: fitted on this build's inputs, one weight, mean and
    /// scale each. A model saved before a feature was added would otherwise read past its weights.
    var fitsThisBuild: Bool {
        let width = space.width
        return inputsVersion == FeatureSpace.version && regression.weights.count == width + 1 && regression.means.count == width
            && regression.scales.count == width
    }

    func expectedClose(_ state: DealState) -> Date {
        let days = daysToWin[state.stage] ?? typicalDaysToWin
        return state.at.addingTimeInterval(max(1, days) * 86_400)
    }

    /// The largest reasons the chance before `horizon` is what it is, in percentage points: the
    /// chance with a group of inputs at its training average, against the chance with them as they are.
    func factors(
        _ state: DealState, before horizon: Date, records: TrackRecords, calendar: Calendar, labels: [String: String], most: Int = 5
    ) -> [Sales_Forecasting_V1_ScoreFactor] {
        let x = space.vector(state, horizon: horizon, records: records, calendar: calendar)
        let eta = regression.logit(x)
        let p = 1 / (1 + exp(-eta))
        var start = 0
        var factors: [(points: Double, label: String)] = []
        for (group, width) in space.layout {
            defer { start += width }
            guard group != .horizon, width > 0 else { continue }
            let without = 1 / (1 + exp(-(eta - regression.contribution(x, start..<(start + width)))))
            let points = (p - without) * 100
            guard abs(points) >= 0.5 else { continue }
            factors.append((points, Self.label(group, state, labels: labels)))
        }
        return factors.sorted { abs($0.points) > abs($1.points) }.prefix(most).map { factor in
            .with {
                $0.label = factor.label
                $0.points = (factor.points * 10).rounded() / 10
            }
        }
    }

    private static func label(_ group: FeatureSpace.Group, _ state: DealState, labels: [String: String]) -> String {
        func days(_ since: Date) -> Int { Int(state.days(since: since)) }
        switch group {
        case .stage: return "阶段: \(state.stage.isEmpty ? "未知" : state.stage) (停留 \(days(state.stageSince)) 天)"
        case .age: return "商机已开 \(days(state.deal.createdAt)) 天"
        case .horizon: return "剩余天数"
        case .behaviour(let key):
            let count = state.recentBehaviour[key] ?? 0
            return count > 0 ? "\(labels[key] ?? key) ×\(count)" : "近 30 天无「\(labels[key] ?? key)」"
        case .activity:
            guard let last = state.lastBehaviour else { return "没有任何行为信号" }
            return "行为信号共 \(state.behaviourPoints) 个, 最近一次 \(days(last)) 天前"
        case .external(let key):
            let count = state.recentExternal[key] ?? 0
            return count > 0 ? "\(labels[key] ?? key) ×\(count)" : "近 90 天无「\(labels[key] ?? key)」"
        case .rep:
            guard let percent = state.repPercent else { return "销售未填报" }
            let pushes = state.repPushes > 0 ? ", 预计成交已推迟 \(state.repPushes) 次" : ""
            return "销售填报 \(percent)%\(pushes)"
        case .owner: return "负责人 \(state.deal.ownerID) 的历史赢单率"
        case .team: return "团队 \(state.deal.team) 的历史赢单率"
        case .season: return "季节性: \(state.deal.segment.isEmpty ? "该类客户" : state.deal.segment) 在本期的成交规律"
        case .segment: return "客户类型: \(state.deal.segment.isEmpty ? "未填" : state.deal.segment)"
        case .amount: return "金额 ¥\(state.deal.amount / 100)"
        }
    }

    var summary: Sales_Forecasting_V1_ModelSummary {
        .with {
            $0.modelID = id.uuidString.lowercased()
            $0.trainedAt = Google_Protobuf_Timestamp(date: trainedAt)
            $0.asOf = Google_Protobuf_Timestamp(date: asOf)
            $0.deals = Int64(deals)
            $0.snapshots = Int64(snapshots)
            $0.holdoutBrier = holdoutBrier
            $0.features = Int32(space.width)
            $0.rangeDispersion = spreadFactor
            $0.rangeRecordMonths = Int32(dispersionMonths ?? 0)
        }
    }
}
