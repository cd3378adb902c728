import Foundation
import GRPCCore
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// sales.opportunities.v1.PlaybookService.
struct PlaybookServiceHandler: Sales_Opportunities_V1_PlaybookService.SimpleServiceProtocol {
    let deals: OpportunityStore
    let playbook: Playbook

    func savePlaybookAtom(
        request: Sales_Opportunities_V1_SavePlaybookAtomRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_PlaybookAtom {
        let caller = try RequestContext.caller(allowedTo: .administer, "saving playbook atoms")
        let atom = try Playbook.checked(request.atom, field: "atom")
        if !atom.id.isEmpty { _ = try Require.uuid(atom.id, field: "atom.id") }
        return try await Idempotency.run("SavePlaybookAtom", request: request, database: deals.database) { connection in
            guard let saved = try await playbook.store.save(atom, by: caller.userID, fromDeal: nil, tenant: caller.tenant, on: connection)
            else { throw ServiceError.notFound(kind: "playbook atom", id: atom.id) }
            return saved
        }
    }

    func proposePlaybookAtom(
        request: Sales_Opportunities_V1_ProposePlaybookAtomRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_PlaybookAtom {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.opportunityID, field: "opportunity_id")
        var atom = try Playbook.checked(request.atom, field: "atom")
        atom.id = ""
        let proposed = atom
        return try await Idempotency.run("ProposePlaybookAtom", request: request, database: deals.database) { connection in
            let deal = try await deals.visible(id, for: caller, on: connection)
            guard let saved = try await playbook.store.save(proposed, by: caller.userID, fromDeal: deal.id, tenant: caller.tenant, on: connection)
            else { throw ServiceError.unavailable("the atom was not saved; retry") }
            return saved
        }
    }

    func listPlaybookAtoms(
        request: Sales_Opportunities_V1_ListPlaybookAtomsRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_ListPlaybookAtomsResponse {
        let caller = try RequestContext.caller()
        let page = try Page(request.page)
        let (rows, next) = page.finish(try await playbook.store.list(tenant: caller.tenant, page: page), seq: \.seq)
        let atoms = try await playbook.withFigures(
            rows.map { ($0.atom, 0) }, region: PlaybookStore.region(of: caller.orgPath), tenant: caller.tenant)
        return .with {
            $0.atoms = atoms
            $0.page = next
        }
    }

    func suggestPlaybook(
        request: Sales_Opportunities_V1_SuggestPlaybookRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_SuggestPlaybookResponse {
        let caller = try RequestContext.caller()
        let objection = try Require.text(request.objection, field: "objection", maxLength: 1_000)
        let suggestions: [Sales_Opportunities_V1_PlaybookSuggestion]
        if request.opportunityID.isEmpty, !request.stage.isEmpty {
            // A deal held elsewhere (forecasting's imported history), described by the caller.
            guard request.orgPath.isEmpty || OrgPath(request.orgPath) != nil else {
                throw ServiceError.invalidArgument(field: "org_path", rule: "must be a team path such as /east/hz (got \(quoted: request.orgPath))")
            }
            suggestions = try await playbook.suggest(
                for: objection, stage: try Require.text(request.stage, field: "stage", maxLength: 40),
                customerType: try Require.optionalText(request.customerType, field: "customer_type", maxLength: 40), orgPath: request.orgPath,
                tenant: caller.tenant)
        } else {
            let deal = try await deals.visible(try Require.uuid(request.opportunityID, field: "opportunity_id"), for: caller)
            suggestions = try await playbook.suggest(for: objection, on: deal, tenant: caller.tenant)
        }
        return .with { $0.suggestions = suggestions }
    }

    func usePlaybookAtom(
        request: Sales_Opportunities_V1_UsePlaybookAtomRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_UsePlaybookAtomResponse {
        let caller = try RequestContext.caller()
        let atomID = try Require.uuid(request.atomID, field: "atom_id")
        let dealID = try Require.uuid(request.opportunityID, field: "opportunity_id")
        let deal = try await deals.visible(dealID, for: caller)
        guard let atom = try await playbook.store.find(atomID, tenant: caller.tenant) else {
            throw ServiceError.notFound(kind: "playbook atom", id: atomID.apiString)
        }
        guard (0..<Int32(atom.strategies.count)).contains(request.strategy) else {
            throw ServiceError.invalidArgument(
                field: "strategy", rule: "must be 0 to \(atom.strategies.count - 1): the atom has \(atom.strategies.count)")
        }
        // A retried key records the use once.
        _ = try await Idempotency.run("UsePlaybookAtom", request: request, database: deals.database) { connection in
            try await playbook.store.recordUse(
                atomID, strategy: request.strategy, deal: deal, by: caller.userID, tenant: caller.tenant, on: connection)
            return Sales_Opportunities_V1_UsePlaybookAtomResponse()
        }
        let figured = try await playbook.withFigures([(atom, 0)], region: PlaybookStore.region(of: deal.orgPath), tenant: caller.tenant)
        return .with { $0.atom = figured.first ?? .init() }
    }

    func getPlaybookBadges(
        request: Sales_Opportunities_V1_GetPlaybookBadgesRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_GetPlaybookBadgesResponse {
        let caller = try RequestContext.caller()
        let badges = try await playbook.store.badges(tenant: caller.tenant)
        return .with { $0.proposers = badges }
    }
}
