import LeadIntake
import RulesEngine
import SalesProto

/// A clue pushed by a Douyin enterprise account (抖音企业号线索):
/// `{"clue_id", "name", "telephone", "city_name", "remark", "ad_name"}`.
public struct DouyinIntake: IntakeAdapter {
    public let name = "douyin"
    public let channel = Sales_Leads_V1_Channel.douyin

    public init() {}

    public func read(_ payload: [String: RuleValue]) throws(IntakeFailure) -> IntakeLead {
        try requireShape(payload, keys: ["clue_id", "telephone"], described: "a Douyin clue")
        var lead = IntakeLead(externalID: text(payload, "clue_id"))
        lead.contactName = text(payload, "name").isEmpty ? "抖音用户" : text(payload, "name")
        lead.phone = text(payload, "telephone")
        lead.city = text(payload, "city_name")
        lead.inquiry = text(payload, "remark")
        lead.campaign = text(payload, "ad_name")
        return lead
    }
}
