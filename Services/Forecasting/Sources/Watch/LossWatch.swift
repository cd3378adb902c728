import Foundation
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Teams whose losses or customer churn ran high two weeks running: each week's loss rate (lost
/// over closed) and churn rate (customers who had bought before and were lost, over such customers
/// with a deal closed) against the team's usual rates in the 90 days before, what the window's
/// losses have in common against the deals the team closed before, and three interventions that
/// answer those traits.
struct LossWatch: Sendable {
    static let leastLosses = 3
    static let leastChurned = 2
    /// A trait is shared when at least this share of the losses has it, and this much more than before.
    static let leastShare = 0.5
    static let leastLift = 0.15

    let ratio: Double
    let asOf: Date

    func teams(_ deals: [DealRecord]) -> [Sales_Forecasting_V1_TeamLossWatch] {
        let day = 86_400.0
        let second = asOf.addingTimeInterval(-7 * day)..<asOf
        let first = asOf.addingTimeInterval(-14 * day)..<second.lowerBound
        let before = asOf.addingTimeInterval(-104 * day)..<first.lowerBound
        let closed = deals.filter { $0.outcome != .open && $0.closedAt != nil }
        func rate(_ deals: [DealRecord], in span: Range<Date>) -> (lost: Int, closed: Int) {
            let inside = deals.filter { span.contains($0.closedAt!) }
            return (inside.filter { $0.outcome == .lost }.count, inside.count)
        }
        // When each customer first bought, in any team: a later loss of theirs loses a customer.
        var firstWon: [String: Date] = [:]
        for deal in closed where deal.outcome == .won && !deal.customerID.isEmpty {
            firstWon[deal.customerID] = min(firstWon[deal.customerID] ?? .distantFuture, deal.closedAt!)
        }
        func churn(_ deals: [DealRecord], in span: Range<Date>) -> (churned: Set<String>, customers: Int) {
            var (lost, won, all) = (Set<String>(), Set<String>(), Set<String>())
            for deal in deals where span.contains(deal.closedAt!) {
                guard let bought = firstWon[deal.customerID], bought < deal.closedAt! else { continue }
                all.insert(deal.customerID)
                if deal.outcome == .lost { lost.insert(deal.customerID) } else { won.insert(deal.customerID) }
            }
            return (lost.subtracting(won), all.count)
        }
        func share(_ part: Int, of whole: Int) -> Double { whole > 0 ? Double(part) / Double(whole) : 0 }
        let tenant = rate(closed, in: before)
        let tenantRate = Double(tenant.lost + 1) / Double(tenant.closed + 2)
        let tenantChurn = churn(closed, in: before)
        let tenantChurnRate = Double(tenantChurn.churned.count + 1) / Double(tenantChurn.customers + 2)
        return Dictionary(grouping: closed, by: \.team).map { team, deals in
            let (lostFirst, closedFirst) = rate(deals, in: first)
            let (lostSecond, closedSecond) = rate(deals, in: second)
            let usual = rate(deals, in: before)
            // A small team's usual rates lean on the tenant's.
            let usualRate = (Double(usual.lost) + 5 * tenantRate) / (Double(usual.closed) + 5)
            let (firstRate, secondRate) = (share(lostFirst, of: closedFirst), share(lostSecond, of: closedSecond))
            let losses = deals.filter { $0.outcome == .lost && (first.lowerBound..<asOf).contains($0.closedAt!) }
            let (churnFirst, churnSecond, usualChurn) = (churn(deals, in: first), churn(deals, in: second), churn(deals, in: before))
            let usualChurnRate = (Double(usualChurn.churned.count) + 5 * tenantChurnRate) / (Double(usualChurn.customers) + 5)
            let churnRates = (share(churnFirst.churned.count, of: churnFirst.customers), share(churnSecond.churned.count, of: churnSecond.customers))
            let churned = churnFirst.churned.union(churnSecond.churned)
            let forLosses = losses.count >= Self.leastLosses && min(firstRate, secondRate) >= ratio * usualRate
            let forChurn = churned.count >= Self.leastChurned && min(churnRates.0, churnRates.1) >= ratio * usualChurnRate
            // Flagged for churn alone, what the lost customers' deals share.
            let examined = forLosses ? losses : losses.filter { churned.contains($0.customerID) }
            let traits = forLosses || forChurn ? Self.traits(examined, against: deals.filter { before.contains($0.closedAt!) }) : []
            return .with {
                $0.team = team
                $0.losses = Int32(losses.count)
                $0.lostAmount = .init(minorUnits: losses.reduce(0) { $0 + $1.amount }, currency: "CNY")
                $0.lossRateFirstWeek = firstRate
                $0.lossRateSecondWeek = secondRate
                $0.usualLossRate = usualRate
                $0.churnedCustomers = Int32(churned.count)
                $0.churnRateFirstWeek = churnRates.0
                $0.churnRateSecondWeek = churnRates.1
                $0.usualChurnRate = usualChurnRate
                $0.flagged = forLosses || forChurn
                $0.flaggedFor = (forLosses ? ["losses"] : []) + (forChurn ? ["churn"] : [])
                $0.traits = traits
                $0.interventions = forLosses || forChurn ? Self.interventions(for: traits, churn: forChurn) : []
            }
        }.sorted { ($0.flagged ? 1 : 0, $0.losses, $1.team) > ($1.flagged ? 1 : 0, $1.losses, $0.team) }
    }

    /// The values the losses share more than the deals closed before them did, most telling first.
    static func traits(_ losses: [DealRecord], against before: [DealRecord]) -> [Sales_Forecasting_V1_LossTrait] {
        let readings: [(kind: String, value: (DealRecord) -> String?)] = [
            ("industry", { $0.industry.isEmpty ? nil : $0.industry }),
            ("segment", { $0.segment.isEmpty ? nil : $0.segment }),
            ("size", { size($0.amount) }),
            ("decision_cycle", { cycle($0) }),
            (
                "competitor",
                { deal in
                    deal.events.contains {
                        switch $0.event {
                        case .behaviour("competitor_price_cut"), .external("competitor_news"): true
                        default: false
                        }
                    } ? "竞品动态" : nil
                }
            ),
        ]
        var traits: [Sales_Forecasting_V1_LossTrait] = []
        for (kind, value) in readings {
            let values = losses.compactMap(value)
            for candidate in Set(values) {
                let share = Double(values.count { $0 == candidate }) / Double(losses.count)
                let earlier = before.isEmpty ? 0 : Double(before.count { value($0) == candidate }) / Double(before.count)
                guard share >= leastShare, share >= earlier + leastLift else { continue }
                traits.append(
                    .with {
                        $0.kind = kind
                        $0.value = candidate
                        $0.shareOfLosses = share
                        $0.shareBefore = earlier
                    })
            }
        }
        return traits.sorted { ($0.shareOfLosses - $0.shareBefore, $1.kind) > ($1.shareOfLosses - $1.shareBefore, $0.kind) }
    }

    static func size(_ fen: Int64) -> String {
        switch fen {
        case ..<10_000_000: "10万以下"
        case ..<100_000_000: "10万–100万"
        default: "100万以上"
        }
    }

    static func cycle(_ deal: DealRecord) -> String? {
        guard let closed = deal.closedAt else { return nil }
        let days = closed.timeIntervalSince(deal.createdAt) / 86_400
        return days < 30 ? "30 天以内" : days < 90 ? "30–90 天" : "90 天以上"
    }

    /// Three interventions: for churn, winning the lost customers back first; then those
    /// answering the traits, then the general ones.
    static func interventions(for traits: [Sales_Forecasting_V1_LossTrait], churn: Bool = false) -> [String] {
        var chosen = churn ? ["老客户流失: 两周内回访每位流失的老客户, 复盘服务、价格与续约条款, 制定挽回方案"] : []
        for trait in traits {
            let intervention =
                switch trait.kind {
                case "competitor": "竞品对标: 在谈的单准备对比清单与价格保护方案, 经理参与关键拜访"
                case "decision_cycle" where trait.value == "90 天以上": "长周期单提前锁定决策链: 安排高层拜访, 明确采购时间表"
                case "decision_cycle": "短周期单先验证预算与决策人, 再投入方案资源"
                case "size" where trait.value == "100万以上": "大单评审: 方案、报价与付款条件交叉复核"
                case "size": "小单标准化: 用标准方案与报价缩短周期"
                case "industry": "\(trait.value)行业: 请行业专家支援, 补充同行业成功案例"
                default: "\(trait.value)客户: 复盘输单原因, 调整该类客户的打法"
                }
            if !chosen.contains(intervention) { chosen.append(intervention) }
        }
        for general in ["复盘近两周输单: 每单找出转折点并在周会上分享", "经理陪访本月在谈的大单", "检查报价与竞品价格带, 必要时申请价格策略"]
        where !chosen.contains(general) {
            chosen.append(general)
        }
        return Array(chosen.prefix(3))
    }
}
