import Foundation
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// A member as read back: the full mobile is kept only until it is shown to a caller.
struct MemberRecord: Sendable {
    var message: Sales_Storesales_V1_Member
    var phone: PhoneNumber?
    var notes: [Sales_Storesales_V1_MemberNote] = []

    init(_ row: (UUID, String, String, Int?, Date?, String, UUID?, UUID?, Date?, Date, Int64, UUID?, Date?, Int64, Int64)) {
        let (
            id, e164, name, birthYear, consentAt, consentSource, firstClerk, firstStore, firstVisit, created, visits, lastClerk, lastAt,
            purchases, spent
        ) = row
        phone = PhoneNumber(e164)
        message = .with {
            $0.id = id.apiString
            $0.name = name
            $0.birthYear = Int32(birthYear ?? 0)
            if let consentAt { $0.consentAt = Google_Protobuf_Timestamp(date: consentAt) }
            $0.consentSource = consentSource
            $0.firstClerkID = firstClerk?.apiString ?? ""
            $0.firstStoreID = firstStore?.apiString ?? ""
            if let firstVisit { $0.firstVisitAt = Google_Protobuf_Timestamp(date: firstVisit) }
            $0.visits = visits
            $0.lastClerkID = lastClerk?.apiString ?? ""
            if let lastAt { $0.lastVisitAt = Google_Protobuf_Timestamp(date: lastAt) }
            $0.purchases = purchases
            $0.spent = Sales_Common_V1_Money(minorUnits: spent, currency: "CNY")
            $0.createdAt = Google_Protobuf_Timestamp(date: created)
        }
    }

    /// The member as `caller` may see them: the mobile masked unless they may unmask it.
    func shown(to caller: Caller) -> Sales_Storesales_V1_Member {
        var member = message
        if let phone { member.mobile = Sales_Common_V1_Phone(phone, for: caller) }
        member.notes = notes
        return member
    }
}

/// The mobile comes back masked in a stored idempotent answer too.
extension Sales_Storesales_V1_ScanClerkCodeResponse: PersonalDataMasking {
    public func maskingPersonalData() -> Self {
        var response = self
        response.member.mobile.e164 = ""
        return response
    }
}
