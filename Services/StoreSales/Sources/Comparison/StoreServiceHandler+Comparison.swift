import Foundation
import GRPCCore
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

extension StoreServiceHandler {
    func getStoreComparison(
        request: Sales_Storesales_V1_GetStoreComparisonRequest, context: ServerContext
    ) async throws -> Sales_Storesales_V1_StoreComparison {
        let caller = try RequestContext.caller(allowedTo: .runStores, "comparing stores")
        let (first, last) = try (Require.day(request.from, field: "from"), Require.day(request.to, field: "to"))
        guard first <= last, last.daysSinceEpoch - first.daysSinceEpoch < 366 else {
            throw ServiceError.invalidArgument(field: "to", rule: "must be on or after from, at most 366 days later")
        }
        guard ["", "store", "district"].contains(request.groupBy) else {
            throw ServiceError.invalidArgument(field: "group_by", rule: "must be store or district (got \(quoted: request.groupBy))")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = await comparison.calendars.calendar(for: caller.tenant).timeZone
        func midnight(_ day: LocalDate) -> Date {
            calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day))!
        }
        let span = StoreComparisonStore.Span(first: first, last: last, from: midnight(first), to: midnight(last.adding(days: 1)))
        let stores = try await comparison.store.counts(for: caller, in: span, feedbackMinutes: comparison.feedbackMinutes)
        var total = StoreComparisonStore.Counts()
        for store in stores { total.add(store) }
        let rows: [Sales_Storesales_V1_StoreFigures]
        if request.groupBy == "district" {
            var districts: [String: StoreComparisonStore.Counts] = [:]
            for store in stores {
                districts[store.district, default: StoreComparisonStore.Counts(district: store.district)].add(store)
            }
            rows = districts.keys.sorted().map { districts[$0]!.figures(key: $0, name: $0.isEmpty ? "（未填商圈）" : $0) }
        } else {
            rows = stores.map { $0.figures(key: $0.code, name: $0.name) }
        }
        return .with {
            $0.rows = rows
            $0.total = total.figures(key: "", name: "合计")
        }
    }
}

/// What the comparison reads with: the store, each tenant's zone, and the feedback window.
struct StoreComparing: Sendable {
    let store: StoreComparisonStore
    let calendars: TenantCalendars
    let feedbackMinutes: Int
}
