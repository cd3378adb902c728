import Foundation
import SalesModel
import SalesProto
import ServiceKit

/// A checked ImportOpportunity request: the deal as CreateOpportunity takes it, when it began,
/// and its stage changes in time order, none in the future.
struct ImportedDeal: Sendable {
    /// Chosen before the insert, so the history's moves name it.
    let id = UUID.random()
    let externalID: String
    let deal: NewOpportunity
    let createdAt: Date
    let history: [(move: StageMove, at: Date, changedBy: String?)]
    let overrideReason: String
    let source: String

    static let maximumHistory = 50

    init(_ request: Sales_Opportunities_V1_ImportOpportunityRequest, caller: Caller, now: Date = Date()) throws(ServiceError) {
        externalID = try Require.text(request.externalID, field: "external_id", maxLength: 64)
        guard request.hasOpportunity else {
            throw .invalidArgument(field: "opportunity", rule: "is required: the deal as CreateOpportunity takes it")
        }
        do {
            deal = try NewOpportunity(request.opportunity, caller: caller)
        } catch .invalidArgument(let field, let rule) {
            throw .invalidArgument(field: "opportunity.\(field)", rule: rule)
        }
        createdAt = try Require.timestamp(request.createdAt, isSet: request.hasCreatedAt, field: "created_at")
        guard createdAt <= now else { throw .invalidArgument(field: "created_at", rule: "is in the future: import what already happened") }
        overrideReason = request.overrideReason.trimmingCharacters(in: .whitespacesAndNewlines)
        if !overrideReason.isEmpty, !(4...500).contains(overrideReason.count) {
            throw .invalidArgument(field: "override_reason", rule: "must be 4 to 500 characters saying why the gates are overridden")
        }
        source = try Require.optionalText(request.source, field: "source", maxLength: 200)
        guard request.history.count <= Self.maximumHistory else {
            throw .invalidArgument(field: "history", rule: "at most \(Self.maximumHistory) stage changes")
        }
        var history: [(StageMove, Date, String?)] = []
        var previous = createdAt
        for (index, change) in request.history.enumerated() {
            let field = "history[\(index)]"
            let at = try Require.timestamp(change.changedAt, isSet: change.hasChangedAt, field: "\(field).changed_at")
            guard at >= previous else {
                throw .invalidArgument(
                    field: "\(field).changed_at", rule: "is before the deal began or the change before it: list the changes in time order")
            }
            guard at <= now else { throw .invalidArgument(field: "\(field).changed_at", rule: "is in the future") }
            let changedBy = try Require.optionalText(change.changedBy, field: "\(field).changed_by", maxLength: 64)
            history.append(
                (try StageMove(importing: change, of: id, field: field, overrideReason: overrideReason), at, changedBy.isEmpty ? nil : changedBy))
            previous = at
        }
        self.history = history
    }
}
