import Foundation
import SalesModel
import SalesProto
import ServiceKit

/// A checked RecordActivity request: its kind's required fields present, its signals known.
struct NewActivity: Sendable {
    let opportunityID: UUID
    /// Its attachments are resolved against the deal's uploads before it is stored.
    var message: Sales_Opportunities_V1_Activity
    let occurredAt: Date
    let contactIDs: [UUID]

    init(_ request: Sales_Opportunities_V1_RecordActivityRequest, now: Date = Date()) throws(ServiceError) {
        guard request.hasActivity else { throw .invalidArgument(field: "activity", rule: "is required") }
        var activity = request.activity
        opportunityID = try Require.uuid(activity.opportunityID, field: "activity.opportunity_id")
        switch activity.kind {
        case .unspecified:
            throw .invalidArgument(field: "activity.kind", rule: "is required: call, visit, demo, proposal, meeting, email, WeChat or task")
        case .UNRECOGNIZED(let raw): throw .invalidArgument(field: "activity.kind", rule: "\(raw) is not a kind of activity")
        default: break
        }
        occurredAt = try Require.timestamp(activity.occurredAt, isSet: activity.hasOccurredAt, field: "activity.occurred_at")
        guard occurredAt <= now.addingTimeInterval(300) else {
            throw .invalidArgument(field: "activity.occurred_at", rule: "is in the future: record an activity after it happened")
        }
        activity.summary = try ContactSummary.checked(activity.summary, field: "activity.summary", maxLength: 2_000)
        if activity.kind == .visit {
            // The five elements of a visit: time (above), place with GPS, decision maker, objection, next commitment.
            activity.place = try Require.text(activity.place, field: "activity.place", maxLength: 200)
            guard GeoPoint(latitude: activity.latitude, longitude: activity.longitude) != nil,
                activity.latitude != 0 || activity.longitude != 0
            else { throw .invalidArgument(field: "activity.latitude", rule: "a visit needs the place's GPS: latitude and longitude") }
            activity.decisionMakerMet = try Require.text(activity.decisionMakerMet, field: "activity.decision_maker_met", maxLength: 100)
            activity.objection = try Require.text(activity.objection, field: "activity.objection", maxLength: 1_000)
            activity.nextCommitment = try Require.text(activity.nextCommitment, field: "activity.next_commitment", maxLength: 1_000)
        }
        for (index, attendee) in activity.attendees.enumerated() {
            let parts = attendee.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].trimmingCharacters(in: .whitespaces).isEmpty, attendee.count <= 100 else {
                throw .invalidArgument(field: "activity.attendees[\(index)]", rule: "must be role:name, e.g. technical_evaluator:王工")
            }
        }
        guard activity.signals.count <= 12, Set(activity.signals).count == activity.signals.count else {
            throw .invalidArgument(field: "activity.signals", rule: "at most 12 signals, none repeated")
        }
        // Whether each is in the tenant's catalog is checked against it, in the transaction.
        for (index, signal) in activity.signals.enumerated() where !Identifier.isSignalKey(signal) {
            throw .invalidArgument(
                field: "activity.signals[\(index)]", rule: "\(quoted: signal) is not a signal key (lowercase letters, digits and '_')")
        }
        guard activity.contactIds.count <= 20 else { throw .invalidArgument(field: "activity.contact_ids", rule: "at most 20") }
        var contacts: [UUID] = []
        for (index, text) in activity.contactIds.enumerated() {
            let id = try Require.uuid(text, field: "activity.contact_ids[\(index)]")
            if !contacts.contains(id) { contacts.append(id) }
        }
        contactIDs = contacts
        guard activity.attachments.count <= 20 else { throw .invalidArgument(field: "activity.attachments", rule: "at most 20") }
        for (index, attachment) in activity.attachments.enumerated() {
            let field = "activity.attachments[\(index)]"
            // An upload brings its own name and kind; an outside link must say what it is.
            guard !attachment.uri.hasPrefix(AttachmentStore.scheme) else { continue }
            _ = try Require.text(attachment.name, field: "\(field).name", maxLength: 200)
            _ = try Require.text(attachment.kind, field: "\(field).kind", maxLength: 40)
            _ = try Require.optionalText(attachment.uri, field: "\(field).uri", maxLength: 2_000)
            guard
                attachment.latitude == 0 && attachment.longitude == 0
                    || GeoPoint(latitude: attachment.latitude, longitude: attachment.longitude) != nil
            else { throw .invalidArgument(field: "\(field).latitude", rule: "must be a latitude and longitude on Earth") }
        }
        activity.id = ""
        activity.playbook = []
        activity.recordedBy = ""
        activity.clearRecordedAt()
        message = activity
    }
}
