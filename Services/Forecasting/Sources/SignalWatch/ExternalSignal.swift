import Foundation
import SalesModel
import SalesProto
import ServiceKit

/// One signal as a source answered it: its text fields by name, or why it could not be read.
struct RawSignal: Sendable {
    /// The file's line or the place in the relay's answer, for the report.
    var position: Int
    var place: String
    var fields: [String: String]
    var problem: ServiceError?

    static let fieldNames = ["id", "signal", "at", "customer_id", "deal_id", "headline", "competitor"]

    /// A JSON object's known fields, each of which must be a string; others are ignored.
    init(position: Int, place: String, json: Any) {
        self.position = position
        self.place = place
        fields = [:]
        guard let object = json as? [String: Any] else {
            problem = .invalidArgument(field: "(signal)", rule: "must be a JSON object")
            return
        }
        for name in Self.fieldNames {
            guard let value = object[name] else { continue }
            guard let text = value as? String else {
                problem = .invalidArgument(field: name, rule: "must be a string")
                return
            }
            fields[name] = text
        }
    }

    init(position: Int, place: String, problem: ServiceError) {
        self.position = position
        self.place = place
        fields = [:]
        self.problem = problem
    }
}

/// A source's signal, checked against the tenant's catalog: an external signal, a moment no later
/// than now, and the customer or deal it is about.
struct ExternalSignal: Sendable {
    let id: String
    let key: String
    let at: Date
    let customerID: String
    let dealID: String
    let headline: String
    let competitor: String

    init(_ raw: RawSignal, catalog: [String: Sales_Forecasting_V1_ForecastSignal], now: Date) throws(ServiceError) {
        if let problem = raw.problem { throw problem }
        for name in RawSignal.fieldNames { try TextCheck.validate(raw.fields[name] ?? "", field: name) }
        id = try Require.text(raw.fields["id"] ?? "", field: "id", maxLength: 128)
        let key = raw.fields["signal"] ?? ""
        guard let signal = catalog[key] else {
            throw .invalidArgument(field: "signal", rule: "\(quoted: key) is not in the signal catalog; define it with DefineSignal first")
        }
        guard signal.kind == .external else {
            throw .invalidArgument(field: "signal", rule: "\(quoted: key) is a behaviour signal; a source brings external ones")
        }
        self.key = key
        let text = try Require.text(raw.fields["at"] ?? "", field: "at", maxLength: 40)
        guard let at = try? Date(text, strategy: .iso8601) else {
            throw .invalidArgument(field: "at", rule: "must be an RFC 3339 time such as 2026-11-30T08:00:00Z (got \(quoted: text))")
        }
        guard at <= now.addingTimeInterval(300) else {
            throw .invalidArgument(field: "at", rule: "is in the future (\(at.formatted(.iso8601)))")
        }
        self.at = at
        customerID = try Require.optionalText(raw.fields["customer_id"] ?? "", field: "customer_id", maxLength: 64)
        dealID = try Require.optionalText(raw.fields["deal_id"] ?? "", field: "deal_id", maxLength: 64)
        guard !customerID.isEmpty || !dealID.isEmpty else {
            throw .invalidArgument(field: "customer_id", rule: "a signal names the customer_id or the deal_id it is about")
        }
        headline = try Require.optionalText(raw.fields["headline"] ?? "", field: "headline", maxLength: 200)
        competitor = try Require.optionalText(raw.fields["competitor"] ?? "", field: "competitor", maxLength: 60)
    }

    /// Competitor news: the built-in `competitor_news`, or a tenant's external signal named
    /// `competitor_…`; it raises an alert to each open deal's owner.
    var isCompetitorNews: Bool { key.hasPrefix("competitor") }
}
