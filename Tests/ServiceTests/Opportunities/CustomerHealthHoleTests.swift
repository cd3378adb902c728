import Foundation
import GRPCCore
import OpportunitiesService
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

/// This stop's opportunities RPCs against the holes found in leads: the record's own path and
/// its string-prefix sibling, another tenant, a key replayed by another caller, and NUL, BEL and
/// 100 KB in each text field (`QuoteTests.expectRefused`).
@Suite struct CustomerHealthHoleTests {
    @Test func ownPathSeesSiblingAndOtherTenantDoNot() async throws {
        try await CustomerHealthTests.hosted { scene in
            let customer = CustomerHealthTests.customer()
            let deal = try await scene.deal(of: customer)
            _ = try await scene.score(customer)
            let journey = Sales_Opportunities_V1_GetCustomerJourneyRequest.with { $0.customerID = customer }
            let own = try await scene.clients.metadata(scene.cast.ownManager)
            let sibling = try await scene.clients.metadata(scene.cast.prefixManager)
            let stranger = try await scene.clients.metadata(scene.cast.stranger)
            #expect(try await scene.health.getCustomerJourney(journey, metadata: own).entries.contains { $0.opportunityID == deal.id })
            #expect(try await scene.health.listCustomerHealth(.init(), metadata: own).customers.map(\.customerID) == [customer])
            for metadata in [sibling, stranger] {
                let hidden = await #expect(throws: RPCError.self) { try await scene.health.getCustomerJourney(journey, metadata: metadata) }
                #expect(hidden?.code == .notFound)
                #expect(try await scene.health.listCustomerHealth(.init(), metadata: metadata).customers.isEmpty)
            }
            // Another tenant's touch for this tenant's customer: NOT_FOUND (it has no deal of it).
            let touch = await #expect(throws: RPCError.self) {
                try await scene.health.recordTouch(
                    .with {
                        $0.touch = .with {
                            $0.touchID = "x"; $0.customerID = customer; $0.kind = "content_opened"
                            $0.occurredAt = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: -60))
                        }
                    }, metadata: try await scene.clients.metadata(Caller.service(.gateway, tenant: scene.cast.stranger.tenant)))
            }
            #expect(touch?.code == .notFound)

            // Payment plan offers follow the deal's visibility.
            let offer = Sales_Opportunities_V1_OfferPaymentPlansRequest.with { $0.opportunityID = deal.id }
            #expect(try await QuoteTests.Quotes(wrapping: scene.clients.grpc).offerPaymentPlans(offer, metadata: own).offers.isEmpty == false)
            for metadata in [sibling, stranger] {
                let hidden = await #expect(throws: RPCError.self) {
                    try await QuoteTests.Quotes(wrapping: scene.clients.grpc).offerPaymentPlans(offer, metadata: metadata)
                }
                #expect(hidden?.code == .notFound)
            }
        }
    }

    @Test func aKeyReplayedByAnotherCallerIsTheirOwnCall() async throws {
        try await CustomerHealthTests.hosted { scene in
            let customer = CustomerHealthTests.customer()
            let deal = try await scene.deal(of: customer)
            var deskKey = try await scene.clients.metadata(scene.desk, key: "same-key")
            var adminKey = try await scene.clients.metadata(scene.admin, key: "same-key")
            func ticket(_ id: String) -> Sales_Opportunities_V1_RecordTicketRequest {
                .with {
                    $0.ticket = .with {
                        $0.ticketID = id; $0.customerID = customer; $0.severity = .minor; $0.subject = "问题 \(id)"
                        $0.openedAt = Google_Protobuf_Timestamp(date: scene.openedAt)
                    }
                }
            }
            let first = try await scene.health.recordTicket(ticket("K-1"), metadata: deskKey)
            let second = try await scene.health.recordTicket(ticket("K-2"), metadata: adminKey)
            #expect(first.ticket.ticketID == "K-1" && second.ticket.ticketID == "K-2" && second.result == "created")
            deskKey = try await scene.clients.metadata(scene.desk, key: "touch-key")
            adminKey = try await scene.clients.metadata(scene.admin, key: "touch-key")
            func touch(_ id: String) -> Sales_Opportunities_V1_RecordTouchRequest {
                .with {
                    $0.touch = .with {
                        $0.touchID = id; $0.customerID = customer; $0.kind = "content_opened"
                        $0.occurredAt = Google_Protobuf_Timestamp(date: scene.openedAt)
                    }
                }
            }
            #expect(try await !scene.health.recordTouch(touch("U-1"), metadata: deskKey).alreadyRecorded)
            #expect(try await !scene.health.recordTouch(touch("U-2"), metadata: adminKey).alreadyRecorded)
            // Offers: the rep's and the manager's budgets under one key, each answered for its own.
            let quotes = QuoteTests.Quotes(wrapping: scene.clients.grpc)
            func offer(budget: Int64) -> Sales_Opportunities_V1_OfferPaymentPlansRequest {
                .with {
                    $0.opportunityID = deal.id; $0.budgetPerMonth = QuoteTests.money(budget)
                }
            }
            let repOffers = try await quotes.offerPaymentPlans(
                offer(budget: 50_000_000), metadata: try await scene.clients.metadata(scene.cast.rep, key: "offer-key"))
            let managerOffers = try await quotes.offerPaymentPlans(
                offer(budget: 200_000_000), metadata: try await scene.clients.metadata(scene.cast.ownManager, key: "offer-key"))
            #expect(repOffers.offers.map(\.name) != managerOffers.offers.map(\.name))
        }
    }

    @Test func everyTextFieldRefusesNULControlCharactersAndHugeValuesByName() async throws {
        try await CustomerHealthTests.hosted { scene in
            let customer = CustomerHealthTests.customer()
            let deal = try await scene.deal(of: customer)
            let desk = try await scene.clients.metadata(scene.desk)
            let rep = try await scene.clients.metadata(scene.cast.rep)
            let quotes = QuoteTests.Quotes(wrapping: scene.clients.grpc)
            let playbook = PlaybookTests.Playbook(wrapping: scene.clients.grpc)
            let opened = Google_Protobuf_Timestamp(date: scene.openedAt)
            func ticket(_ change: @escaping @Sendable (inout Sales_Opportunities_V1_ServiceTicket, String) -> Void)
                -> @Sendable (String) async throws -> Void
            {
                { text in
                    var ticket = Sales_Opportunities_V1_ServiceTicket.with {
                        $0.ticketID = "B-1"; $0.customerID = customer; $0.severity = .minor; $0.subject = "问题"; $0.openedAt = opened
                    }
                    change(&ticket, text)
                    let sent = ticket
                    _ = try await scene.health.recordTicket(.with { $0.ticket = sent }, metadata: desk)
                }
            }
            func touch(_ change: @escaping @Sendable (inout Sales_Opportunities_V1_MarketingTouch, String) -> Void)
                -> @Sendable (String) async throws -> Void
            {
                { text in
                    var touch = Sales_Opportunities_V1_MarketingTouch.with {
                        $0.touchID = "T-1"; $0.customerID = customer; $0.kind = "content_opened"; $0.occurredAt = opened
                    }
                    change(&touch, text)
                    let sent = touch
                    _ = try await scene.health.recordTouch(.with { $0.touch = sent }, metadata: desk)
                }
            }
            func offer(_ change: @escaping @Sendable (inout Sales_Opportunities_V1_OfferPaymentPlansRequest, String) -> Void)
                -> @Sendable (String) async throws -> Void
            {
                { text in
                    var request = Sales_Opportunities_V1_OfferPaymentPlansRequest.with { $0.opportunityID = deal.id }
                    change(&request, text)
                    _ = try await quotes.offerPaymentPlans(request, metadata: rep)
                }
            }
            func suggest(_ change: @escaping @Sendable (inout Sales_Opportunities_V1_SuggestPlaybookRequest, String) -> Void)
                -> @Sendable (String) async throws -> Void
            {
                { text in
                    var request = Sales_Opportunities_V1_SuggestPlaybookRequest.with {
                        $0.objection = "竞品"; $0.stage = "方案报价"; $0.customerType = "三甲医院"; $0.orgPath = "/north/n1"
                    }
                    change(&request, text)
                    _ = try await playbook.suggestPlaybook(request, metadata: rep)
                }
            }
            await QuoteTests.expectRefused([
                ("ticket.ticket_id", ticket { $0.ticketID = $1 }),
                ("ticket.customer_id", ticket { $0.customerID = $1 }),
                ("ticket.subject", ticket { $0.subject = $1 }),
                ("touch.touch_id", touch { $0.touchID = $1 }),
                ("touch.customer_id", touch { $0.customerID = $1 }),
                ("touch.kind", touch { $0.kind = $1 }),
                ("touch.title", touch { $0.title = $1 }),
                ("customer_id", { text in _ = try await scene.health.getCustomerHealth(.with { $0.customerID = text }, metadata: rep) }),
                ("customer_id", { text in _ = try await scene.health.getCustomerJourney(.with { $0.customerID = text }, metadata: rep) }),
                ("opportunity_id", offer { $0.opportunityID = $1 }),
                ("credit_code", offer { $0.creditCode = $1 }),
                ("industry", offer { $0.industry = $1 }),
                (
                    "total.currency",
                    offer { request, text in
                        request.total = .with {
                            $0.minorUnits = 100; $0.currency = text
                        }
                    }
                ),
                (
                    "budget_per_month.currency",
                    offer { request, text in
                        request.budgetPerMonth = .with {
                            $0.minorUnits = 100; $0.currency = text
                        }
                    }
                ),
                ("objection", suggest { $0.objection = $1 }),
                ("stage", suggest { $0.stage = $1 }),
                ("customer_type", suggest { $0.customerType = $1 }),
                ("org_path", suggest { $0.orgPath = $1 }),
            ])
            // A team path that is no path, without the control characters.
            let path = await #expect(throws: RPCError.self) { try await suggest { $0.orgPath = $1 }("east") }
            #expect(path?.code == .invalidArgument && path?.message.hasPrefix("org_path:") == true)
            // Nothing of the refused tickets or touches was kept.
            let kept = try await scene.database.query(
                "SELECT (SELECT count(*) FROM service_tickets WHERE customer_id = \(UUID(uuidString: customer)!)) + (SELECT count(*) FROM marketing_touches WHERE customer_id = \(UUID(uuidString: customer)!))"
            ).collect().map { try $0.decode(Int64.self) }
            #expect(kept == [0])
        }
    }
}
