import Foundation
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// An imported deal, checked whole: a deal with one bad field is refused with that field and
/// nothing of it is kept. The kept form is trimmed, its events in time order, without its line.
struct CheckedHistoryDeal: Sendable {
    static let mostEvents = 5_000
    static let mostDimensions = 20

    let deal: Sales_Forecasting_V1_HistoryDeal

    /// A deal the opportunities feed built, already checked by that service.
    init(fromFeed deal: Sales_Forecasting_V1_HistoryDeal) {
        self.deal = deal
    }

    init(
        _ row: Sales_Forecasting_V1_HistoryDeal, signals: [String: Sales_Forecasting_V1_ForecastSignal], now: Date
    ) throws(ServiceError) {
        var deal = row
        deal.line = 0
        deal.externalID = try Require.text(row.externalID, field: "external_id", maxLength: 64)
        deal.ownerID = try Require.text(row.ownerID, field: "owner_id", maxLength: 64)
        guard let team = OrgPath(row.team) else {
            throw .invalidArgument(field: "team", rule: "must be an org path such as /east/hz (got \(quoted: row.team))")
        }
        deal.team = team.rawValue
        deal.region = try Require.optionalText(row.region, field: "region", maxLength: 40)
        deal.segment = try Require.optionalText(row.segment, field: "segment", maxLength: 40)
        deal.industry = try Require.optionalText(row.industry, field: "industry", maxLength: 40)
        deal.source = try Require.optionalText(row.source, field: "source", maxLength: 40)
        deal.customerID = try Require.optionalText(row.customerID, field: "customer_id", maxLength: 64)
        guard row.dimensions.count <= Self.mostDimensions else {
            throw .invalidArgument(field: "dimensions", rule: "at most \(Self.mostDimensions) dimensions a deal (got \(row.dimensions.count))")
        }
        for (name, value) in row.dimensions {
            _ = try Require.text(name, field: "dimensions", maxLength: 40)
            _ = try Require.optionalText(value, field: "dimensions.\(name)", maxLength: 200)
        }
        guard row.hasAmount else { throw .invalidArgument(field: "amount", rule: "is required") }
        let amount = try row.amount.validated(field: "amount")
        guard amount.currency == .cny else {
            throw .invalidArgument(
                field: "amount.currency", rule: "forecasts are kept in CNY; convert the amount before importing (got \(amount.currency.code))")
        }
        let created = try Require.timestamp(row.createdAt, isSet: row.hasCreatedAt, field: "created_at")
        guard created <= now else { throw .invalidArgument(field: "created_at", rule: "is in the future") }
        let closed: Date?
        switch row.outcome {
        case .open:
            guard !row.hasClosedAt else { throw .invalidArgument(field: "closed_at", rule: "is set on an open deal; set the outcome, or clear it") }
            closed = nil
        case .won, .lost:
            let at = try Require.timestamp(row.closedAt, isSet: row.hasClosedAt, field: "closed_at")
            guard at >= created else { throw .invalidArgument(field: "closed_at", rule: "is before created_at") }
            guard at <= now else { throw .invalidArgument(field: "closed_at", rule: "is in the future") }
            closed = at
        case .UNRECOGNIZED(let value):
            throw .invalidArgument(field: "outcome", rule: "must be open, won or lost (got \(value))")
        }
        guard row.events.count <= Self.mostEvents else {
            throw .invalidArgument(field: "events", rule: "at most \(Self.mostEvents) events a deal (got \(row.events.count))")
        }
        for (index, event) in row.events.enumerated() {
            deal.events[index] = try Self.event(event, field: "events[\(index)]", signals: signals, within: created...(closed ?? now))
        }
        // Stable: events at the same moment keep the file's order.
        deal.events = deal.events.enumerated().sorted { ($0.element.at.date, $0.offset) < ($1.element.at.date, $1.offset) }.map(\.element)
        self.deal = deal
    }

    private static func event(
        _ event: Sales_Forecasting_V1_HistoryEvent, field: String, signals: [String: Sales_Forecasting_V1_ForecastSignal],
        within span: ClosedRange<Date>
    ) throws(ServiceError) -> Sales_Forecasting_V1_HistoryEvent {
        var checked = event
        let at = try Require.timestamp(event.at, isSet: event.hasAt, field: "\(field).at")
        guard span.contains(at) else {
            throw .invalidArgument(
                field: "\(field).at", rule: "must fall between the deal's created_at and its close (or now), not \(at.formatted(.iso8601))")
        }
        switch event.kind {
        case .stage(let key): checked.stage = try Require.text(key, field: "\(field).stage", maxLength: 40)
        case .behaviour(let key): checked.behaviour = try signal(key, .behaviour, field: "\(field).behaviour", signals: signals)
        case .external(let key): checked.external = try signal(key, .external, field: "\(field).external", signals: signals)
        case .repEntry(let entry):
            guard (0...100).contains(entry.probabilityPercent) else {
                throw .invalidArgument(field: "\(field).rep_entry.probability_percent", rule: "must be 0 to 100 (got \(entry.probabilityPercent))")
            }
            if entry.hasExpectedClose {
                _ = try Require.timestamp(entry.expectedClose, isSet: true, field: "\(field).rep_entry.expected_close")
            }
        case nil: throw .invalidArgument(field: field, rule: "needs one of stage, behaviour, external or rep_entry")
        }
        return checked
    }

    private static func signal(
        _ key: String, _ kind: Sales_Forecasting_V1_SignalKind, field: String, signals: [String: Sales_Forecasting_V1_ForecastSignal]
    ) throws(ServiceError) -> String {
        guard let signal = signals[key] else {
            throw .invalidArgument(field: field, rule: "\(quoted: key) is not in the signal catalog; define it with DefineSignal first")
        }
        guard signal.kind == kind else {
            throw .invalidArgument(
                field: field,
                rule:
                    "\(quoted: key) is \(signal.kind == .behaviour ? "a behaviour" : "an external") signal, not \(kind == .behaviour ? "a behaviour" : "an external") one"
            )
        }
        return key
    }

    /// The bytes kept, the same for the same content (so a repeated import is seen as unchanged).
    func serialized() throws -> [UInt8] {
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        return try deal.serializedBytes(options: options)
    }
}
