import Foundation
import RulesEngine
import SalesProto
import ServiceKit
import SwiftProtobuf

/// An SLA checkpoint, read from a rule's outcome in the "lead-checkpoints" rule set: what must
/// happen, counted from when, within how many clock or business hours.
struct Checkpoint: Sendable, Equatable {
    static let ruleSetName = "lead-checkpoints"

    enum Requirement: Sendable, Equatable {
        case firstTouch
        case field(String)

        var name: String {
            switch self {
            case .firstTouch: "first_touch"
            case .field(let key): "field:\(key)"
            }
        }
    }

    enum Anchor: String, Sendable { case created, firstTouch = "first_touch" }

    let ruleID: String
    let label: String
    let requirement: Requirement
    let anchor: Anchor
    let hours: Double
    let businessHours: Bool

    /// The checkpoint an outcome describes, or what is wrong with it.
    static func parse(_ outcome: RuleValue, ruleID: String) -> Result<Checkpoint, CheckpointOutcomeError> {
        guard let object = outcome.objectValue else {
            return .failure(.init("the outcome must be an object with label, requirement, anchor, hours and clock"))
        }
        guard let label = object["label"]?.stringValue, !label.isEmpty else { return .failure(.init("outcome.label is required")) }
        let requirement: Requirement
        switch object["requirement"]?.stringValue {
        case "first_touch"?: requirement = .firstTouch
        case let text? where text.hasPrefix("field:") && text.count > 6: requirement = .field(String(text.dropFirst(6)))
        default: return .failure(.init("outcome.requirement must be \"first_touch\" or \"field:<key>\""))
        }
        guard let anchor = Anchor(rawValue: object["anchor"]?.stringValue ?? "created") else {
            return .failure(.init("outcome.anchor must be \"created\" or \"first_touch\""))
        }
        guard let hours = object["hours"]?.numberValue, hours > 0, hours <= 24 * 365 else {
            return .failure(.init("outcome.hours must be a positive number of hours"))
        }
        let business: Bool
        switch object["clock"]?.stringValue ?? "clock" {
        case "clock": business = false
        case "business": business = true
        default: return .failure(.init("outcome.clock must be \"clock\" or \"business\""))
        }
        return .success(Checkpoint(ruleID: ruleID, label: label, requirement: requirement, anchor: anchor, hours: hours, businessHours: business))
    }

    /// Where `lead` stands at `now`.
    func status(of lead: Lead, now: Date, calendar: WorkCalendar) -> Sales_Leads_V1_CheckpointStatus {
        var status = Sales_Leads_V1_CheckpointStatus.with {
            $0.ruleID = ruleID
            $0.label = label
            $0.requirement = requirement.name
            $0.limitHours = hours
            $0.businessHours = businessHours
        }
        let start: Date? =
            switch anchor {
            case .created: lead.createdAt
            case .firstTouch: lead.firstTouchAt
            }
        guard let start else {
            status.state = .pending
            return status
        }
        // When the requirement was met. A field's fill time is not recorded, so a filled field counts as met.
        let metAt: Date?
        switch requirement {
        case .firstTouch:
            metAt = lead.firstTouchAt
        case .field(let key):
            if lead.customFields[key]?.kind != nil {
                status.state = .met
                return status
            }
            metAt = nil
        }
        let end = min(metAt ?? now, now)
        let seconds = businessHours ? ((try? calendar.workingSeconds(from: start, to: max(start, end))) ?? 0) : max(0, end.timeIntervalSince(start))
        status.elapsedHours = (seconds / 36).rounded() / 100
        let overdue = seconds > hours * 3600
        status.state =
            switch (metAt != nil, overdue) {
            case (true, false): .met
            case (true, true): .late
            case (false, true): .missed
            case (false, false): .pending
            }
        return status
    }
}

struct CheckpointOutcomeError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
