import Foundation
import GRPCCore
import Logging
import PostgresNIO
import RulesEngine
import SalesModel
import SalesNotifications
import SalesProto
import ServiceKit
import SwiftProtobuf

/// sales.storesales.v1.StoreOperationsService: uploads, promotions, launches, complaint topics.
struct OperationsServiceHandler: Sales_Storesales_V1_StoreOperationsService.SimpleServiceProtocol {
    let uploads: UploadStore
    let promotions: PromotionStore
    let launches: LaunchStore
    let topics: ComplaintTopicStore
    let products: ProductStore
    let board: OperationsBoardStore
    let access: StoreAccess
    let blobs: any BlobStore
    let notifier: Notifier
    let calendars: TenantCalendars

    func recordUpload(request: Sales_Storesales_V1_RecordUploadRequest, context: ServerContext) async throws -> Sales_Storesales_V1_StoreUpload {
        let caller = try RequestContext.caller(allowedTo: .serveMembers, "uploading a store's day")
        let upload = try CheckedUpload(request, today: await calendars.today(for: caller.tenant))
        let logger = RequestContext.logger
        return try await Idempotency.run("RecordUpload", request: request, database: uploads.database) { connection in
            let (storeID, store) = try await access.counterStore(upload.storeCode, for: caller, on: connection)
            var place = UploadStore.Placement(
                storeID: storeID, storeCode: store.message.code, tenant: caller.tenant, userID: caller.userID, check: nil, topics: [])
            if let order = upload.order {
                let promotion = try await promotion(upload.promotionCode, field: "group_buy.promotion_code", tenant: caller.tenant, on: connection)
                place.check = promotion.check(orderAmount: order.amount, discount: order.discount, day: upload.day, store: store.message.code)
            } else if !upload.promotionCode.isEmpty {
                let promotion = try await promotion(upload.promotionCode, field: "promotion_code", tenant: caller.tenant, on: connection)
                try Self.shows(upload, promotion, store: store.message.code)
            }
            if !upload.sku.isEmpty,
                try await !products.missing([upload.sku], tenant: caller.tenant, on: connection, logger: logger).isEmpty
            {
                throw ServiceError.invalidArgument(field: "sku", rule: "is not in the catalogue (got \(quoted: upload.sku)); import it first")
            }
            let catalog = try await topics.catalog(tenant: caller.tenant, on: connection) ?? .defaults
            if upload.kind == .consultation { place.topics = catalog.topics(complaints: upload.complaints, transcript: upload.transcript) }
            // The image first: a record never names a file that is not kept.
            if let image = upload.image { _ = try await blobs.put(image, tenant: caller.tenant.rawValue) }
            let (stored, isNew) = try await uploads.record(upload, at: place, on: connection, logger: logger)
            guard isNew else { return stored }
            for topic in place.topics {
                guard
                    let candidate = try await uploads.markRun(
                        of: topic, scenario: catalog.scenario(of: topic), around: upload.day, at: place, on: connection, logger: logger)
                else { continue }
                try await notifier.enqueue(Self.notice(candidate, store: store.message), tenant: caller.tenant, on: connection, logger: logger)
            }
            return stored
        }
    }

    func savePromotion(request: Sales_Storesales_V1_Promotion, context: ServerContext) async throws -> Sales_Storesales_V1_Promotion {
        let caller = try RequestContext.caller(allowedTo: .administer, "planning a promotion")
        let plan = try PromotionPlan(request)
        try await promotions.save(plan, by: caller)
        return plan.message
    }

    func listPromotions(
        request: Sales_Storesales_V1_ListPromotionsRequest, context: ServerContext
    ) async throws -> Sales_Storesales_V1_ListPromotionsResponse {
        let caller = try RequestContext.caller()
        let plans = try await promotions.all(tenant: caller.tenant)
        return .with { $0.promotions = plans.map(\.message) }
    }

    func saveProductLaunch(request: Sales_Storesales_V1_ProductLaunch, context: ServerContext) async throws -> Sales_Storesales_V1_ProductLaunch {
        let caller = try RequestContext.caller(allowedTo: .administer, "planning a product launch")
        guard let saved = try await launches.save(try LaunchPlan(request), by: caller) else {
            throw ServiceError.invalidArgument(field: "sku", rule: "is not in the catalogue (got \(quoted: request.sku)); import it first")
        }
        return saved.message
    }

    func listProductLaunches(
        request: Sales_Storesales_V1_ListProductLaunchesRequest, context: ServerContext
    ) async throws -> Sales_Storesales_V1_ListProductLaunchesResponse {
        let caller = try RequestContext.caller()
        let plans = try await launches.all(tenant: caller.tenant)
        return .with { $0.launches = plans.map(\.message) }
    }

    func setComplaintTopics(
        request: Sales_Storesales_V1_SetComplaintTopicsRequest, context: ServerContext
    ) async throws -> Sales_Storesales_V1_ComplaintTopics {
        let caller = try RequestContext.caller(allowedTo: .administer, "setting the complaint topics")
        let catalog = try ComplaintCatalog(request)
        try await topics.save(catalog, by: caller)
        return catalog.message(defaults: false)
    }

    func listComplaintTopics(
        request: Sales_Storesales_V1_ListComplaintTopicsRequest, context: ServerContext
    ) async throws -> Sales_Storesales_V1_ComplaintTopics {
        let caller = try RequestContext.caller()
        guard let catalog = try await topics.catalog(tenant: caller.tenant) else { return ComplaintCatalog.defaults.message(defaults: true) }
        return catalog.message(defaults: false)
    }

    private func promotion(_ code: String, field: String, tenant: TenantID, on connection: PostgresConnection) async throws -> PromotionPlan {
        guard let plan = try await promotions.find(code, tenant: tenant, on: connection, logger: RequestContext.logger) else {
            throw ServiceError.invalidArgument(field: field, rule: "names no promotion of the chain (got \(quoted: code))")
        }
        return plan
    }

    /// A shelf photo counts for a promotion only as one of its items, on its days, in its stores.
    private static func shows(_ upload: CheckedUpload, _ promotion: PromotionPlan, store: String) throws(ServiceError) {
        guard promotion.items.contains(upload.promotionItem) else {
            throw .invalidArgument(
                field: "promotion_item",
                rule:
                    "is not an item of \(promotion.name) (got \(quoted: upload.promotionItem); its items: \(promotion.items.joined(separator: ", ")))"
            )
        }
        guard (promotion.firstDay...promotion.lastDay).contains(upload.day) else {
            throw .invalidArgument(field: "day", rule: "\(upload.day) is outside \(promotion.name) (\(promotion.firstDay) to \(promotion.lastDay))")
        }
        guard promotion.includes(store: store) else {
            throw .invalidArgument(field: "promotion_code", rule: "\(store) is not in \(promotion.name)")
        }
    }

    private static func notice(_ candidate: Sales_Storesales_V1_ScenarioCandidate, store: Sales_Storesales_V1_Store) -> Notice {
        let scenario = candidate.scenario.isEmpty ? "" : "，建议评估场景改造：\(candidate.scenario)"
        return Notice(
            kind: "scenario_candidate", audience: .person(store.managerID), title: "门店连续\(candidate.days)天出现同一投诉",
            text:
                "\(store.code) \(store.name)：「\(candidate.topic)」\(candidate.firstDay) 至 \(candidate.lastDay) 连续 \(candidate.days) 天被顾客提到\(scenario)。",
            subjectID: store.id, personal: false)
    }
}
