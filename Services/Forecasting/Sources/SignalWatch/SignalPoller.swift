import AsyncHTTPClient
import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesNotifications
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Reads a tenant's source and applies what it answers: each new signal joins the history of the
/// open deals it reaches (the deal named, or the customer's open deals), and competitor news
/// alerts each such deal's owner with the playbook's three best responses (`PlaybookAdvisor`),
/// through the notification channels, once per signal and deal. A page of signals is
/// applied in one transaction with the cursor moving past it, so a reading cut short resumes
/// where it stopped, and a signal read twice counts once.
struct SignalPoller: Sendable {
    static let pageSize = 500
    static let mostPagesAPoll = 20

    let sources: SignalSourceStore
    let watch: CompetitorWatchStore
    let advisor: PlaybookAdvisor
    let history: HistoryStore
    let catalog: SignalCatalog
    let notifier: Notifier
    /// SALES_SIGNAL_DROP_DIR: a file source reads <drop>/<tenant>/<location>.
    let dropFolder: URL
    let http: HTTPClient
    let logger: Logger

    func poll(_ name: String, tenant: TenantID) async throws -> Sales_Forecasting_V1_PollSignalSourceResponse {
        guard let source = try await sources.find(name, tenant: tenant) else { throw ServiceError.notFound(kind: "signal source", id: name) }
        do {
            let response = try await read(source, tenant: tenant)
            // A scheduled reading has no caller to answer: what it could not read stays on the source.
            let refused = response.refused.first.map { "\(response.refused.count) signals could not be read; the first: \($0.reason)" }
            try await sources.finished(name, tenant: tenant, error: refused ?? "")
            return response
        } catch let error as ServiceError {
            try await sources.finished(name, tenant: tenant, error: error.rpcErrorMessage)
            throw error
        }
    }

    private func read(_ source: SignalSourceStore.Source, tenant: TenantID) async throws -> Sales_Forecasting_V1_PollSignalSourceResponse {
        let reader = reader(for: source, tenant: tenant)
        let catalog = try await catalog.lookup(tenant: tenant)
        var response = Sales_Forecasting_V1_PollSignalSourceResponse()
        var cursor = source.message.cursor
        for _ in 0..<Self.mostPagesAPoll {
            let page = try await reader.read(after: cursor, limit: Self.pageSize)
            let now = Date()
            var checked: [ExternalSignal] = []
            for raw in page.items {
                do {
                    checked.append(try ExternalSignal(raw, catalog: catalog, now: now))
                } catch {
                    response.refused.append(
                        .with {
                            $0.line = Int32(raw.position)
                            $0.id = raw.fields["id"] ?? ""
                            $0.errorCode = error.statusName
                            if case .invalidArgument(let field, _) = error { $0.field = field }
                            $0.reason = "\(raw.place): \(error.rpcErrorMessage)"
                        })
                }
            }
            response.received += Int32(page.items.count)
            let applied = try await history.database.transaction { connection in
                var tally = Tally()
                for signal in checked {
                    try await apply(signal, source: source.message.name, tenant: tenant, tally: &tally, on: connection)
                }
                try await sources.advance(
                    source.message.name, tenant: tenant, cursor: page.cursor, applied: tally.applied, on: connection, logger: logger)
                return tally
            }
            response.applied += Int32(applied.applied)
            response.alreadyReceived += Int32(applied.already)
            response.unmatched += Int32(applied.unmatched)
            response.alerts += Int32(applied.alerts)
            let moved = page.cursor != cursor
            cursor = page.cursor
            guard page.more, moved else { break }
        }
        response.cursor = cursor
        return response
    }

    private struct Tally: Sendable {
        var applied = 0, already = 0, unmatched = 0, alerts = 0
    }

    private func apply(
        _ signal: ExternalSignal, source: String, tenant: TenantID, tally: inout Tally,
        on connection: PostgresConnection
    ) async throws {
        let deals = try await history.lockedOpenDeals(
            dealID: signal.dealID, customerID: signal.customerID, tenant: tenant, on: connection, logger: logger)
        guard try await sources.record(signal, source: source, reached: deals.count, tenant: tenant, on: connection, logger: logger) else {
            tally.already += 1
            return
        }
        guard !deals.isEmpty else {
            tally.unmatched += 1
            return
        }
        tally.applied += 1
        for (deal, origin) in deals {
            var extended = deal
            // A signal from before the deal existed counts from its creation.
            let at = max(signal.at, deal.createdAt.date)
            let event = Sales_Forecasting_V1_HistoryEvent.with {
                $0.at = Google_Protobuf_Timestamp(date: at)
                $0.external = signal.key
            }
            extended.events.insert(event, at: extended.events.firstIndex { $0.at.date > at } ?? extended.events.endIndex)
            _ = try await history.put(CheckedHistoryDeal(fromFeed: extended), origin: origin, tenant: tenant, on: connection, logger: logger)
            guard signal.isCompetitorNews else { continue }
            var alert = Sales_Forecasting_V1_CompetitorAlert.with {
                $0.dealID = deal.externalID
                $0.customerID = deal.customerID
                $0.ownerID = deal.ownerID
                $0.team = deal.team
                $0.signal = signal.key
                $0.headline = signal.headline
                $0.competitor = signal.competitor
                $0.at = Google_Protobuf_Timestamp(date: signal.at)
                $0.source = source
                $0.signalID = signal.id
            }
            // The signal is new (recorded once above), so its alert on this deal is too.
            alert.responses = await advisor.responses(for: extended, live: origin == "feed", tenant: tenant)
            try await watch.raise(alert, tenant: tenant, on: connection, logger: logger)
            try await notifier.enqueue(Self.notice(alert), tenant: tenant, on: connection, logger: logger)
            tally.alerts += 1
        }
    }

    /// The owner's alert: what the competitor did, on which deal, and the responses with how each
    /// has done.
    static func notice(_ alert: Sales_Forecasting_V1_CompetitorAlert) -> Notice {
        let who = alert.competitor.isEmpty ? "竞品" : alert.competitor
        var text = alert.headline.isEmpty ? "\(who)在商机 \(alert.dealID) 的客户处有新动态" : alert.headline
        if alert.responses.isEmpty {
            text += "\n打法库中还没有应对竞品的打法; 处理后请把有效做法沉淀为打法。"
        } else {
            text += "\n打法库建议:"
            for (index, response) in alert.responses.enumerated() {
                text += "\n\(index + 1). \(response.text) (\(response.objection)\(response.figures.isEmpty ? "" : "; \(response.figures)"))"
            }
        }
        return Notice(
            kind: "competitor_alert", audience: .person(alert.ownerID), title: "\(who)动态: 商机 \(alert.dealID)", text: text,
            subjectID: alert.dealID, personal: true)
    }

    private func reader(for source: SignalSourceStore.Source, tenant: TenantID) -> any SignalSourceReader {
        switch source.message.kind {
        case .httpRelay: RelaySignalReader(baseURL: source.message.location, token: source.token, http: http)
        default: FileSignalReader(folder: dropFolder.appendingPathComponent(tenant.rawValue).appendingPathComponent(source.message.location))
        }
    }
}
