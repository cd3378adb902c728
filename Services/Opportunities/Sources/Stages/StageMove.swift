import Foundation
import SalesProto
import ServiceKit

/// An AdvanceStage request, its fields checked for shape (what the gate needs is judged later,
/// against the deal and its pipeline).
struct StageMove: Sendable {
    let opportunityID: UUID
    let toStage: String
    let keyAction: String
    let feedback: String
    let evidenceIDs: [UUID]
    let overrideReason: String
    let fromStage: String?

    static let maximumFeedback = 50

    /// A move of imported history, its fields checked as a request's are.
    init(importing change: Sales_Opportunities_V1_ImportedStageChange, of deal: UUID, field: String, overrideReason: String)
        throws(ServiceError)
    {
        opportunityID = deal
        toStage = try Require.text(change.toStage, field: "\(field).to_stage", maxLength: 40)
        keyAction = try Require.optionalText(change.keyAction, field: "\(field).key_action", maxLength: 30)
        feedback = try Require.optionalText(change.feedback, field: "\(field).feedback", maxLength: Self.maximumFeedback)
        evidenceIDs = []
        self.overrideReason = overrideReason
        fromStage = nil
    }

    /// `move` with the override it was actually recorded under (none when its gate was met).
    init(importing move: StageMove, overrideReason: String) {
        opportunityID = move.opportunityID
        toStage = move.toStage
        keyAction = move.keyAction
        feedback = move.feedback
        evidenceIDs = move.evidenceIDs
        self.overrideReason = overrideReason
        fromStage = nil
    }

    init(_ request: Sales_Opportunities_V1_AdvanceStageRequest) throws(ServiceError) {
        opportunityID = try Require.uuid(request.opportunityID, field: "opportunity_id")
        toStage = try Require.text(request.toStage, field: "to_stage", maxLength: 40)
        keyAction = request.keyAction.trimmingCharacters(in: .whitespaces)
        guard keyAction.count <= 30 else { throw .invalidArgument(field: "key_action", rule: "must be at most 30 characters") }
        feedback = request.feedback.trimmingCharacters(in: .whitespacesAndNewlines)
        guard feedback.count <= Self.maximumFeedback else {
            throw .invalidArgument(field: "feedback", rule: "must be at most \(Self.maximumFeedback) characters; got \(feedback.count)")
        }
        guard request.evidenceIds.count <= 20 else { throw .invalidArgument(field: "evidence_ids", rule: "at most 20 activities") }
        var evidence: [UUID] = []
        for (index, text) in request.evidenceIds.enumerated() {
            let id = try Require.uuid(text, field: "evidence_ids[\(index)]")
            if !evidence.contains(id) { evidence.append(id) }
        }
        evidenceIDs = evidence
        overrideReason = request.overrideReason.trimmingCharacters(in: .whitespacesAndNewlines)
        if !overrideReason.isEmpty, !(4...500).contains(overrideReason.count) {
            throw .invalidArgument(field: "override_reason", rule: "must be 4 to 500 characters saying why the gate is overridden")
        }
        fromStage = request.fromStage.isEmpty ? nil : request.fromStage
    }
}
