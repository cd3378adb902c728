import LeadIntake
import RulesEngine
import SalesProto

/// A store receipt's QR code scanned by the customer (门店小票扫码):
/// `{"receipt_no", "store_code", "member_mobile", "member_name", "city", "note"}`.
public struct StorePOSIntake: IntakeAdapter {
    public let name = "store_pos"
    public let channel = Sales_Leads_V1_Channel.storePos

    public init() {}

    public func read(_ payload: [String: RuleValue]) throws(IntakeFailure) -> IntakeLead {
        try requireShape(payload, keys: ["receipt_no", "store_code"], described: "a store receipt scan")
        var lead = IntakeLead(externalID: text(payload, "store_code") + "/" + text(payload, "receipt_no"))
        lead.contactName = text(payload, "member_name").isEmpty ? "门店顾客" : text(payload, "member_name")
        lead.phone = text(payload, "member_mobile")
        lead.city = text(payload, "city")
        lead.inquiry = text(payload, "note")
        lead.campaign = "门店 " + text(payload, "store_code")
        return lead
    }
}
