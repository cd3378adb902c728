import Foundation
import GRPCCore
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// sales.forecasting.v1.SignalWatchService: the tenant's external signal sources and its
/// competitor watch.
struct SignalWatchServiceHandler: Sales_Forecasting_V1_SignalWatchService.SimpleServiceProtocol {
    let sources: SignalSourceStore
    let watch: CompetitorWatchStore
    let poller: SignalPoller

    func saveSignalSource(request: Sales_Forecasting_V1_SaveSignalSourceRequest, context: ServerContext) async throws
        -> Sales_Forecasting_V1_SignalSource
    {
        let caller = try RequestContext.caller(allowedTo: .administer, "adding a signal source")
        try TextCheck.validate(request)
        return try await sources.save(try Self.checked(request.source), tenant: caller.tenant)
    }

    func listSignalSources(request: Sales_Forecasting_V1_ListSignalSourcesRequest, context: ServerContext) async throws
        -> Sales_Forecasting_V1_ListSignalSourcesResponse
    {
        let caller = try RequestContext.caller(allowedTo: .administer, "listing signal sources")
        let list = try await sources.list(tenant: caller.tenant)
        return .with { $0.sources = list }
    }

    func pollSignalSource(request: Sales_Forecasting_V1_PollSignalSourceRequest, context: ServerContext) async throws
        -> Sales_Forecasting_V1_PollSignalSourceResponse
    {
        let caller = try RequestContext.caller(allowedTo: .administer, "reading a signal source")
        try TextCheck.validate(request)
        return try await poller.poll(try Require.text(request.name, field: "name", maxLength: 40), tenant: caller.tenant)
    }

    func listCompetitorAlerts(request: Sales_Forecasting_V1_ListCompetitorAlertsRequest, context: ServerContext) async throws
        -> Sales_Forecasting_V1_ListCompetitorAlertsResponse
    {
        let caller = try RequestContext.caller()
        let since = request.hasSince ? try Require.timestamp(request.since, isSet: true, field: "since") : Date().addingTimeInterval(-30 * 86_400)
        let alerts = try await watch.alerts(for: caller, since: since)
        return .with { $0.alerts = alerts }
    }

    /// A source's settings, checked: its name, a kind, and where it reads (a folder name, or an
    /// http(s) URL with a host).
    static func checked(_ source: Sales_Forecasting_V1_SignalSource) throws(ServiceError) -> Sales_Forecasting_V1_SignalSource {
        guard Identifier.isValid(source.name, allowing: ["-", "_"]), source.name.first?.isLetter == true else {
            throw .invalidArgument(
                field: "source.name",
                rule: "must be 2 to 40 lowercase letters, digits, '-' or '_', starting with a letter (got \(quoted: source.name))")
        }
        var checked = Sales_Forecasting_V1_SignalSource.with {
            $0.name = source.name
            $0.kind = source.kind
            $0.paused = source.paused
        }
        switch source.kind {
        case .file:
            guard Identifier.isValid(source.location, allowing: ["-", "_"]) else {
                throw .invalidArgument(
                    field: "source.location",
                    rule:
                        "a file source names its folder under the drop directory: 2 to 40 lowercase letters, digits, '-' or '_' (got \(quoted: source.location))"
                )
            }
            guard source.token.isEmpty else { throw .invalidArgument(field: "source.token", rule: "a file source takes no token") }
            checked.location = source.location
        case .httpRelay:
            let location = try Require.text(source.location, field: "source.location", maxLength: 500)
            guard let url = URL(string: location), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host?.isEmpty == false,
                url.query == nil, url.user == nil
            else {
                throw .invalidArgument(
                    field: "source.location",
                    rule:
                        "must be the relay's http(s) URL without query or credentials, e.g. https://relay.example.cn/sales (got \(quoted: location))")
            }
            checked.location = location
            checked.token = try Require.optionalText(source.token, field: "source.token", maxLength: 500)
        default:
            throw .invalidArgument(field: "source.kind", rule: "must be FILE or HTTP_RELAY")
        }
        return checked
    }
}
