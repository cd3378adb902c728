import LeadIntake
import RulesEngine
import SalesProto

/// A Meituan store lead (美团到店留资): `{"lead_id", "user_name", "mobile", "shop_city", "deal_title"}`.
public struct MeituanIntake: IntakeAdapter {
    public let name = "meituan"
    public let channel = Sales_Leads_V1_Channel.meituan

    public init() {}

    public func read(_ payload: [String: RuleValue]) throws(IntakeFailure) -> IntakeLead {
        try requireShape(payload, keys: ["lead_id", "mobile"], described: "a Meituan lead")
        var lead = IntakeLead(externalID: text(payload, "lead_id"))
        lead.contactName = text(payload, "user_name").isEmpty ? "美团用户" : text(payload, "user_name")
        lead.phone = text(payload, "mobile")
        lead.city = text(payload, "shop_city")
        lead.inquiry = text(payload, "deal_title")
        lead.campaign = "美团到店"
        return lead
    }
}
