import Foundation
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// A lead as the leads schema holds it.
struct Lead: Sendable {
    var id: UUID
    var seq: Int64
    var tenant: String
    var contactName: String
    var companyName: String
    var phone: PhoneNumber?
    var creditCode: CreditCode?
    var channel: Sales_Leads_V1_Channel
    var campaign: String
    var city: String
    var inquiry: String
    var ownerID: String
    var orgPath: String
    var status: Sales_Leads_V1_LeadStatus
    var opportunityID: UUID?
    var createdAt: Date
    var customFields: [String: Sales_Common_V1_FieldValue]
    var customerID: UUID?
    var isRepeat: Bool
    var firstTouchAt: Date?
    var lastTouchAt: Date?
    var assignmentReason: String
    var routingRuleID: String?
    var profile: LeadProfile
    var grade: String

    func message(for caller: Caller) -> Sales_Leads_V1_Lead {
        .with {
            $0.id = id.apiString
            $0.contactName = contactName
            $0.companyName = companyName
            if let phone { $0.phone = Sales_Common_V1_Phone(phone, for: caller) }
            $0.creditCode = creditCode?.rawValue ?? ""
            $0.customerID = customerID?.apiString ?? ""
            $0.repeat = isRepeat
            if let firstTouchAt { $0.firstTouchAt = Google_Protobuf_Timestamp(date: firstTouchAt) }
            if let lastTouchAt { $0.lastTouchAt = Google_Protobuf_Timestamp(date: lastTouchAt) }
            $0.assignmentReason = assignmentReason
            $0.routingRuleID = routingRuleID ?? ""
            $0.channel = channel
            $0.campaign = campaign
            $0.city = city
            $0.inquiry = inquiry
            $0.ownerID = ownerID
            $0.orgPath = orgPath
            $0.status = status
            $0.opportunityID = opportunityID?.apiString ?? ""
            $0.createdAt = Google_Protobuf_Timestamp(date: createdAt)
            $0.customFields = customFields
            $0.grade = grade
            profile.write(to: &$0)
        }
    }
}

/// How one customer is found again: its credit code, or its mobile's keyed hash.
struct CustomerKey: Sendable, Hashable {
    let kind: String
    let value: String
}

/// A validated CreateLead request.
struct NewLead: Sendable {
    var contactName: String
    var companyName: String
    var phone: PhoneNumber?
    var creditCode: CreditCode?
    var channel: Sales_Leads_V1_Channel
    var campaign: String
    var city: String
    var inquiry: String
    var profile: LeadProfile
    var customFields: [String: Sales_Common_V1_FieldValue]

    /// What identifies the customer: the credit code for a company, else the mobile's keyed hash
    /// (`phoneHash`, the phone's hash when it has one).
    func customerKey(phoneHash: String?) -> CustomerKey {
        switch (creditCode, phoneHash) {
        case (let code?, _): return CustomerKey(kind: "credit_code", value: code.rawValue)
        case (nil, let hash?): return CustomerKey(kind: "phone", value: hash)
        case (nil, nil): preconditionFailure("init refuses a lead with neither a phone nor a credit code")
        }
    }

    /// Checks the request, custom fields against the tenant's definitions included.
    init(_ request: Sales_Leads_V1_CreateLeadRequest, fields: CustomFieldValues) throws(ServiceError) {
        contactName = try Require.text(request.contactName, field: "contact_name", maxLength: 100)
        companyName = try Require.optionalText(request.companyName, field: "company_name", maxLength: 200)
        if !request.creditCode.isEmpty {
            guard let code = CreditCode(request.creditCode) else {
                throw .invalidArgument(
                    field: "credit_code",
                    rule: "\(quoted: request.creditCode) is not a unified social credit code (18 characters; the last is a check character)")
            }
            creditCode = code
        }
        if !request.phone.isEmpty {
            guard let phone = PhoneNumber(request.phone) else {
                throw .invalidArgument(
                    field: "phone", rule: "\(quoted: request.phone) is not a mainland mobile number (11 digits starting 13–19, optional +86)")
            }
            self.phone = phone
        } else if creditCode == nil {
            throw .invalidArgument(
                field: "phone", rule: "is required unless credit_code is given: a lead needs a way to reach or identify the customer")
        }
        switch request.channel {
        case .unspecified:
            throw .invalidArgument(field: "channel", rule: "is required (web form, Douyin, WeChat, Meituan, trade show, store POS or API)")
        case .UNRECOGNIZED(let raw):
            throw .invalidArgument(field: "channel", rule: "\(raw) is not a known channel")
        default:
            channel = request.channel
        }
        campaign = try Require.optionalText(request.campaign, field: "campaign", maxLength: 100)
        city = try Require.optionalText(request.city, field: "city", maxLength: 50)
        inquiry = try Require.optionalText(request.inquiry, field: "inquiry")
        profile = try LeadProfile(request)
        try fields.validate(request.customFields)
        customFields = request.customFields.filter { $0.value.kind != nil }
        try fields.requireForCreation(customFields)
    }
}
