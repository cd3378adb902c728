import Foundation
import GRPCCore
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

extension OperationsServiceHandler {
    /// What a store uploads a day.
    static let shelfPhotosADay = 3
    static let consultationsADay = 5

    func getOperationsBoard(
        request: Sales_Storesales_V1_GetOperationsBoardRequest, context: ServerContext
    ) async throws -> Sales_Storesales_V1_OperationsBoard {
        let caller = try RequestContext.caller(allowedTo: .runStores, "reading the operations board")
        let calendar = await calendars.calendar(for: caller.tenant)
        let day = request.day.isEmpty ? calendar.localDate(of: Date()) : try Require.day(request.day, field: "day")
        async let storeDays = board.uploads(for: caller, on: day)
        async let running = promotions.running(tenant: caller.tenant, on: day)
        async let executions = board.executions(for: caller, through: day)
        async let plans = launches.all(tenant: caller.tenant, startedBy: day)
        async let reached = board.launchesReached(for: caller, by: day, zone: calendar.timeZone)
        async let candidates = board.candidates(for: caller, upTo: day)
        let (stores, promotionsRunning, done, launchPlans, onShelf, scenarioCandidates) = try await (
            storeDays, running, executions, plans, reached, candidates
        )

        var result = Sales_Storesales_V1_OperationsBoard.with {
            $0.day = day.description
            $0.scenarioCandidates = scenarioCandidates
        }
        var chain: [String: Sales_Storesales_V1_PromotionExecution] = [:]
        for store in stores {
            var row = Self.uploadsRow(store)
            for promotion in promotionsRunning where promotion.includes(store: store.code) {
                let execution = Self.execution(of: promotion, done[store.code]?[promotion.code] ?? .init())
                row.promotions.append(execution)
                chain[
                    promotion.code,
                    default: .with {
                        $0.promotionCode = promotion.code; $0.name = promotion.name
                    }
                ].add(execution)
            }
            row.launchesMissing = launchPlans.filter { $0.includes(store: store.code) && !onShelf.contains([$0.sku, store.code]) }.map(\.sku)
            row.scenarioCandidates = scenarioCandidates.filter { $0.storeCode == store.code }
            if row.uploadsComplete { result.storesComplete += 1 }
            result.stores.append(row)
        }
        result.promotions = promotionsRunning.compactMap { chain[$0.code] }
        result.launches = launchPlans.map { plan in
            let targeted = stores.filter { plan.includes(store: $0.code) }.map(\.code)
            let missing = targeted.filter { !onShelf.contains([plan.sku, $0]) }
            return .with {
                $0.sku = plan.sku
                $0.name = plan.name
                $0.dueDay = plan.dueDay.description
                $0.storesTargeted = Int32(targeted.count)
                $0.storesReached = Int32(targeted.count - missing.count)
                $0.progressBp = basisPoints(targeted.count - missing.count, of: targeted.count)
                $0.storesMissing = missing
                $0.overdue = !missing.isEmpty && plan.dueDay < day
            }
        }
        return result
    }

    private static func uploadsRow(_ store: OperationsBoardStore.StoreDay) -> Sales_Storesales_V1_StoreOperations {
        var missing: [String] = []
        if store.shelfPhotos < shelfPhotosADay { missing.append("货架照片 \(store.shelfPhotos)/\(shelfPhotosADay)") }
        if store.consultations < consultationsADay { missing.append("咨询录音 \(store.consultations)/\(consultationsADay)") }
        return .with {
            $0.storeCode = store.code
            $0.name = store.name
            $0.district = store.district
            $0.shelfPhotos = Int32(store.shelfPhotos)
            $0.consultations = Int32(store.consultations)
            $0.groupBuyOrders = Int32(store.orders)
            $0.groupBuyMismatches = Int32(store.mismatches)
            $0.uploadsComplete = missing.isEmpty
            $0.missing = missing
        }
    }

    private static func execution(
        of promotion: PromotionPlan, _ done: OperationsBoardStore.Execution
    ) -> Sales_Storesales_V1_PromotionExecution {
        let shown = promotion.items.filter { done.items.contains($0) }
        return .with {
            $0.promotionCode = promotion.code
            $0.name = promotion.name
            $0.itemsPlanned = Int32(promotion.items.count)
            $0.itemsDone = Int32(shown.count)
            $0.executionBp = basisPoints(shown.count, of: promotion.items.count)
            $0.itemsMissing = promotion.items.filter { !done.items.contains($0) }
            $0.orders = Int32(done.orders)
            $0.ordersMismatched = Int32(done.mismatches)
            $0.stores = 1
        }
    }
}

extension Sales_Storesales_V1_PromotionExecution {
    /// A store's execution added into the chain's row; the missing items are the stores'.
    mutating func add(_ store: Self) {
        itemsPlanned += store.itemsPlanned
        itemsDone += store.itemsDone
        executionBp = basisPoints(itemsDone, of: itemsPlanned)
        orders += store.orders
        ordersMismatched += store.ordersMismatched
        stores += store.stores
    }
}
