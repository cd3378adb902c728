import Foundation
import GRPCCore
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Hands a receipt's customer to the leads service as a lead of its store POS channel, on the
/// tenant's behalf. The leads service is a peer called when reachable: without it, a referral
/// answers UNAVAILABLE and records nothing, so the customer's retry is safe.
struct StoreLeadReferrer: Sendable {
    let leads: Sales_Leads_V1_LeadService.Client<PeerClient.Transport>?
    let tokens: TokenAuthority

    /// A referral checked before it is sent.
    struct Referral: Sendable {
        var storeCode: String
        var receiptNumber: String
        var contactName: String
        var phone: PhoneNumber
        var companyName: String
        var need: String

        init(_ request: Sales_Storesales_V1_ReferStoreLeadRequest) throws(ServiceError) {
            storeCode = try Require.text(request.storeCode, field: "store_code", maxLength: 32).uppercased()
            receiptNumber = try Require.text(request.receiptNumber, field: "receipt_number", maxLength: 64)
            contactName = try Require.text(request.contactName, field: "contact_name", maxLength: 50)
            phone = try CheckedMember.mobile(request.mobile)
            companyName = try Require.optionalText(request.companyName, field: "company_name", maxLength: 100)
            need = try Require.optionalText(request.need, field: "need", maxLength: 500)
        }
    }

    /// The lead's id. The receipt's id keys the call, so a retry after a lost answer finds the
    /// lead the first call made.
    func refer(_ referral: Referral, receipt: UUID, city: String, tenant: TenantID) async throws -> String {
        guard let leads else {
            throw ServiceError.unavailable("this store-sales service has no leads service to refer to (SALES_LEADS_ADDRESS); nothing was recorded")
        }
        let token = try await tokens.sign(Caller.service(.storeSales, tenant: tenant), lifetime: .seconds(60))
        var metadata: Metadata = ["authorization": "Bearer \(token)"]
        metadata.addString("store-lead:\(receipt.apiString)", forKey: "idempotency-key")
        do {
            let created = try await leads.createLead(
                .with {
                    $0.contactName = referral.contactName
                    $0.companyName = referral.companyName
                    $0.phone = referral.phone.e164
                    $0.channel = .storePos
                    $0.campaign = "门店小票扫码 \(referral.storeCode)"
                    $0.city = city
                    $0.inquiry = referral.need
                }, metadata: metadata)
            return created.lead.id
        } catch let error as RPCError where [.invalidArgument, .failedPrecondition].contains(error.code) {
            throw error
        } catch {
            throw ServiceError.unavailable("the leads service did not take the lead (\(error)); nothing was recorded, retry")
        }
    }
}
