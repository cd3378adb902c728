import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Keeps live deals' histories from the opportunities feed: created and imported deals, stage
/// moves (a won or lost stage closes the deal), behaviour signals. Runs inside the consumer's
/// transaction, so each event takes effect once.
struct FeedRecorder: Sendable {
    static let eventTypes = [
        Sales_Opportunities_V1_OpportunityCreated.protoMessageName, Sales_Opportunities_V1_OpportunityImported.protoMessageName,
        Sales_Opportunities_V1_OpportunityStageChanged.protoMessageName, Sales_Opportunities_V1_BehaviourSignalRecorded.protoMessageName,
    ]

    let history: HistoryStore
    /// External signals already received about a new deal's customer.
    let signals: SignalSourceStore
    let logger: Logger

    /// How far back a new deal picks up the signals about its customer.
    static let signalsLookBack: TimeInterval = 90 * 86_400

    func apply(_ event: Sales_Common_V1_EventEnvelope, on connection: PostgresConnection) async throws {
        guard let tenant = TenantID(event.tenantID) else { return }
        switch event.eventType {
        case Sales_Opportunities_V1_OpportunityCreated.protoMessageName:
            let created = try event.payload(as: Sales_Opportunities_V1_OpportunityCreated.self)
            try await start(created.opportunity, stages: [], tenant: tenant, on: connection)
        case Sales_Opportunities_V1_OpportunityImported.protoMessageName:
            let imported = try event.payload(as: Sales_Opportunities_V1_OpportunityImported.self)
            try await start(imported.opportunity, stages: imported.history, tenant: tenant, on: connection)
        case Sales_Opportunities_V1_OpportunityStageChanged.protoMessageName:
            let changed = try event.payload(as: Sales_Opportunities_V1_OpportunityStageChanged.self)
            try await extend(changed.opportunity.id, tenant: tenant, on: connection) { deal in
                deal.events.append(
                    .with {
                        $0.at = changed.change.changedAt
                        $0.stage = changed.change.toStage
                    })
                Self.close(&deal, changed.opportunity, at: changed.change.changedAt)
            }
        case Sales_Opportunities_V1_BehaviourSignalRecorded.protoMessageName:
            let signal = try event.payload(as: Sales_Opportunities_V1_BehaviourSignalRecorded.self)
            try await extend(signal.opportunityID, tenant: tenant, on: connection) { deal in
                deal.events.append(
                    .with {
                        $0.at = signal.occurredAt
                        $0.behaviour = signal.signal
                    })
            }
        default: return
        }
    }

    /// A deal the feed announces: its first stage (or imported moves) and the expected close the
    /// rep entered, with the stage's default probability as the entry (the only figure the rep's
    /// pipeline shows). Deals in another currency are not forecast.
    private func start(
        _ opportunity: Sales_Opportunities_V1_Opportunity, stages: [Sales_Opportunities_V1_StageChange], tenant: TenantID,
        on connection: PostgresConnection
    ) async throws {
        guard opportunity.amount.currency == "CNY", opportunity.amount.minorUnits > 0 else { return }
        var deal = Sales_Forecasting_V1_HistoryDeal.with {
            $0.externalID = opportunity.id
            $0.ownerID = opportunity.ownerID
            $0.team = opportunity.orgPath
            $0.segment = opportunity.customerType
            $0.customerID = opportunity.customerID
            $0.amount = opportunity.amount
            $0.createdAt = opportunity.createdAt
        }
        let first = stages.first?.fromStage ?? (stages.isEmpty ? opportunity.stageKey : "")
        if !first.isEmpty {
            deal.events.append(
                .with {
                    $0.at = opportunity.createdAt; $0.stage = first
                })
        }
        deal.events.append(
            .with {
                $0.at = opportunity.createdAt
                $0.repEntry = .with {
                    $0.probabilityPercent = opportunity.defaultProbability
                    $0.expectedClose = opportunity.expectedClose
                }
            })
        for change in stages {
            deal.events.append(
                .with {
                    $0.at = change.changedAt; $0.stage = change.toStage
                })
        }
        if let last = stages.last { Self.close(&deal, opportunity, at: last.changedAt) }
        guard try await history.lockedHistory(opportunity.id, tenant: tenant, on: connection, logger: logger) == nil else { return }
        // Signals about the customer that came before the deal (unmatched then) count from its creation.
        if !deal.customerID.isEmpty {
            let created = opportunity.createdAt.date
            for (key, at) in try await signals.about(
                customer: deal.customerID, since: created.addingTimeInterval(-Self.signalsLookBack), tenant: tenant, on: connection, logger: logger)
            {
                let event = Sales_Forecasting_V1_HistoryEvent.with {
                    $0.at = Google_Protobuf_Timestamp(date: max(at, created))
                    $0.external = key
                }
                deal.events.insert(event, at: deal.events.firstIndex { $0.at.date > event.at.date } ?? deal.events.endIndex)
            }
        }
        _ = try await history.put(CheckedHistoryDeal(fromFeed: deal), origin: "feed", tenant: tenant, on: connection, logger: logger)
    }

    private func extend(
        _ id: String, tenant: TenantID, on connection: PostgresConnection, _ change: (inout Sales_Forecasting_V1_HistoryDeal) -> Void
    ) async throws {
        // A deal from before forecasting listened is not known; its history arrives by import.
        guard var deal = try await history.lockedHistory(id, tenant: tenant, on: connection, logger: logger), deal.outcome == .open else {
            return
        }
        change(&deal)
        _ = try await history.put(CheckedHistoryDeal(fromFeed: deal), origin: "feed", tenant: tenant, on: connection, logger: logger)
    }

    private static func close(
        _ deal: inout Sales_Forecasting_V1_HistoryDeal, _ opportunity: Sales_Opportunities_V1_Opportunity, at: Google_Protobuf_Timestamp
    ) {
        switch opportunity.stage {
        case .won: deal.outcome = .won
        case .lost: deal.outcome = .lost
        default: return
        }
        deal.closedAt = at
    }
}
