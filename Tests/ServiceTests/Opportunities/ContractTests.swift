import Foundation
import GRPCCore
import GRPCInProcessTransport
import OpportunitiesService
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

/// Contracts from accepted quotes: terms copied from the quote's plan, or written and then held
/// against it, every difference named before a contract may go for signing.
@Suite struct ContractTests {
    typealias Contracts = Sales_Opportunities_V1_ContractService.Client<InProcessTransport.Client>

    struct Scene {
        let clients: StageMoveTests.Clients
        let quotes: QuoteTests.Quotes
        let contracts: Contracts
        let cast = OpportunityEdgeTests.Cast()

        /// An accepted quote of 100.00 in three: 33.33 on signing, 33.33 at 30 days, 33.34 at 60.
        func acceptedQuote(accept: Bool = true) async throws -> Sales_Opportunities_V1_Quote {
            let rep = try await clients.metadata(cast.rep)
            let deal = try await clients.newDeal(by: cast.rep)
            let quote = try await quotes.createQuote(
                .with {
                    $0.opportunityID = deal.id
                    $0.lines = [QuoteTests.line("年度服务", 1, 10_000)]
                    $0.paymentPlan = QuoteTests.plan([(3_333, 0), (3_333, 30), (3_334, 60)])
                    $0.creditCode = QuoteTests.green
                }, metadata: rep)
            return accept ? try await quotes.acceptQuote(.with { $0.id = quote.id }, metadata: rep) : quote
        }

        func create(_ quote: Sales_Opportunities_V1_Quote, signing: String = "2027-01-31", _ instalments: [(String, Int64)] = [])
            async throws -> Sales_Opportunities_V1_Contract
        {
            try await contracts.createContract(
                .with {
                    $0.quoteID = quote.id
                    $0.signingDate = signing
                    $0.instalments = instalments.map(ContractTests.instalment)
                }, metadata: try await clients.metadata(cast.rep))
        }

        func submit(_ contract: Sales_Opportunities_V1_Contract, as caller: Caller? = nil) async throws -> Sales_Opportunities_V1_Contract {
            try await contracts.submitContract(.with { $0.id = contract.id }, metadata: try await clients.metadata(caller ?? cast.rep))
        }
    }

    static func instalment(_ due: String, _ fen: Int64) -> Sales_Opportunities_V1_ContractInstalment {
        .with {
            $0.dueDate = due
            $0.amount = QuoteTests.money(fen)
        }
    }

    static func hosted(_ body: @Sendable (Scene) async throws -> Void) async throws {
        try await QuoteTests.hosted { clients, quotes in
            try await body(Scene(clients: clients, quotes: quotes, contracts: Contracts(wrapping: clients.grpc)))
        }
    }

    @Test func aContractTakesItsQuotesPlanAndGoesForSigning() async throws {
        try await Self.hosted { scene in
            let quote = try await scene.acceptedQuote()
            let contract = try await scene.create(quote)
            #expect(contract.state == .draft && contract.quoteID == quote.id && contract.opportunityID == quote.opportunityID)
            // 2027-01-31 + 30 days is 2 March (2027 is no leap year), + 60 days is 1 April.
            #expect(contract.instalments.map(\.dueDate) == ["2027-01-31", "2027-03-02", "2027-04-01"])
            #expect(contract.instalments.map(\.amount.minorUnits) == [3_333, 3_333, 3_334] && contract.total.minorUnits == 10_000)
            let submitted = try await scene.submit(contract)
            #expect(submitted.state == .submitted && submitted.hasSubmittedAt)
            #expect(try await scene.submit(contract) == submitted, "submitting again changes nothing")
            let revised = await #expect(throws: RPCError.self) {
                try await scene.contracts.reviseContract(
                    .with {
                        $0.id = contract.id; $0.signingDate = "2027-02-01"
                    }, metadata: try await scene.clients.metadata(scene.cast.rep))
            }
            #expect(revised?.code == .failedPrecondition)
            #expect(
                try await scene.contracts.getContract(
                    .with { $0.id = contract.id }, metadata: try await scene.clients.metadata(scene.cast.ownManager))
                    == submitted)
        }
    }

    @Test func termsThatDifferFromTheQuoteAreRefusedNamingEachDifference() async throws {
        try await Self.hosted { scene in
            let quote = try await scene.acceptedQuote()
            // 2 days off is within the tolerance; 33.30 and 33.37 are not the quote's amounts; 7 days after
            // and 4 days before are too far.
            let contract = try await scene.create(quote, [("2027-02-02", 3_333), ("2027-03-09", 3_330), ("2027-03-28", 3_337)])
            #expect(contract.state == .draft && contract.total.minorUnits == 10_000)
            let refused = await #expect(throws: RPCError.self) { try await scene.submit(contract) }
            #expect(refused?.code == .failedPrecondition)
            #expect(
                refused?.message == "the payment terms differ from quote \(quote.id): "
                    + "instalment 2: 33.30 CNY where the quote promised 33.33 CNY; "
                    + "instalment 2: due 2027-03-09, 7 days after the 2027-03-02 the quote promised (at most 3); "
                    + "instalment 3: 33.37 CNY where the quote promised 33.34 CNY; "
                    + "instalment 3: due 2027-03-28, 4 days before the 2027-04-01 the quote promised (at most 3) "
                    + "(revise the contract, or make a new quote)")

            // Two instalments where three were promised.
            let revised = try await scene.contracts.reviseContract(
                .with {
                    $0.id = contract.id
                    $0.signingDate = "2027-01-31"
                    $0.instalments = [Self.instalment("2027-01-31", 3_333), Self.instalment("2027-03-02", 6_667)]
                }, metadata: try await scene.clients.metadata(scene.cast.rep))
            let short = await #expect(throws: RPCError.self) { try await scene.submit(revised) }
            #expect(short?.message.contains("2 instalments where the quote promised 3") == true)
            #expect(short?.message.contains("instalment 2: 66.67 CNY where the quote promised 33.33 CNY") == true)
            #expect(short?.message.contains("instalment 3: the quote's 33.34 CNY due 2027-04-01 is missing") == true)

            // Revised to match (a day late is within the tolerance), it goes.
            let fixed = try await scene.contracts.reviseContract(
                .with {
                    $0.id = contract.id
                    $0.signingDate = "2027-01-31"
                    $0.instalments = [
                        Self.instalment("2027-01-31", 3_333), Self.instalment("2027-03-03", 3_333), Self.instalment("2027-04-01", 3_334),
                    ]
                }, metadata: try await scene.clients.metadata(scene.cast.rep))
            #expect(try await scene.submit(fixed).state == .submitted)
        }
    }

    @Test func badInputAndStrangers() async throws {
        try await Self.hosted { scene in
            let rep = try await scene.clients.metadata(scene.cast.rep)
            let unaccepted = try await scene.acceptedQuote(accept: false)
            let notYet = await #expect(throws: RPCError.self) { try await scene.create(unaccepted) }
            #expect(notYet?.code == .failedPrecondition && notYet?.message.contains("the customer accepted") == true)

            let quote = try await scene.acceptedQuote()
            let cases: [(String, Sales_Opportunities_V1_CreateContractRequest)] = [
                (
                    "quote_id",
                    .with {
                        $0.quoteID = "x"; $0.signingDate = "2027-01-31"
                    }
                ),
                (
                    "signing_date",
                    .with {
                        $0.quoteID = quote.id; $0.signingDate = "2027-02-29"
                    }
                ),
                (
                    "signing_date",
                    .with {
                        $0.quoteID = quote.id; $0.signingDate = ""
                    }
                ),
                (
                    "instalments[0].due_date",
                    .with {
                        $0.quoteID = quote.id; $0.signingDate = "2027-01-31"; $0.instalments = [Self.instalment("2027/03/01", 100)]
                    }
                ),
                (
                    "instalments[0].amount",
                    .with {
                        $0.quoteID = quote.id; $0.signingDate = "2027-01-31"; $0.instalments = [.with { $0.dueDate = "2027-03-01" }]
                    }
                ),
                (
                    "instalments[0].amount.minor_units",
                    .with {
                        $0.quoteID = quote.id; $0.signingDate = "2027-01-31"; $0.instalments = [Self.instalment("2027-03-01", 0)]
                    }
                ),
                (
                    "instalments[1].amount.currency",
                    .with {
                        $0.quoteID = quote.id; $0.signingDate = "2027-01-31"
                        $0.instalments = [
                            Self.instalment("2027-03-01", 100),
                            .with {
                                $0.dueDate = "2027-03-02"; $0.amount = QuoteTests.money(100, "USD")
                            },
                        ]
                    }
                ),
                (
                    "instalments[0].due_date",
                    .with {
                        $0.quoteID = quote.id; $0.signingDate = "2027-01-31"; $0.instalments = [Self.instalment("2027-03-01\u{0}", 100)]
                    }
                ),
            ]
            for (field, request) in cases {
                let error = await #expect(throws: RPCError.self) { try await scene.contracts.createContract(request, metadata: rep) }
                #expect(error?.code == .invalidArgument && error?.message.hasPrefix("\(field):") == true, "\(field): \(error?.message ?? "")")
            }

            // A stranger's view: the quote and the contract read as missing.
            let contract = try await scene.create(quote)
            for outsider in [scene.cast.prefixManager, scene.cast.stranger] {
                let metadata = try await scene.clients.metadata(outsider)
                let create = await #expect(throws: RPCError.self) {
                    try await scene.contracts.createContract(
                        .with {
                            $0.quoteID = quote.id; $0.signingDate = "2027-01-31"
                        }, metadata: metadata)
                }
                #expect(create?.code == .notFound)
                let get = await #expect(throws: RPCError.self) {
                    try await scene.contracts.getContract(.with { $0.id = contract.id }, metadata: metadata)
                }
                #expect(get?.code == .notFound && get?.message == "contract \(contract.id) not found")
                let submit = await #expect(throws: RPCError.self) { try await scene.submit(contract, as: outsider) }
                #expect(submit?.code == .notFound)
            }
            #expect(try await scene.contracts.getContract(.with { $0.id = contract.id }, metadata: rep).state == .draft, "still a draft")
        }
    }

    @Test func everyTextFieldRefusesBadTextAndOutsidersCannotReviseOrReplay() async throws {
        try await Self.hosted { scene in
            let rep = try await scene.clients.metadata(scene.cast.rep)
            let quote = try await scene.acceptedQuote()
            let contract = try await scene.create(quote)
            let contracts = scene.contracts
            await QuoteTests.expectRefused([
                (
                    "quote_id",
                    { text in
                        _ = try await contracts.createContract(
                            .with {
                                $0.quoteID = text; $0.signingDate = "2027-01-31"
                            }, metadata: rep)
                    }
                ),
                (
                    "signing_date",
                    { text in
                        _ = try await contracts.createContract(
                            .with {
                                $0.quoteID = quote.id; $0.signingDate = text
                            }, metadata: rep)
                    }
                ),
                (
                    "instalments[0].due_date",
                    { text in
                        _ = try await contracts.createContract(
                            .with {
                                $0.quoteID = quote.id; $0.signingDate = "2027-01-31"; $0.instalments = [Self.instalment(text, 100)]
                            },
                            metadata: rep)
                    }
                ),
                (
                    "id",
                    { text in
                        _ = try await contracts.reviseContract(
                            .with {
                                $0.id = text; $0.signingDate = "2027-01-31"
                            }, metadata: rep)
                    }
                ),
                (
                    "signing_date",
                    { text in
                        _ = try await contracts.reviseContract(
                            .with {
                                $0.id = contract.id; $0.signingDate = text
                            }, metadata: rep)
                    }
                ),
                ("id", { text in _ = try await contracts.submitContract(.with { $0.id = text }, metadata: rep) }),
                ("id", { text in _ = try await contracts.getContract(.with { $0.id = text }, metadata: rep) }),
            ])

            // Outsiders cannot revise; a key replayed by another user is their own call, not the stored contract.
            for outsider in [scene.cast.prefixManager, scene.cast.stranger] {
                let revise = await #expect(throws: RPCError.self) {
                    try await contracts.reviseContract(
                        .with {
                            $0.id = contract.id; $0.signingDate = "2027-02-01"
                        }, metadata: try await scene.clients.metadata(outsider))
                }
                #expect(revise?.code == .notFound && revise?.message == "contract \(contract.id) not found")
            }
            let key = "contract-\(UUID().uuidString)"
            let request = Sales_Opportunities_V1_CreateContractRequest.with {
                $0.quoteID = quote.id; $0.signingDate = "2027-01-31"
            }
            let mine = try await contracts.createContract(request, metadata: try await scene.clients.metadata(scene.cast.rep, key: key))
            #expect(try await contracts.createContract(request, metadata: try await scene.clients.metadata(scene.cast.rep, key: key)) == mine)
            let replayed = await #expect(throws: RPCError.self) {
                try await contracts.createContract(request, metadata: try await scene.clients.metadata(scene.cast.prefixManager, key: key))
            }
            #expect(replayed?.code == .notFound && replayed?.message == "quote \(quote.id) not found")
            #expect(try await contracts.getContract(.with { $0.id = contract.id }, metadata: rep).signingDate == "2027-01-31", "unchanged")
        }
    }
}
