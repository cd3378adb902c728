import Foundation
import GRPCCore
import Logging
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Signing: the signer's stamp, the deal won through its gate, the instalments opened as
/// receivables and the event, in one transaction.
extension ContractServiceHandler {
    static let largestDocument = 2 * 1_024 * 1_024

    func signContract(
        request: Sales_Opportunities_V1_SignContractRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_Contract {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.id, field: "id")
        guard !request.document.isEmpty else {
            throw ServiceError.invalidArgument(field: "document", rule: "is required: the signed contract as a PDF")
        }
        guard request.document.count <= Self.largestDocument else {
            throw ServiceError.invalidArgument(
                field: "document", rule: "is \(request.document.count) bytes; at most \(Self.largestDocument) (keep the key pages)")
        }
        guard request.document.starts(with: Array("%PDF-".utf8)) else {
            throw ServiceError.invalidArgument(field: "document", rule: "is not a PDF (it does not start with %PDF-)")
        }
        let logger = RequestContext.logger
        let signed = try await Idempotency.run("SignContract", request: request, database: deals.database) { connection in
            var (contract, _) = try await contracts.visible(id, for: caller, deals: deals, lock: true, on: connection)
            if contract.state == .signed { return contract }
            guard contract.state == .submitted else {
                throw ServiceError.failedPrecondition(
                    "contract \(contract.id) is a draft; submit it (its terms checked against the quote) before signing")
            }
            let won = try await mover.win(
                UUID(uuidString: contract.opportunityID)!, keyAction: request.keyAction, feedback: request.feedback, by: caller, on: connection)
            let deal = try await deals.visible(UUID(uuidString: contract.opportunityID)!, for: caller, on: connection)
            contract.signature = try await signer.stamp(
                document: Array(request.document), contractID: contract.id, signedBy: caller.userID, at: Date())
            contract.state = .signed
            try await contracts.save(contract, tenant: caller.tenant, on: connection, logger: logger)
            try await receivables.open(contract, deal: deal, tenant: caller.tenant, on: connection, logger: logger)
            try await Outbox.append(
                Sales_Opportunities_V1_ContractSigned.with {
                    $0.contractID = contract.id
                    $0.opportunityID = contract.opportunityID
                    $0.ownerID = deal.ownerID
                    $0.total = contract.total
                    $0.signedAt = contract.signature.signedAt
                    $0.instalments = contract.instalments
                    $0.customerID = deal.customerID?.apiString ?? ""
                },
                tenant: caller.tenant, aggregateType: "contract", aggregateID: contract.id, on: connection, logger: logger)
            logger.info("contract signed", metadata: ["contract": "\(contract.id)", "deal_won_now": "\(won != nil)"])
            return contract
        }
        // The ERP is told once the signing is committed: an ERP that is down delays the order
        // (the next sync places it), never the signature. A repeated call whose stored answer
        // predates the order answers the contract as it is now.
        guard let erp, signed.state == .signed, signed.erpOrderID.isEmpty else { return signed }
        if let placed = try? await erp.placeOrders(tenant: caller.tenant, contract: id).first { return placed }
        return (try? await contracts.find(id, tenant: caller.tenant)) ?? signed
    }
}
