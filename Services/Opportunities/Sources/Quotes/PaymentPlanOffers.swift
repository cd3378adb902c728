import Foundation
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The instalment plans a customer can be offered: no due day later than its credit allows, and
/// no 30 days asking more than its monthly budget; up to three, the shortest first. Amounts are
/// the total split by share to the fen, as a quote splits them.
struct PaymentPlanOffers: Sendable {
    static let most = 3

    let total: Money
    /// The most the customer can pay in any 30 days; nil for no limit.
    let budgetPerMonth: Money?
    /// Green: the term benchmark; yellow: half of it; red: nothing after signing.
    let longestDays: Int32
    let benchmarkLabel: String

    static func longestDays(grade: Sales_Opportunities_V1_CreditGrade, benchmark: Int32) -> Int32 {
        switch grade {
        case .green: benchmark
        case .red: 0
        default: benchmark / 2
        }
    }

    struct Candidate {
        let name: String
        let shares: [Int64]
        let days: [Int32]
    }

    /// The plans considered: in full; halves; 30/40/30; equal monthly parts the budget can carry.
    var candidates: [Candidate] {
        let last = longestDays
        var list = [Candidate(name: "一次付清", shares: [10_000], days: [0])]
        list.append(Candidate(name: "两期 50/50", shares: [5_000, 5_000], days: [0, last]))
        list.append(Candidate(name: "三期 30/40/30", shares: [3_000, 4_000, 3_000], days: [0, last / 2, last]))
        if let budget = budgetPerMonth, budget.minorUnits > 0 {
            let parts = Int((total.minorUnits + budget.minorUnits - 1) / budget.minorUnits)
            if (2...QuoteDraft.maximumInstalments).contains(parts) {
                let even = Int64(10_000 / parts)
                let shares = (0..<parts).map { even + (Int64($0) < 10_000 - even * Int64(parts) ? 1 : 0) }
                list.append(Candidate(name: "按月等额 \(parts) 期", shares: shares, days: (0..<parts).map { Int32($0 * 30) }))
            }
        }
        return list
    }

    func offers() -> (offers: [Sales_Opportunities_V1_PaymentPlanOffer], notOffered: [String]) {
        var fitting: [Sales_Opportunities_V1_PaymentPlanOffer] = []
        var notOffered: [String] = []
        for candidate in candidates {
            let amounts = total.split(proportionalTo: candidate.shares) ?? []
            let longest = candidate.days.max() ?? 0
            if longestDays == 0, candidate.days.count > 1 {
                notOffered.append("\(candidate.name)：信用只允许签约时一次付清")
                continue
            }
            guard longest <= longestDays else {
                notOffered.append("\(candidate.name)：最长 \(longest) 天，超过信用允许的 \(longestDays) 天")
                continue
            }
            let heaviest = Self.heaviestMonth(amounts.map(\.minorUnits), days: candidate.days)
            if let budget = budgetPerMonth, heaviest > budget.minorUnits {
                notOffered.append(
                    "\(candidate.name)：30 天内要付 \(Money(minorUnits: heaviest, currency: total.currency))，超过月预算 \(budget)")
                continue
            }
            let budgetNote = budgetPerMonth.map { "；任意 30 天最多付 \(Money(minorUnits: heaviest, currency: total.currency))，在月预算 \($0) 内" } ?? ""
            fitting.append(
                .with {
                    $0.name = candidate.name
                    $0.paymentPlan = zip(zip(candidate.shares, candidate.days), amounts).map { part, amount in
                        .with {
                            $0.shareBasisPoints = Int32(part.0)
                            $0.dueDays = part.1
                            $0.amount = Sales_Common_V1_Money(amount)
                        }
                    }
                    $0.longestDays = longest
                    $0.fits = "最长 \(longest) 天，不超过信用允许的 \(longestDays) 天（\(benchmarkLabel)）\(budgetNote)"
                })
        }
        let shortest = fitting.enumerated().sorted { ($0.element.longestDays, $0.offset) < ($1.element.longestDays, $1.offset) }.map(\.element)
        return (Array(shortest.prefix(Self.most)), notOffered)
    }

    /// The most any 30 days of the plan ask for.
    static func heaviestMonth(_ amounts: [Int64], days: [Int32]) -> Int64 {
        days.indices.map { start in
            days.indices.filter { days[$0] >= days[start] && days[$0] < days[start] + 30 }.reduce(Int64(0)) { $0 + amounts[$1] }
        }.max() ?? 0
    }
}
