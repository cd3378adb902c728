import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// A rep's disputes of their deals' scores: kept beside the score, and written into the deal's
/// history as a rep entry with the new expected close, so training learns how much disputes are
/// worth and a backtest can tell whether they made the forecast better.
struct DisputeStore: Sendable {
    /// The reasons a rep picks from (a preset list keeps them countable).
    static let reasons = ["客户CEO出国考察", "等待董事会审批", "客户预算冻结至下季度", "招标流程延期", "客户内部组织调整", "合同条款法务审核中"]

    let database: Database
    let history: HistoryStore

    func record(
        _ dispute: Sales_Forecasting_V1_ScoreDispute, tenant: TenantID, on connection: PostgresConnection, logger: Logger
    ) async throws {
        guard var deal = try await history.lockedHistory(dispute.dealID, tenant: tenant, on: connection, logger: logger) else {
            throw ServiceError.notFound(kind: "deal", id: dispute.dealID)
        }
        let latest = deal.events.last { if case .repEntry = $0.kind { true } else { false } }?.repEntry
        deal.events.append(
            .with {
                $0.at = dispute.disputedAt
                $0.repEntry = .with {
                    $0.probabilityPercent = latest?.probabilityPercent ?? 0
                    $0.expectedClose = dispute.newExpectedClose
                    $0.fromDispute = true
                }
            })
        _ = try await history.put(CheckedHistoryDeal(fromFeed: deal), origin: "dispute", tenant: tenant, on: connection, logger: logger)
        try await connection.query(
            """
            INSERT INTO forecast_disputes (tenant_id, deal_id, reason, new_expected_close, disputed_by, disputed_at, disputed_win_this_month)
            VALUES (\(tenant.rawValue), \(dispute.dealID), \(dispute.reason), \(dispute.newExpectedClose.date), \(dispute.disputedBy),
                    \(dispute.disputedAt.date), \(dispute.disputedWinThisMonth))
            """, logger: logger)
    }

    /// Each deal's latest dispute made before `moment`.
    func latest(tenant: TenantID, before moment: Date) async throws -> [String: Sales_Forecasting_V1_ScoreDispute] {
        let rows = try await database.query(
            """
            SELECT DISTINCT ON (deal_id) deal_id, reason, new_expected_close, disputed_by, disputed_at, disputed_win_this_month
            FROM forecast_disputes WHERE tenant_id = \(tenant.rawValue) AND disputed_at < \(moment)
            ORDER BY deal_id, disputed_at DESC
            """)
        var disputes: [String: Sales_Forecasting_V1_ScoreDispute] = [:]
        for try await (deal, reason, close, by, at, score) in rows.decode((String, String, Date, String, Date, Double).self) {
            disputes[deal] = .with {
                $0.dealID = deal
                $0.reason = reason
                $0.newExpectedClose = Google_Protobuf_Timestamp(date: close)
                $0.disputedBy = by
                $0.disputedAt = Google_Protobuf_Timestamp(date: at)
                $0.disputedWinThisMonth = score
            }
        }
        return disputes
    }
}
