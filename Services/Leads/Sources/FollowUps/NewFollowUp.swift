import Foundation
import SalesProto
import ServiceKit

/// A checked follow-up: real contact with substance, a visit with its five elements.
struct NewFollowUp: Sendable {
    let leadID: UUID
    let message: Sales_Leads_V1_FollowUp
    let occurredAt: Date
    let nextContactAt: Date?

    init(_ request: Sales_Leads_V1_LogFollowUpRequest, now: Date = Date()) throws(ServiceError) {
        guard request.hasFollowUp else { throw .invalidArgument(field: "follow_up", rule: "is required") }
        var followUp = request.followUp
        leadID = try Require.uuid(followUp.leadID, field: "follow_up.lead_id")
        switch followUp.kind {
        case .unspecified: throw .invalidArgument(field: "follow_up.kind", rule: "is required: call, visit, WeChat or email")
        case .UNRECOGNIZED(let raw): throw .invalidArgument(field: "follow_up.kind", rule: "\(raw) is not a kind of follow-up")
        default: break
        }
        occurredAt = try Require.timestamp(followUp.occurredAt, isSet: followUp.hasOccurredAt, field: "follow_up.occurred_at")
        guard occurredAt <= now.addingTimeInterval(300) else {
            throw .invalidArgument(field: "follow_up.occurred_at", rule: "is in the future: record a follow-up after it happened")
        }
        followUp.summary = try ContactSummary.checked(followUp.summary, field: "follow_up.summary")
        if followUp.kind == .visit {
            // The five elements of a visit: time (occurred_at, above), place, decision maker, objection, next commitment.
            followUp.place = try Require.text(followUp.place, field: "follow_up.place", maxLength: 200)
            followUp.decisionMaker = try Require.text(followUp.decisionMaker, field: "follow_up.decision_maker", maxLength: 100)
            followUp.objection = try Require.text(followUp.objection, field: "follow_up.objection", maxLength: 1_000)
            followUp.nextCommitment = try Require.text(followUp.nextCommitment, field: "follow_up.next_commitment", maxLength: 1_000)
        }
        if followUp.hasNextContactAt {
            let next = try Require.timestamp(followUp.nextContactAt, isSet: true, field: "follow_up.next_contact_at")
            guard next > occurredAt else {
                throw .invalidArgument(field: "follow_up.next_contact_at", rule: "must be after occurred_at")
            }
            nextContactAt = next
        } else {
            nextContactAt = nil
        }
        message = followUp
    }
}
