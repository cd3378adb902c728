import Foundation
import GRPCCore
import Logging
import PostgresNIO
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

extension EndToEnd {
    /// `idempotency-key`: a retried create returns the first answer; a reused key with another
    /// request is refused; two identical submits at once store one record.
    @Suite struct IdempotencyTests {
        func request(_ name: String) -> Sales_Leads_V1_CreateLeadRequest {
            .with {
                $0.contactName = name; $0.phone = "13366620015"; $0.channel = .tradeShow
            }
        }

        @Test func retryWithTheSameKeyReturnsTheFirstLead() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let key = "retry-\(UUID().uuidString)"
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let metadata = try await client.metadata(People.rep, idempotencyKey: key)
                let first = try await leads.createLead(request("高远"), metadata: metadata)
                let second = try await leads.createLead(request("高远"), metadata: metadata)
                #expect(first.lead.id == second.lead.id)
                #expect(first == second)

                let error = await #expect(throws: RPCError.self) {
                    try await leads.createLead(request("罗敏"), metadata: metadata)
                }
                #expect(error?.code == .invalidArgument)
                #expect(error?.message.hasPrefix("idempotency-key:") == true)
            }
        }

        @Test func simultaneousDuplicatesStoreOneLead() async throws {
            let (stack, database, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let key = "burst-\(UUID().uuidString)"
            let metadata = try await client.metadata(People.rep, idempotencyKey: key)
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await client.with(.leads) { grpc in
                            try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).createLead(request("梁宇"), metadata: metadata).lead.id
                        }
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
            // One row in the table, not one per submit that happened to answer the same id.
            let rows = try await TestEnvironment.withAdminConnection(to: database.url(for: .leads)) { connection in
                try await connection.query(
                    "SELECT count(*) FROM leads.leads WHERE id = \(UUID(uuidString: ids.first!)!)", logger: Logger(label: "test")
                )
                .collect().map { try $0.decode(Int64.self) }
            }
            #expect(rows == [1])
            let keys = try await TestEnvironment.withAdminConnection(to: database.url(for: .leads)) { connection in
                try await connection.query("SELECT count(*) FROM leads.idempotency_keys WHERE key = \(key)", logger: Logger(label: "test"))
                    .collect().map { try $0.decode(Int64.self) }
            }
            #expect(keys == [1])
        }

        @Test func theSameKeyInAnotherTenantIsAnotherRequest() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let key = "tenant-\(UUID().uuidString)"
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let mine = try await leads.createLead(request("宋雪"), metadata: try await client.metadata(People.rep, idempotencyKey: key))
                let theirs = try await leads.createLead(request("宋雪"), metadata: try await client.metadata(People.stranger, idempotencyKey: key))
                #expect(mine.lead.id != theirs.lead.id)
            }
        }

        /// A key is the caller's own: a rep of another team sending a colleague's key and body
        /// makes their own call and never receives the colleague's answer.
        @Test func anotherCallersKeyNeverReplaysTheirAnswer() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let key = "colleague-\(UUID().uuidString)"
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let body = Sales_Leads_V1_CreateLeadRequest.with {
                    $0.contactName = "钱进"; $0.phone = "13366620016"; $0.channel = .tradeShow
                }
                let mine = try await leads.createLead(body, metadata: try await client.metadata(People.unmasker, idempotencyKey: key))
                #expect(mine.lead.phone.e164 == "+8613366620016")
                let theirs = try await leads.createLead(body, metadata: try await client.metadata(People.otherRep, idempotencyKey: key))
                #expect(theirs.lead.id != mine.lead.id)
                #expect(theirs.lead.phone.e164.isEmpty)
                let error = await #expect(throws: RPCError.self) {
                    try await leads.getLead(.with { $0.id = mine.lead.id }, metadata: try await client.metadata(People.otherRep))
                }
                #expect(error?.code == .notFound)
            }
        }

        /// A repeat shows personal data as the caller may see it now: the same user without the
        /// unmask permission gets the stored lead masked.
        @Test func aRepeatNeverBypassesMasking() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let key = "mask-\(UUID().uuidString)"
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let body = Sales_Leads_V1_CreateLeadRequest.with {
                    $0.contactName = "严格"; $0.phone = "13366620017"; $0.channel = .tradeShow
                }
                #expect(People.unmasker.userID == People.rep.userID)
                let first = try await leads.createLead(body, metadata: try await client.metadata(People.unmasker, idempotencyKey: key))
                #expect(first.lead.phone.e164 == "+8613366620017")
                let repeated = try await leads.createLead(body, metadata: try await client.metadata(People.rep, idempotencyKey: key))
                #expect(repeated.lead.id == first.lead.id)
                #expect(repeated.lead.phone.e164.isEmpty)
                #expect(repeated.lead.phone.masked == "133****0017")
            }
        }

        /// `idempotency-scope: tenant` (as ConvertLead keys its opportunity on the lead): the
        /// effect happens once whoever sends it; another caller gets ALREADY_EXISTS, not the answer.
        @Test func aTenantScopedKeyTakesEffectOnceAndAnswersOnlyItsCaller() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let key = "shared-\(UUID().uuidString)"
            try await client.with(.opportunities) { grpc in
                let opportunities = Sales_Opportunities_V1_OpportunityService.Client(wrapping: grpc)
                let body = Sales_Opportunities_V1_CreateOpportunityRequest.with {
                    $0.name = "共享键"
                    $0.customerName = "共享键客户"
                    $0.amount = .with {
                        $0.minorUnits = 100_000; $0.currency = "CNY"
                    }
                    $0.expectedClose = .init(date: Date().addingTimeInterval(86_400 * 30))
                    $0.ownerID = People.rep.userID
                    $0.ownerOrgPath = People.rep.orgPath
                }
                func metadata(_ caller: Caller) async throws -> Metadata {
                    var metadata = try await client.metadata(caller, idempotencyKey: key)
                    metadata.addString("tenant", forKey: "idempotency-scope")
                    return metadata
                }
                let first = try await opportunities.createOpportunity(body, metadata: try await metadata(People.admin))
                #expect(try await opportunities.createOpportunity(body, metadata: try await metadata(People.admin)).id == first.id)
                let error = await #expect(throws: RPCError.self) {
                    try await opportunities.createOpportunity(body, metadata: try await metadata(People.manager))
                }
                #expect(error?.code == .alreadyExists)
            }
        }
    }
}
