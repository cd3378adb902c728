import Foundation
import GRPCCore
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// sales.storesales.v1.CouponService.
struct CouponServiceHandler: Sales_Storesales_V1_CouponService.SimpleServiceProtocol {
    let coupons: CouponStore
    let access: StoreAccess

    func issueCoupons(
        request: Sales_Storesales_V1_IssueCouponsRequest, context: ServerContext
    ) async throws -> Sales_Storesales_V1_IssueCouponsResponse {
        let caller = try RequestContext.caller(allowedTo: .runStores, "issuing coupons")
        let issue = try CouponIssue(request)
        let storeCode = try Require.optionalText(request.storeCode, field: "store_code", maxLength: 32)
        let logger = RequestContext.logger
        return try await Idempotency.run("IssueCoupons", request: request, database: coupons.database) { connection in
            let store = storeCode.isEmpty ? nil : try await access.counter(storeCode, for: caller, on: connection)
            let (issued, new) = try await coupons.issue(issue, store: store, tenant: caller.tenant, on: connection, logger: logger)
            return Sales_Storesales_V1_IssueCouponsResponse.with {
                $0.coupons = issued
                $0.issued = Int32(new)
                $0.alreadyHeld = Int32(issued.count - new)
            }
        }
    }

    func redeemCoupon(request: Sales_Storesales_V1_RedeemCouponRequest, context: ServerContext) async throws -> Sales_Storesales_V1_Coupon {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.couponID, field: "coupon_id")
        let storeCode = try Require.text(request.storeCode, field: "store_code", maxLength: 32)
        let receipt = try Require.optionalText(request.receiptNumber, field: "receipt_number", maxLength: 64)
        let logger = RequestContext.logger
        return try await Idempotency.run("RedeemCoupon", request: request, database: coupons.database) { connection in
            let store = try await access.counter(storeCode, for: caller, on: connection)
            switch try await coupons.redeem(
                id, store: store, storeCode: storeCode, receipt: receipt, tenant: caller.tenant, on: connection, logger: logger)
            {
            case .refused(let error): throw error
            case .repeated(let coupon): return coupon
            case .redeemed(let coupon):
                try await Outbox.append(
                    Sales_Storesales_V1_CouponRedeemed.with { $0.coupon = coupon }, tenant: caller.tenant, aggregateType: "coupon",
                    aggregateID: coupon.id, on: connection, logger: logger)
                return coupon
            }
        }
    }

    func listCoupons(request: Sales_Storesales_V1_ListCouponsRequest, context: ServerContext) async throws -> Sales_Storesales_V1_ListCouponsResponse
    {
        let caller = try RequestContext.caller(allowedTo: .serveMembers, "listing a member's coupons")
        let member = try Require.uuid(request.memberID, field: "member_id")
        let held = try await coupons.ofMember(member, tenant: caller.tenant)
        return .with { $0.coupons = held }
    }

    func setReengagementOffer(
        request: Sales_Storesales_V1_SetReengagementOfferRequest, context: ServerContext
    ) async throws -> Sales_Storesales_V1_ReengagementOffer {
        let caller = try RequestContext.caller(allowedTo: .administer, "setting the re-engagement pack")
        let category = try Require.optionalText(request.offer.category, field: "offer.category", maxLength: 50)
        let offer = try Require.text(request.offer.offer, field: "offer.offer", maxLength: 200)
        let logger = RequestContext.logger
        try await coupons.database.transaction { connection in
            try await coupons.setOffer(category: category, offer: offer, tenant: caller.tenant, on: connection, logger: logger)
        }
        return .with {
            $0.category = category
            $0.offer = offer
        }
    }

    func listReengagementOffers(
        request: Sales_Storesales_V1_ListReengagementOffersRequest, context: ServerContext
    ) async throws -> Sales_Storesales_V1_ListReengagementOffersResponse {
        let caller = try RequestContext.caller()
        let offers = try await coupons.offers(tenant: caller.tenant)
        return .with { $0.offers = offers }
    }
}
