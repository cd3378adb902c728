import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// One import call's deals (up to 500), each checked on its own: an outcome per deal, the refused
/// ones filled in, and the checked ones for `write`.
struct HistoryBatch: Sendable {
    let outcomes: [Sales_Common_V1_ImportRowOutcome]
    let deals: [(index: Int, value: CheckedHistoryDeal)]

    init(_ request: Sales_Forecasting_V1_ImportHistoryRequest, catalog: [String: Sales_Forecasting_V1_ForecastSignal], now: Date) throws {
        try ImportRows.checkCount(request.deals.count, most: ForecastServiceHandler.mostDealsAtOnce, field: "deals")
        (outcomes, deals) = try ImportRows.check(request.deals, line: \.line) { deal in
            try CheckedHistoryDeal(deal, signals: catalog, now: now)
        }
    }

    /// Writes the checked deals; their outcomes carry each one's index in the batch.
    func write(to history: HistoryStore, tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws
        -> Sales_Forecasting_V1_ImportHistoryResponse
    {
        var response = Sales_Forecasting_V1_ImportHistoryResponse()
        for (index, deal) in deals {
            let result = try await history.put(deal, origin: "import", tenant: tenant, on: connection, logger: logger)
            response.deals.append(
                .with {
                    $0.line = Int32(index)
                    $0.id = deal.deal.externalID
                    $0.result = result.rawValue
                })
        }
        return response
    }

    /// Every deal's outcome, in order, with the lines the caller sent.
    func answer(_ written: Sales_Forecasting_V1_ImportHistoryResponse) -> Sales_Forecasting_V1_ImportHistoryResponse {
        .with { $0.deals = ImportRows.merge(written.deals, into: outcomes) }
    }
}
