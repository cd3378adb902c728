import LeadIntake
import RulesEngine
import SalesProto

/// A WeChat official account form reply (公众号留资): `{"msg_id", "openid", "nickname", "phone", "content", "scene"}`.
public struct WeChatIntake: IntakeAdapter {
    public let name = "wechat"
    public let channel = Sales_Leads_V1_Channel.wechat

    public init() {}

    public func read(_ payload: [String: RuleValue]) throws(IntakeFailure) -> IntakeLead {
        try requireShape(payload, keys: ["msg_id", "openid"], described: "a WeChat official account message")
        var lead = IntakeLead(externalID: text(payload, "msg_id"))
        lead.contactName = text(payload, "nickname").isEmpty ? "微信用户" : text(payload, "nickname")
        lead.phone = text(payload, "phone")
        lead.inquiry = text(payload, "content")
        lead.campaign = text(payload, "scene")
        return lead
    }
}
