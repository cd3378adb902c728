import Foundation
import GRPCCore
import Logging
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Asks the opportunities service's playbook for the three best responses to a competitor on a
/// deal: its atoms about competitors ("竞品" in their objection), best match and win lift first,
/// each atom's strategies in order. A live deal is asked by its id, one of the imported history by
/// its stage, customer type and team. Without the peer, or when it does not answer in time, the
/// alert goes out without responses rather than not at all.
struct PlaybookAdvisor: Sendable {
    static let objection = "竞品"
    static let responses = 3

    let playbook: Sales_Opportunities_V1_PlaybookService.Client<PeerClient.Transport>?
    let tokens: TokenAuthority
    let logger: Logger
    var timeout: Duration = .seconds(2)

    func responses(for deal: Sales_Forecasting_V1_HistoryDeal, live: Bool, tenant: TenantID) async -> [Sales_Forecasting_V1_AlertResponse] {
        guard let playbook else { return [] }
        let request = Sales_Opportunities_V1_SuggestPlaybookRequest.with {
            $0.objection = Self.objection
            if live {
                $0.opportunityID = deal.externalID
            } else {
                $0.stage = deal.events.last { if case .stage = $0.kind { true } else { false } }?.stage ?? "*"
                $0.customerType = deal.segment
                $0.orgPath = deal.team
            }
        }
        var options = CallOptions.defaults
        options.timeout = timeout
        do {
            let token = try await tokens.sign(Caller.service(.forecasting, tenant: tenant), lifetime: .seconds(60))
            let answer = try await playbook.suggestPlaybook(request, metadata: ["authorization": "Bearer \(token)"], options: options)
            let all = answer.suggestions.flatMap { suggestion in
                suggestion.atom.strategies.enumerated().map { index, strategy in
                    Sales_Forecasting_V1_AlertResponse.with {
                        $0.atomID = suggestion.atom.id
                        $0.strategy = Int32(index)
                        $0.objection = suggestion.atom.objection
                        $0.text = strategy.text
                        $0.figures = suggestion.figures.summary
                    }
                }
            }
            return Array(all.prefix(Self.responses))
        } catch {
            logger.warning(
                "the playbook was not asked; the alert goes without responses", metadata: ["deal": "\(deal.externalID)", "error": "\(error)"])
            return []
        }
    }
}
