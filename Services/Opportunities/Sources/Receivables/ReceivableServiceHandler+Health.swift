import Foundation
import GRPCCore
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Collections health (回款健康度) for a month, per rep or team, with the shared blind spots.
extension ReceivableServiceHandler {
    func getCollectionHealth(
        request: Sales_Opportunities_V1_GetCollectionHealthRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_CollectionHealth {
        let caller = try RequestContext.caller()
        let parts = request.month.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let start = LocalDate("\(request.month)-01"),
            (1900...2999).contains(start.year)
        else {
            throw ServiceError.invalidArgument(field: "month", rule: "must be a month written YYYY-MM; got \(quoted: request.month)")
        }
        let byTeam: Bool
        switch request.groupBy {
        case .unspecified, .rep: byTeam = false
        case .team: byTeam = true
        case .UNRECOGNIZED(let raw): throw ServiceError.invalidArgument(field: "group_by", rule: "\(raw) is not a grouping: rep or team")
        }
        let end = LocalDate(year: start.month == 12 ? start.year + 1 : start.year, month: start.month % 12 + 1, day: 1)!
        let calendar = await sweeper.calendars.calendar(for: caller.tenant)
        let rows = try await receivables.health(
            for: caller, from: start, to: end, byTeam: byTeam, timeZone: calendar.timeZone.identifier)
        let spots = try await receivables.blindSpots(for: caller, from: start, to: end, today: calendar.localDate(of: Date()))
        return .with {
            $0.month = request.month
            $0.rows = rows
            $0.total = Self.total(of: rows)
            $0.blindSpots = spots
        }
    }

    /// The rows summed (their first currency's; a tenant keeps one), days to cash weighted by
    /// the instalments paid in full.
    static func total(of rows: [Sales_Opportunities_V1_CollectionHealthRow]) -> Sales_Opportunities_V1_CollectionHealthRow {
        let currency = rows.first?.due.currency ?? "CNY"
        let same = rows.filter { $0.due.currency == currency }
        let paid = same.reduce(0) { $0 + Int($1.paidInFull) }
        let days = same.reduce(0) { $0 + Int($1.averageDaysToCash) * Int($1.paidInFull) }
        return ReceivableStore.healthRow(
            key: "", count: same.reduce(0) { $0 + Int($1.instalmentsDue) },
            due: .init(minorUnits: same.reduce(0) { $0 + $1.due.minorUnits }, currency: currency),
            collected: .init(minorUnits: same.reduce(0) { $0 + $1.collected.minorUnits }, currency: currency),
            onTime: same.reduce(0) { $0 + Int($1.paidOnTime) }, invoicedOnTime: same.reduce(0) { $0 + Int($1.invoicedOnTime) },
            paidInFull: paid, daysToCash: paid > 0 ? Int((Double(days) / Double(paid)).rounded()) : 0)
    }
}
