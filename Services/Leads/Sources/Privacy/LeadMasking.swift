import SalesProto
import ServiceKit

// The lead's phone is its one personal datum shown in full only to callers who may unmask;
// idempotent repeats of the RPCs that answer with a lead pass through these.

extension Sales_Leads_V1_Lead: PersonalDataMasking {
    public func maskingPersonalData() -> Self {
        var lead = self
        if lead.hasPhone { lead.phone.e164 = "" }
        return lead
    }
}

extension Sales_Leads_V1_CreateLeadResponse: PersonalDataMasking {
    public func maskingPersonalData() -> Self {
        var response = self
        response.lead = lead.maskingPersonalData()
        return response
    }
}

extension Sales_Leads_V1_ConvertLeadResponse: PersonalDataMasking {
    public func maskingPersonalData() -> Self {
        var response = self
        response.lead = lead.maskingPersonalData()
        return response
    }
}
