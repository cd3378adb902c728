import Foundation
import GRPCCore
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Asks the five domain services, in parallel and with the caller's own token, what they hold
/// for the caller's scope. A service that does not answer in time is listed as unavailable;
/// the rest of the overview is still served.
struct OverviewAggregator: Sendable {
    let leads: Sales_Leads_V1_LeadService.Client<PeerClient.Transport>
    let opportunities: Sales_Opportunities_V1_OpportunityService.Client<PeerClient.Transport>
    let incentives: Sales_Incentives_V1_IncentiveService.Client<PeerClient.Transport>
    let forecasting: Sales_Forecasting_V1_ForecastService.Client<PeerClient.Transport>
    let stores: Sales_Storesales_V1_StoreService.Client<PeerClient.Transport>
    var timeout: Duration = .seconds(3)

    init(peers: (ServiceName) -> PeerClient) {
        leads = .init(wrapping: peers(.leads).grpc)
        opportunities = .init(wrapping: peers(.opportunities).grpc)
        incentives = .init(wrapping: peers(.incentives).grpc)
        forecasting = .init(wrapping: peers(.forecasting).grpc)
        stores = .init(wrapping: peers(.storeSales).grpc)
    }

    private enum Part: Sendable {
        case leads(Sales_Leads_V1_LeadsOverview)
        case opportunities(Sales_Opportunities_V1_OpportunitiesOverview)
        case incentives(Sales_Incentives_V1_IncentivesOverview)
        case forecasting(Sales_Forecasting_V1_ForecastOverview)
        case stores(Sales_Storesales_V1_StoresOverview)
        case unavailable(ServiceName, String)
    }

    func overview(for caller: Caller) async -> Sales_Gateway_V1_Overview {
        let options = {
            var options = CallOptions.defaults
            options.timeout = timeout
            return options
        }()
        let context = RequestContext.current
        var overview = Sales_Gateway_V1_Overview.with {
            $0.tenantID = caller.tenant.rawValue
            $0.userID = caller.userID
        }
        await withTaskGroup(of: Part.self) { group in
            func ask(_ service: ServiceName, _ call: @escaping @Sendable () async throws -> Part) {
                group.addTask {
                    do {
                        return try await RequestContext.$current.withValue(context) { try await call() }
                    } catch let error as RPCError {
                        return .unavailable(service, "\(error.code): \(error.message)")
                    } catch {
                        return .unavailable(service, "\(error)")
                    }
                }
            }
            ask(.leads) { .leads(try await leads.getOverview(.init(), options: options)) }
            ask(.opportunities) { .opportunities(try await opportunities.getOverview(.init(), options: options)) }
            ask(.incentives) { .incentives(try await incentives.getOverview(.init(), options: options)) }
            ask(.forecasting) { .forecasting(try await forecasting.getOverview(.init(), options: options)) }
            ask(.storeSales) { .stores(try await stores.getOverview(.init(), options: options)) }
            for await part in group {
                switch part {
                case .leads(let value): overview.leads = value
                case .opportunities(let value): overview.opportunities = value
                case .incentives(let value): overview.incentives = value
                case .forecasting(let value): overview.forecasting = value
                case .stores(let value): overview.stores = value
                case .unavailable(let service, let reason):
                    overview.unavailable.append(
                        .with {
                            $0.service = service.rawValue; $0.reason = reason
                        })
                }
            }
        }
        overview.unavailable.sort { $0.service < $1.service }
        overview.generatedAt = Google_Protobuf_Timestamp(date: Date())
        return overview
    }
}
