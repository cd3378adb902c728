import Foundation
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Builds a deal's contribution matrix from what was recorded: one tick per person and value
/// action (pointing at its earliest evidence), each action's weight divided equally among the
/// people ticked for it, and the deal's amount split by those points to the fen.
struct ContributionMatrixBuilder: Sendable {
    struct Member: Sendable, Equatable {
        let personID: String
        let orgPath: String
        let role: ValueActions.Role
        let joinedAt: Date
    }

    let deal: Opportunity
    /// Who converted the lead (credited with the referral); the owner when unknown.
    let createdBy: String
    let team: [Member]
    let weights: [ValueActions.Action: Int32]

    func role(of person: String) -> ValueActions.Role {
        team.first { $0.personID == person }?.role ?? .sales
    }

    func build(from activities: [Sales_Opportunities_V1_Activity]) -> Sales_Opportunities_V1_ContributionMatrix {
        let ticks = self.ticks(from: activities)
        var matrix = Sales_Opportunities_V1_ContributionMatrix()
        matrix.opportunityID = deal.id.apiString
        matrix.ticks = ticks
        matrix.weights = ValueActions.all.map { action in
            .with {
                $0.action = action; $0.weight = weights[action] ?? 0
            }
        }
        matrix.shares = shares(of: ticks)
        return matrix
    }

    private func ticks(from activities: [Sales_Opportunities_V1_Activity]) -> [Sales_Opportunities_V1_ContributionTick] {
        struct Key: Hashable {
            let person: String
            let action: ValueActions.Action
        }
        var earliest: [Key: Sales_Opportunities_V1_ContributionTick] = [:]
        if let lead = deal.leadID {
            let referrer = createdBy.isEmpty ? deal.ownerID : createdBy
            earliest[Key(person: referrer, action: .leadReferral)] = .with {
                $0.personID = referrer
                $0.role = role(of: referrer)
                $0.action = .leadReferral
                $0.evidenceKind = "lead"
                $0.evidenceID = lead.apiString
                $0.at = Google_Protobuf_Timestamp(date: deal.createdAt)
            }
        }
        for activity in activities {
            let person = activity.recordedBy
            for action in ValueActions.actions(of: activity, recorderRole: role(of: person), dealType: deal.dealType) {
                let key = Key(person: person, action: action)
                if let known = earliest[key], known.at.date <= activity.occurredAt.date { continue }
                earliest[key] = .with {
                    $0.personID = person
                    $0.role = role(of: person)
                    $0.action = action
                    $0.evidenceKind = "activity"
                    $0.evidenceID = activity.id
                    $0.at = activity.occurredAt
                }
            }
        }
        return earliest.values.sorted { ($0.at.date, $0.personID, $0.action.rawValue) < ($1.at.date, $1.personID, $1.action.rawValue) }
    }

    /// Points in exact fractions: each action's weight over the number of people ticked for it,
    /// all over a common denominator, so the split of the amount is exact.
    private func shares(of ticks: [Sales_Opportunities_V1_ContributionTick]) -> [Sales_Opportunities_V1_ContributionShare] {
        let people = Dictionary(grouping: ticks, by: \.personID)
        let counts = Dictionary(grouping: ticks, by: \.action).mapValues { Int64($0.count) }
        let denominator = counts.values.reduce(Int64(1)) { lcm($0, $1) }
        var credited: [(person: String, numerator: Int64, actions: [ValueActions.Action])] = people.map { person, ticks in
            let numerator = ticks.reduce(Int64(0)) { sum, tick in
                sum + Int64(weights[tick.action] ?? 0) * (denominator / (counts[tick.action] ?? 1))
            }
            return (person, numerator, ticks.map(\.action).sorted { $0.rawValue < $1.rawValue })
        }
        credited = credited.filter { $0.numerator > 0 }
        // Nothing recorded yet, or only actions weighted 0: the owner holds the whole deal.
        if credited.isEmpty { credited = [(deal.ownerID, 0, [])] }
        credited.sort { $0.numerator != $1.numerator ? $0.numerator > $1.numerator : $0.person < $1.person }
        let total = credited.reduce(Int64(0)) { $0 + $1.numerator }
        let parts =
            total > 0
            ? deal.amount.split(proportionalTo: credited.map(\.numerator)) ?? [] : [deal.amount]
        return zip(credited, parts).map { entry, part in
            .with {
                $0.personID = entry.person
                $0.role = role(of: entry.person)
                $0.points = (Double(entry.numerator) / Double(denominator) * 100).rounded() / 100
                $0.share = total > 0 ? Double(entry.numerator) / Double(total) : 1
                $0.amount = Sales_Common_V1_Money(part)
                $0.actions = entry.actions
            }
        }
    }

    private func lcm(_ a: Int64, _ b: Int64) -> Int64 {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return a / x * b
    }
}
