import Foundation
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// A quote's approval chain: who may decide its current step, and what a decision or the
/// customer's acceptance does to it.
enum QuoteApproval {
    /// The chain's steps for a new quote, or none when it needs no approval.
    static func steps(needed: Bool, chain: [Sales_Opportunities_V1_Approver]) -> [Sales_Opportunities_V1_ApprovalStep] {
        guard needed else { return [] }
        return chain.map { approver in .with { $0.approver = approver } }
    }

    /// Records `caller`'s decision on the current step of `quote`, on `deal`.
    static func decide(
        _ quote: inout Sales_Opportunities_V1_Quote, approve: Bool, comment: String, deal: Opportunity, by caller: Caller, at moment: Date
    ) throws(ServiceError) {
        guard quote.state == .pendingApproval, let step = quote.approvals.firstIndex(where: { $0.decidedBy.isEmpty }) else {
            throw .failedPrecondition("quote \(quote.id) is \(name(quote.state)); it has no step waiting for a decision")
        }
        let approver = quote.approvals[step].approver
        guard may(caller, decide: approver, on: deal) else {
            throw .permissionDenied(
                "step \(step + 1) of \(quote.approvals.count) is for \(describe(approver, deal: deal)); \(caller.userID) cannot decide it")
        }
        if let earlier = quote.approvals[..<step].first(where: { $0.decidedBy == caller.userID }) {
            throw .permissionDenied(
                "\(caller.userID) decided the \(describe(earlier.approver, deal: deal)) step already; each step needs another person")
        }
        guard approve || !comment.isEmpty else {
            throw .invalidArgument(field: "comment", rule: "is required to reject: say what the rep should change")
        }
        quote.approvals[step].decidedBy = caller.userID
        quote.approvals[step].approved = approve
        quote.approvals[step].comment = comment
        quote.approvals[step].decidedAt = Google_Protobuf_Timestamp(date: moment)
        if !approve {
            quote.state = .rejected
        } else if step == quote.approvals.count - 1 {
            quote.state = .ready
        }
    }

    /// Marks a ready quote accepted by the customer; an accepted one stays as it is.
    static func accept(_ quote: inout Sales_Opportunities_V1_Quote, deal: Opportunity, by caller: Caller, at moment: Date) throws(ServiceError) {
        switch quote.state {
        case .ready:
            quote.state = .accepted
            quote.acceptedAt = Google_Protobuf_Timestamp(date: moment)
            quote.acceptedBy = caller.userID
        case .accepted:
            return
        case .pendingApproval:
            let waiting = quote.approvals.firstIndex { $0.decidedBy.isEmpty } ?? 0
            throw .failedPrecondition(
                "quote \(quote.id) waits for approval: step \(waiting + 1) of \(quote.approvals.count), "
                    + "\(describe(quote.approvals[waiting].approver, deal: deal)), has not decided")
        case .rejected:
            let why = quote.approvals.first { !$0.decidedBy.isEmpty && !$0.approved }
            throw .failedPrecondition(
                "quote \(quote.id) was rejected by \(why?.decidedBy ?? "an approver"): \(why?.comment ?? ""); make a new quote")
        case .unspecified, .UNRECOGNIZED:
            throw .failedPrecondition("quote \(quote.id) cannot be accepted in its state")
        }
    }

    static func may(_ caller: Caller, decide approver: Sales_Opportunities_V1_Approver, on deal: Opportunity) -> Bool {
        switch approver {
        case .manager:
            // Over the deal's team (its own path or above), and never the rep whose deal it is.
            guard caller.roles.contains(.manager), caller.userID != deal.ownerID, let subtree = caller.managedSubtree,
                let path = OrgPath(deal.orgPath)
            else { return false }
            return subtree.contains(path)
        case .finance: return caller.roles.contains(.finance)
        case .admin: return caller.roles.contains(.admin)
        case .unspecified, .UNRECOGNIZED: return false
        }
    }

    static func describe(_ approver: Sales_Opportunities_V1_Approver, deal: Opportunity) -> String {
        switch approver {
        case .manager: "a manager of \(deal.orgPath)"
        case .finance: "finance"
        case .admin: "an administrator"
        case .unspecified, .UNRECOGNIZED: "nobody"
        }
    }

    static func name(_ state: Sales_Opportunities_V1_QuoteState) -> String {
        switch state {
        case .pendingApproval: "waiting for approval"
        case .ready: "ready"
        case .accepted: "accepted"
        case .rejected: "rejected"
        case .unspecified, .UNRECOGNIZED: "in no state"
        }
    }
}
