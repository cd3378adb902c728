import Foundation
import GRPCCore
import PostgresNIO
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// sales.opportunities.v1.ContractService: contracts from accepted quotes, whose payment terms
/// must match what the quote promised before they go for signing.
struct ContractServiceHandler: Sales_Opportunities_V1_ContractService.SimpleServiceProtocol {
    let deals: OpportunityStore
    let quotes: QuoteStore
    let contracts: ContractStore
    let mover: DealMover
    let signer: any ContractSigner
    let receivables: ReceivableStore
    /// Nil when no ERP is linked.
    let erp: ErpSync?

    func createContract(
        request: Sales_Opportunities_V1_CreateContractRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_Contract {
        let caller = try RequestContext.caller()
        let quoteID = try Require.uuid(request.quoteID, field: "quote_id")
        let logger = RequestContext.logger
        return try await Idempotency.run("CreateContract", request: request, database: deals.database) { connection in
            let quote = try await quotes.visible(quoteID, for: caller, deals: deals, on: connection).quote
            guard quote.state == .accepted else {
                throw ServiceError.failedPrecondition(
                    "quote \(quote.id) is \(QuoteApproval.name(quote.state)); a contract is made from a quote the customer accepted")
            }
            let terms = try Self.terms(request.signingDate, request.instalments, quote: quote)
            let contract = Sales_Opportunities_V1_Contract.with {
                $0.id = UUID.random().apiString
                $0.opportunityID = quote.opportunityID
                $0.quoteID = quote.id
                $0.state = .draft
                $0.createdBy = caller.userID
                $0.createdAt = Google_Protobuf_Timestamp(date: Date())
                Self.set(terms, on: &$0)
            }
            try await contracts.save(contract, tenant: caller.tenant, on: connection, logger: logger)
            return contract
        }
    }

    func reviseContract(
        request: Sales_Opportunities_V1_ReviseContractRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_Contract {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.id, field: "id")
        return try await changing(id, for: caller, method: "ReviseContract", request: request) { contract, quote in
            guard contract.state == .draft else {
                throw ServiceError.failedPrecondition("contract \(contract.id) was submitted; its terms no longer change")
            }
            Self.set(try Self.terms(request.signingDate, request.instalments, quote: quote), on: &contract)
        }
    }

    func submitContract(
        request: Sales_Opportunities_V1_SubmitContractRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_Contract {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.id, field: "id")
        return try await changing(id, for: caller, method: "SubmitContract", request: request) { contract, quote in
            guard contract.state == .draft else { return }
            let terms = ContractTerms(
                signing: ContractTerms.date(contract.signingDate)!,
                instalments: contract.instalments.map {
                    .init(
                        due: ContractTerms.date($0.dueDate)!, amount: Money(minorUnits: $0.amount.minorUnits, currency: Currency($0.amount.currency)!)
                    )
                })
            let differences = terms.differences(from: quote)
            guard differences.isEmpty else {
                throw ServiceError.failedPrecondition(
                    "the payment terms differ from quote \(quote.id): " + differences.joined(separator: "; ")
                        + " (revise the contract, or make a new quote)")
            }
            contract.state = .submitted
            contract.submittedAt = Google_Protobuf_Timestamp(date: Date())
        }
    }

    func getContract(request: Sales_Opportunities_V1_GetContractRequest, context: ServerContext) async throws -> Sales_Opportunities_V1_Contract {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.id, field: "id")
        return try await contracts.visible(id, for: caller, deals: deals).contract
    }

    /// Locks the contract, checks its deal is the caller's to see (NOT_FOUND otherwise), applies
    /// `change` with its quote and writes the contract back, in one transaction.
    private func changing(
        _ id: UUID, for caller: Caller, method: String, request: some SwiftProtobuf.Message,
        change: @Sendable (inout Sales_Opportunities_V1_Contract, Sales_Opportunities_V1_Quote) throws -> Void
    ) async throws -> Sales_Opportunities_V1_Contract {
        let logger = RequestContext.logger
        return try await Idempotency.run(method, request: request, database: deals.database) { connection in
            var contract = try await contracts.visible(id, for: caller, deals: deals, lock: true, on: connection).contract
            guard let quoteID = UUID(uuidString: contract.quoteID), let quote = try await quotes.find(quoteID, tenant: caller.tenant, on: connection)
            else { throw ServiceError.notFound(kind: "contract", id: id.apiString) }
            let before = contract
            try change(&contract, quote)
            if contract != before { try await contracts.save(contract, tenant: caller.tenant, on: connection, logger: logger) }
            return contract
        }
    }

    /// The requested terms, every amount in the quote's currency.
    private static func terms(
        _ signingDate: String, _ instalments: [Sales_Opportunities_V1_ContractInstalment], quote: Sales_Opportunities_V1_Quote
    ) throws(ServiceError) -> ContractTerms {
        let terms = try ContractTerms(signingDate: signingDate, instalments: instalments, quote: quote)
        if let index = terms.instalments.firstIndex(where: { $0.amount.currency.code != quote.total.currency }) {
            throw .invalidArgument(
                field: "instalments[\(index)].amount.currency", rule: "every amount of a contract is in its quote's currency, \(quote.total.currency)"
            )
        }
        guard terms.total != nil else { throw .invalidArgument(field: "instalments", rule: "the amounts' sum is too large to hold in fen") }
        return terms
    }

    private static func set(_ terms: ContractTerms, on contract: inout Sales_Opportunities_V1_Contract) {
        contract.signingDate = terms.signing.description
        contract.instalments = terms.messages
        contract.total = .init(terms.total!)
    }
}
