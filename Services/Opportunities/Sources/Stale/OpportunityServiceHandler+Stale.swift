import Foundation
import GRPCCore
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Stale deals on demand, and where deals wait: dwell by stage and hour of day.
extension OpportunityServiceHandler {
    func sweepStaleDeals(
        request: Sales_Opportunities_V1_SweepStaleDealsRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_SweepStaleDealsResponse {
        let caller = try RequestContext.caller(allowedTo: .administer, "sweeping stale deals")
        let flagged = try await sweeper.sweep(tenant: caller.tenant)
        return .with { $0.flagged = Int32(flagged) }
    }

    func getStageDwell(
        request: Sales_Opportunities_V1_GetStageDwellRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_GetStageDwellResponse {
        let caller = try RequestContext.caller()
        let zone = await sweeper.calendars.calendar(for: caller.tenant).timeZone
        let cells = try await changes.dwell(for: caller, timeZone: zone.identifier)
        return .with { $0.cells = cells }
    }
}
