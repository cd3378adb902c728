import LeadIntake
import RulesEngine
import SalesProto

/// An H5 page or website form: `{"submission_id", "fields": {"name", "phone", "company", "city", "message"}, "utm_campaign"}`.
public struct WebFormIntake: IntakeAdapter {
    public let name = "web_form"
    public let channel = Sales_Leads_V1_Channel.webForm

    public init() {}

    public func read(_ payload: [String: RuleValue]) throws(IntakeFailure) -> IntakeLead {
        try requireShape(payload, keys: ["submission_id", "fields"], described: "a web form submission")
        var lead = IntakeLead(externalID: text(payload, "submission_id"))
        lead.contactName = text(payload, "fields.name")
        lead.phone = text(payload, "fields.phone")
        lead.companyName = text(payload, "fields.company")
        lead.creditCode = text(payload, "fields.credit_code")
        lead.city = text(payload, "fields.city")
        lead.inquiry = text(payload, "fields.message")
        lead.campaign = text(payload, "utm_campaign")
        return lead
    }
}
