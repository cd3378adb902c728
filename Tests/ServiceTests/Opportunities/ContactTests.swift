import Foundation
import GRPCCore
import OpportunitiesService
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

/// The decision chain on the opportunities service: contacts by role, documented meetings as
/// depth, key-person coverage, and a champion leaving two open deals.
@Suite struct ContactTests {
    static func hosted<Result: Sendable>(_ body: @Sendable (StageMoveTests.Clients) async throws -> Result) async throws -> Result {
        try await ServiceHarness.with(.opportunities, migrations: OpportunitiesServer.migrations, build: { try OpportunitiesServer.components($0) }) {
            grpc, tokens in
            try await body(StageMoveTests.Clients(grpc, tokens: tokens))
        }
    }

    static func deal(for customer: String, by caller: Caller, clients: StageMoveTests.Clients) async throws -> Sales_Opportunities_V1_Opportunity {
        var request = OpportunityServiceTests.valid
        request.customerID = customer
        return try await clients.deals.createOpportunity(request, metadata: try await clients.metadata(caller))
    }

    @Test func aChampionLeavingTwoOpenDealsRaisesARiskOnEach() async throws {
        let people = StageMoveTests.People()
        let customer = UUID().uuidString
        try await Self.hosted { clients in
            let rep = try await clients.metadata(people.rep)
            let first = try await Self.deal(for: customer, by: people.rep, clients: clients)
            let second = try await Self.deal(for: customer, by: people.rep, clients: clients)
            let closed = try await Self.deal(for: customer, by: people.rep, clients: clients)
            _ = try await clients.advance(closed.id, to: "赢单", override: "线下已签约，补录系统", by: people.admin)

            let champion = try await clients.deals.addDealContact(
                .with {
                    $0.opportunityID = first.id
                    $0.contact = .with {
                        $0.name = "王主任"; $0.title = "设备科主任"
                    }
                    $0.role = .champion
                }, metadata: rep)
            let wang = champion.contact.id
            _ = try await clients.deals.addDealContact(
                .with {
                    $0.opportunityID = second.id; $0.contactID = wang; $0.role = .decisionMaker
                }, metadata: rep)
            _ = try await clients.deals.addDealContact(
                .with {
                    $0.opportunityID = closed.id; $0.contactID = wang; $0.role = .decisionMaker
                }, metadata: rep)

            var visit = StageMoveTests.visit(second.id)
            visit.contactIds = [wang]
            _ = try await clients.deals.recordActivity(.with { $0.activity = visit }, metadata: rep)
            let before = try await clients.deals.listDealContacts(.with { $0.opportunityID = second.id }, metadata: rep)
            #expect(before.contacts.map(\.meetings) == [1] && before.kpCoverage == 0.25 && before.kpDepth == 1)

            let left = try await clients.deals.markContactLeft(.with { $0.contactID = wang }, metadata: rep)
            #expect(left.opportunityIds == [first.id, second.id].sorted(), "the closed deal carries no risk")
            for id in [first.id, second.id] {
                let deal = try await clients.deals.getOpportunity(.with { $0.id = id }, metadata: rep)
                #expect(deal.risks.count == 1 && deal.risks[0].hasPrefix("champion_left: 王主任"), "\(deal.risks)")
            }
            #expect(try await clients.deals.getOpportunity(.with { $0.id = closed.id }, metadata: rep).risks.isEmpty)
            let after = try await clients.deals.listDealContacts(.with { $0.opportunityID = second.id }, metadata: rep)
            #expect(after.contacts[0].contact.hasLeftAt && after.kpCoverage == 0, "someone who left covers no role")

            // Said twice, it is one risk.
            _ = try await clients.deals.markContactLeft(.with { $0.contactID = wang }, metadata: try await clients.metadata(people.admin))
            #expect(try await clients.deals.getOpportunity(.with { $0.id = first.id }, metadata: rep).risks.count == 1)

            let notices = try await clients.notifications.listNotificationDeliveries(.init(), metadata: try await clients.metadata(people.admin))
                .deliveries
            #expect(Set(notices.filter { $0.notice == "deal_key_person_left" }.map(\.subjectID)) == [first.id, second.id])

            let figures = try await clients.deals.getKeyPersonFigures(.init(), metadata: rep).owners
            #expect(figures.map(\.ownerID) == ["li.na"] && figures[0].openDeals == 2)
        }
    }

    @Test func badContactsAreRefusedNamingTheField() async throws {
        let people = StageMoveTests.People()
        try await Self.hosted { clients in
            let rep = try await clients.metadata(people.rep)
            let deal = try await Self.deal(for: UUID().uuidString, by: people.rep, clients: clients)
            let elsewhere = try await Self.deal(for: UUID().uuidString, by: people.rep, clients: clients)
            let someone = try await clients.deals.addDealContact(
                .with {
                    $0.opportunityID = elsewhere.id; $0.contact = .with { $0.name = "李工" }; $0.role = .user
                }, metadata: rep)
            let cases: [(String, Sales_Opportunities_V1_AddDealContactRequest)] = [
                (
                    "role",
                    .with {
                        $0.opportunityID = deal.id; $0.contact = .with { $0.name = "王" }
                    }
                ),
                (
                    "contact",
                    .with {
                        $0.opportunityID = deal.id; $0.role = .finance
                    }
                ),
                (
                    "contact.name",
                    .with {
                        $0.opportunityID = deal.id; $0.contact = .with { $0.name = " " }; $0.role = .finance
                    }
                ),
                (
                    "contact_id",
                    .with {
                        $0.opportunityID = deal.id; $0.contactID = "x"; $0.role = .finance
                    }
                ),
            ]
            for (field, request) in cases {
                let error = await refusal { try await clients.deals.addDealContact(request, metadata: rep) }
                #expect(error?.code == .invalidArgument && error?.message.hasPrefix(field + ":") == true, "\(field): \(error?.message ?? "accepted")")
            }
            let otherCustomers = await refusal {
                try await clients.deals.addDealContact(
                    .with {
                        $0.opportunityID = deal.id; $0.contactID = someone.contact.id; $0.role = .finance
                    }, metadata: rep)
            }
            #expect(otherCustomers?.code == .notFound, "a contact of another customer")
            var visit = StageMoveTests.visit(deal.id)
            visit.contactIds = [someone.contact.id]
            let notOnDeal = await refusal { try await clients.deals.recordActivity(.with { $0.activity = visit }, metadata: rep) }
            #expect(notOnDeal?.message.hasPrefix("activity.contact_ids[0]:") == true, "\(notOnDeal?.message ?? "")")
            let stranger = await refusal {
                try await clients.deals.markContactLeft(
                    .with { $0.contactID = someone.contact.id }, metadata: try await clients.metadata(people.stranger))
            }
            #expect(stranger?.code == .notFound, "another tenant's contact")
        }
    }
}
