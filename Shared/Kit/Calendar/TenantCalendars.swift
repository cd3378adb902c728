import Foundation
import GRPCCore
import Logging
import RulesEngine
import SalesModel
import SalesProto

/// Each tenant's work calendar, as the gateway's directory holds it (tenants declare their
/// holidays and 调休 days through the API), for the business-day clocks and the duty roster.
/// Kept for a short while; a tenant without one, or a directory that cannot be reached, gets the
/// service's own calendar (SALES_WORK_CALENDAR), and an unreachable directory is not asked again
/// until the entry expires.
public struct TenantCalendars: Sendable {
    let directory: Sales_Gateway_V1_DirectoryService.Client<PeerClient.Transport>?
    let tokens: TokenAuthority
    let service: ServiceName
    /// What a tenant works by when it declared nothing.
    public let fallback: WorkCalendar
    private let recent = ExpiringCache<TenantID, WorkCalendar>(maximumAge: .seconds(30))

    public init(
        directory: Sales_Gateway_V1_DirectoryService.Client<PeerClient.Transport>?, tokens: TokenAuthority, service: ServiceName,
        fallback: WorkCalendar
    ) {
        self.directory = directory
        self.tokens = tokens
        self.service = service
        self.fallback = fallback
    }

    /// The calendars of the gateway's directory when the service declared the gateway as a peer;
    /// else every tenant works by `fallback`.
    public init(runtime: ServiceRuntime, fallback: WorkCalendar) {
        directory = runtime.peers[.gateway].map { .init(wrapping: $0.grpc) }
        tokens = runtime.tokens
        service = runtime.configuration.service
        self.fallback = fallback
    }

    /// Today's date in the tenant's calendar (its zone): what due dates and days overdue count from.
    public func today(for tenant: TenantID) async -> LocalDate {
        await calendar(for: tenant).localDate(of: Date())
    }

    public func calendar(for tenant: TenantID) async -> WorkCalendar {
        guard let directory else { return fallback }
        return
            (try? await recent.value(for: tenant) {
                do {
                    let token = try await tokens.sign(.service(service, tenant: tenant), lifetime: .seconds(60))
                    var options = CallOptions.defaults
                    options.timeout = .seconds(2)
                    let declared = try await directory.getWorkCalendar(
                        .init(), metadata: ["authorization": "Bearer \(token)"], options: options)
                    guard declared.tenantDefined else { return fallback }
                    return try WorkCalendar(json: try RuleValue(json: declared.calendarJson))
                } catch {
                    RequestContext.logger.warning(
                        "the tenant's work calendar could not be read; using the service's own for now",
                        metadata: ["tenant": "\(tenant)", "error": "\(error)"])
                    return fallback
                }
            }) ?? fallback
    }
}
