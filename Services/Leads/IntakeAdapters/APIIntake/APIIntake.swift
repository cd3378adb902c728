import LeadIntake
import RulesEngine
import SalesProto

/// The plain API, for ERP and partner systems: the lead shape itself,
/// `{"external_id", "contact_name", "company_name", "phone", "credit_code", "city", "inquiry", "campaign"}`.
public struct APIIntake: IntakeAdapter {
    public let name = "api"
    public let channel = Sales_Leads_V1_Channel.api

    public init() {}

    public func read(_ payload: [String: RuleValue]) throws(IntakeFailure) -> IntakeLead {
        try requireShape(payload, keys: ["contact_name"], described: "an API lead")
        let externalID = text(payload, "external_id")
        var lead = IntakeLead(externalID: externalID.isEmpty ? nil : externalID)
        lead.contactName = text(payload, "contact_name")
        lead.companyName = text(payload, "company_name")
        lead.phone = text(payload, "phone")
        lead.creditCode = text(payload, "credit_code")
        lead.city = text(payload, "city")
        lead.inquiry = text(payload, "inquiry")
        lead.campaign = text(payload, "campaign")
        return lead
    }
}
