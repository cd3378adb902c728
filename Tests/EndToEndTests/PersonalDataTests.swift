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
    /// Phones at rest and in flight (PIPL): the customer key and every lookup use the keyed hash,
    /// events carry the masked number only, and every unmasked list is audited.
    @Suite struct PersonalDataTests {
        @Test func phonesAreKeyedByTheirHashAndEventsCarryOnlyTheMaskedNumber() async throws {
            let (stack, database, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let digits = "1371662" + String(format: "%04d", Int.random(in: 0..<10_000))
            let lead = try await client.with(.leads) { grpc in
                try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).createLead(
                    .with {
                        $0.contactName = "隐私"; $0.phone = digits; $0.channel = .api
                    }, metadata: try await client.metadata(People.rep)
                ).lead
            }
            let hash = PhoneHasher(secret: TestEnvironment.jwtSecret).hash(PhoneNumber(digits)!)
            let (keys, hashes, payloads) = try await TestEnvironment.withAdminConnection(to: database.url(for: .leads)) { connection in
                let logger = Logger(label: "test")
                let id = UUID(uuidString: lead.id)!
                let keys = try await connection.query(
                    "SELECT c.key_value FROM leads.customers c JOIN leads.leads l ON l.customer_id = c.id WHERE l.id = \(id)", logger: logger
                ).collect().map { try $0.decode(String.self) }
                let hashes = try await connection.query("SELECT phone_hmac FROM leads.leads WHERE id = \(id)", logger: logger)
                    .collect().map { try $0.decode(String.self) }
                let payloads = try await connection.query(
                    "SELECT payload::text FROM leads.outbox WHERE aggregate_id = \(lead.id)", logger: logger
                ).collect().map { try $0.decode(String.self) }
                return (keys, hashes, payloads)
            }
            #expect(keys == [hash], "the customer is keyed by the phone's HMAC, not the number")
            #expect(hashes == [hash])
            #expect(!payloads.isEmpty)
            #expect(
                payloads.allSatisfy { !$0.contains(digits) && $0.contains(String(digits.prefix(3)) + "****" + String(digits.suffix(4))) },
                "\(payloads)")
        }

        @Test func unmaskedListsAreAuditedLeadByLead() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let created = try await leads.createLead(
                    .with {
                        $0.contactName = "审计"; $0.phone = "1371663" + String(format: "%04d", Int.random(in: 0..<10_000)); $0.channel = .api
                    }, metadata: try await client.metadata(People.rep)
                ).lead
                let listed = try await leads.listLeads(.with { $0.page.pageSize = 200 }, metadata: try await client.metadata(People.unmasker)).leads
                let shown = try #require(listed.first { $0.id == created.id })
                #expect(!shown.phone.e164.isEmpty)
                // A list without the permission shows masked numbers and leaves no audit entry.
                _ = try await leads.listLeads(.with { $0.page.pageSize = 200 }, metadata: try await client.metadata(People.rep))
                let audit = try await leads.listUnmaskAudit(.with { $0.page.pageSize = 200 }, metadata: try await client.metadata(People.admin))
                    .entries
                let entries = audit.filter { $0.leadID == created.id }
                #expect(entries.map(\.method) == ["ListLeads"])
                #expect(entries.map(\.userID) == [People.unmasker.userID])
            }
        }
    }
}
