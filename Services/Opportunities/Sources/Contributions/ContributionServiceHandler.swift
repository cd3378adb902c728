import Foundation
import GRPCCore
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// sales.opportunities.v1.ContributionService: the deal team, the matrix, the confirmations.
struct ContributionServiceHandler: Sales_Opportunities_V1_ContributionService.SimpleServiceProtocol {
    let deals: OpportunityStore
    let ledger: ContributionLedger

    func addDealTeamMember(
        request: Sales_Opportunities_V1_AddDealTeamMemberRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_DealTeamMember {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.opportunityID, field: "opportunity_id")
        let person = try Require.text(request.personID, field: "person_id", maxLength: 64)
        guard let path = OrgPath(request.orgPath) else {
            throw ServiceError.invalidArgument(field: "org_path", rule: "is required: the colleague's team, a path such as /east/east-sh")
        }
        switch request.role {
        case .sales, .presales, .implementation, .service: break
        case .unspecified: throw ServiceError.invalidArgument(field: "role", rule: "is required: sales, presales, implementation or service")
        case .UNRECOGNIZED(let raw): throw ServiceError.invalidArgument(field: "role", rule: "\(raw) is not a contributor role")
        }
        let logger = RequestContext.logger
        return try await Idempotency.run("AddDealTeamMember", request: request, database: deals.database) { connection in
            let deal = try await deals.visible(id, for: caller, lock: true, on: connection)
            guard person != deal.ownerID else {
                throw ServiceError.failedPrecondition("\(person) owns the deal and is its sales already")
            }
            return try await ledger.store.add(
                person, orgPath: path.rawValue, role: request.role, to: deal, by: caller, on: connection, logger: logger)
        }
    }

    func listDealTeam(
        request: Sales_Opportunities_V1_ListDealTeamRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_ListDealTeamResponse {
        let caller = try RequestContext.caller()
        let deal = try await deals.visible(try Require.uuid(request.opportunityID, field: "opportunity_id"), for: caller)
        let members = try await ledger.store.team(of: deal.id, tenant: caller.tenant)
        return .with {
            $0.members =
                [
                    .with {
                        $0.personID = deal.ownerID
                        $0.orgPath = deal.orgPath
                        $0.role = .sales
                        $0.joinedAt = .init(date: deal.createdAt)
                        $0.addedBy = deal.createdBy
                    }
                ]
                + members.map { member in
                    .with {
                        $0.personID = member.personID
                        $0.orgPath = member.orgPath
                        $0.role = member.role
                        $0.joinedAt = .init(date: member.joinedAt)
                    }
                }
        }
    }

    func getContributionMatrix(
        request: Sales_Opportunities_V1_GetContributionMatrixRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_ContributionMatrix {
        let caller = try RequestContext.caller()
        let deal = try await deals.visible(try Require.uuid(request.opportunityID, field: "opportunity_id"), for: caller)
        return try await ledger.matrix(of: deal, tenant: caller.tenant)
    }

    func confirmContribution(
        request: Sales_Opportunities_V1_ConfirmContributionRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_ContributionMatrix {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.opportunityID, field: "opportunity_id")
        let statement = try Require.text(request.statement, field: "statement", maxLength: 100)
        guard statement.count >= 4 else {
            throw ServiceError.invalidArgument(field: "statement", rule: "must say in 4 to 100 characters what you did on the deal")
        }
        let logger = RequestContext.logger
        return try await Idempotency.run("ConfirmContribution", request: request, database: deals.database) { connection in
            let deal = try await deals.visible(id, for: caller, lock: true, on: connection)
            return try await ledger.answer(deal, by: caller, statement: statement, dispute: request.dispute, on: connection, logger: logger)
        }
    }

    func getContributionWeights(
        request: Sales_Opportunities_V1_GetContributionWeightsRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_ContributionWeights {
        let caller = try RequestContext.caller()
        return Self.message(try await ledger.store.weights(tenant: caller.tenant))
    }

    func setContributionWeights(
        request: Sales_Opportunities_V1_SetContributionWeightsRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_ContributionWeights {
        let caller = try RequestContext.caller(allowedTo: .administer, "setting the contribution weights")
        var weights: [ValueActions.Action: Int32] = [:]
        for (index, entry) in request.weights.enumerated() {
            let field = "weights[\(index)]"
            guard ValueActions.all.contains(entry.action) else {
                throw ServiceError.invalidArgument(field: "\(field).action", rule: "must be one of the seven value actions")
            }
            guard weights[entry.action] == nil else {
                throw ServiceError.invalidArgument(field: "\(field).action", rule: "\(ValueActions.name(entry.action)) is given twice")
            }
            guard (0...100).contains(entry.weight) else {
                throw ServiceError.invalidArgument(field: "\(field).weight", rule: "must be 0 to 100; got \(entry.weight)")
            }
            weights[entry.action] = entry.weight
        }
        let missing = ValueActions.all.filter { weights[$0] == nil }.map(ValueActions.name)
        guard missing.isEmpty else {
            throw ServiceError.invalidArgument(
                field: "weights", rule: "every value action needs a weight; missing: \(missing.joined(separator: ", "))")
        }
        let total = weights.values.reduce(0, +)
        guard total == 100 else { throw ServiceError.invalidArgument(field: "weights", rule: "must add up to 100; they add up to \(total)") }
        let logger = RequestContext.logger
        try await deals.database.transaction { connection in
            try await ledger.store.setWeights(weights, tenant: caller.tenant, on: connection, logger: logger)
        }
        return Self.message(weights)
    }

    func sweepContributions(
        request: Sales_Opportunities_V1_SweepContributionsRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_SweepContributionsResponse {
        let caller = try RequestContext.caller(allowedTo: .administer, "sweeping contribution confirmations")
        let (held, noted) = try await ledger.sweep(tenant: caller.tenant, deals: deals)
        return .with {
            $0.held = Int32(held)
            $0.lowPartsNoted = Int32(noted)
        }
    }

    private static func message(_ weights: [ValueActions.Action: Int32]) -> Sales_Opportunities_V1_ContributionWeights {
        .with { message in
            message.weights = ValueActions.all.map { action in
                .with {
                    $0.action = action
                    $0.weight = weights[action] ?? 0
                }
            }
        }
    }
}
