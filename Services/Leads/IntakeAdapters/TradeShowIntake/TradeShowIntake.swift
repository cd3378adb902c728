import LeadIntake
import RulesEngine
import SalesProto

/// A badge or QR scan at a trade show:
/// `{"scan_id", "exhibition", "visitor": {"name", "mobile", "company", "credit_code", "city"}, "booth_note"}`.
public struct TradeShowIntake: IntakeAdapter {
    public let name = "trade_show"
    public let channel = Sales_Leads_V1_Channel.tradeShow

    public init() {}

    public func read(_ payload: [String: RuleValue]) throws(IntakeFailure) -> IntakeLead {
        try requireShape(payload, keys: ["scan_id", "visitor"], described: "a trade-show scan")
        var lead = IntakeLead(externalID: text(payload, "scan_id"))
        lead.contactName = text(payload, "visitor.name")
        lead.phone = text(payload, "visitor.mobile")
        lead.companyName = text(payload, "visitor.company")
        lead.creditCode = text(payload, "visitor.credit_code")
        lead.city = text(payload, "visitor.city")
        lead.inquiry = text(payload, "booth_note")
        lead.campaign = text(payload, "exhibition")
        return lead
    }
}
