import Foundation
import GRPCCore
import GRPCInProcessTransport
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

@testable import OpportunitiesService

/// Customer health (客户健康度): the built-in and a tenant's own formula over the four sides, each
/// score with its deductions; a major complaint from the service desk lowers it, gives the owner a
/// risk task and pauses the customer's renewals until it is resolved; customers ranked by how fast
/// their score fell; and the holes: another tenant, a rep writing for the desk, bad fields.
@Suite struct CustomerHealthTests {
    typealias Health = Sales_Opportunities_V1_CustomerHealthService.Client<InProcessTransport.Client>
    typealias Rules = Sales_Common_V1_RuleSetService.Client<InProcessTransport.Client>

    struct Scene {
        let clients: StageMoveTests.Clients
        let health: Health
        let rules: Rules
        let database: Database
        let cast = OpportunityEdgeTests.Cast()
        /// Whole seconds, so a ticket sent again reads the same.
        let openedAt = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 7_200).rounded())
        var admin: Caller { Caller(tenant: cast.rep.tenant, userID: "admin", roles: [.admin], orgPath: "/") }
        var desk: Caller { Caller.service(.gateway, tenant: cast.rep.tenant) }

        /// A deal of `customer` owned by `owner`.
        func deal(of customer: String, type: Sales_Opportunities_V1_DealType = .new, by owner: Caller? = nil) async throws
            -> Sales_Opportunities_V1_Opportunity
        {
            var request = OpportunityServiceTests.valid
            request.customerID = customer
            request.dealType = type
            return try await clients.deals.createOpportunity(request, metadata: try await clients.metadata(owner ?? cast.rep))
        }

        func ticket(
            _ id: String, of customer: String, severity: Sales_Opportunities_V1_TicketSeverity = .major, complaint: Bool = true,
            resolved: Bool = false, nps: Int32? = nil, opened: Date? = nil, as caller: Caller? = nil
        ) async throws -> Sales_Opportunities_V1_RecordTicketResponse {
            try await health.recordTicket(
                .with {
                    $0.ticket = .with {
                        $0.ticketID = id; $0.customerID = customer; $0.severity = severity; $0.complaint = complaint
                        $0.subject = "设备宕机两天, 手术排期受影响"
                        $0.openedAt = Google_Protobuf_Timestamp(date: opened ?? openedAt)
                        if resolved { $0.resolvedAt = Google_Protobuf_Timestamp(date: openedAt.addingTimeInterval(3_600)) }
                        if let nps { $0.nps = nps }
                    }
                }, metadata: try await clients.metadata(caller ?? desk))
        }

        func score(_ customer: String, as caller: Caller? = nil) async throws -> Sales_Opportunities_V1_CustomerHealth {
            try await health.getCustomerHealth(.with { $0.customerID = customer }, metadata: try await clients.metadata(caller ?? cast.rep))
        }
    }

    static func hosted(_ body: @Sendable (Scene) async throws -> Void) async throws {
        try await QuoteTests.hosted { clients, _, database in
            try await body(Scene(clients: clients, health: Health(wrapping: clients.grpc), rules: Rules(wrapping: clients.grpc), database: database))
        }
    }

    static func customer() -> String { UUID().uuidString.lowercased() }

    @Test func aMajorComplaintLowersTheScorePausesRenewalsAndGivesTheOwnerATask() async throws {
        try await Self.hosted { scene in
            let customer = Self.customer()
            let newBusiness = try await scene.deal(of: customer)
            let renewal = try await scene.deal(of: customer, type: .renewal)

            // New, with no touch and nobody named at the customer: marketing -10, sales -5.
            let first = try await scene.score(customer)
            #expect(first.builtInFormula && first.score == 85)
            #expect(first.deductions.map(\.reason) == ["30 天内没有营销触达", "关键人覆盖不足（0 人）"])
            #expect(first.sides == ["marketing": -10, "sales": -5])

            let touch = Sales_Opportunities_V1_RecordTouchRequest.with {
                $0.touch = .with {
                    $0.touchID = "mkt-1"; $0.customerID = customer; $0.kind = "whitepaper_clicked"; $0.title = "2026 医疗设备白皮书"
                    $0.occurredAt = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: -86_400))
                }
            }
            let touched = try await scene.health.recordTouch(touch, metadata: try await scene.clients.metadata(scene.desk))
            #expect(!touched.alreadyRecorded && touched.health.score == 95)
            #expect(try await scene.health.recordTouch(touch, metadata: try await scene.clients.metadata(scene.desk)).alreadyRecorded)

            // A major complaint: service -15, the renewal paused, the owner's task and notice.
            let opened = try await scene.ticket("T-1", of: customer)
            #expect(opened.result == "created" && opened.health.score == 80 && opened.health.change == -5)
            #expect(opened.health.deductions.contains { $0.side == "service" && $0.points == -15 && $0.reason == "1 个重大投诉未关闭" })
            #expect(opened.pausedOpportunityIds == [renewal.id])
            #expect(opened.riskTask.ownerID == "li.na" && opened.riskTask.ticketID == "T-1" && !opened.riskTask.hasDoneAt)
            let paused = await #expect(throws: RPCError.self) {
                try await scene.clients.advance(renewal.id, to: "需求确认", action: "电话沟通", feedback: "续约预算已批", by: scene.cast.rep)
            }
            #expect(
                paused?.code == .failedPrecondition && paused?.message.contains("major complaint resolved (T-1") == true, "\(paused?.message ?? "")")
            _ = try await scene.clients.advance(newBusiness.id, to: "需求确认", action: "电话沟通", feedback: "预算已批", by: scene.cast.rep)
            let notices = try await scene.database.query(
                """
                SELECT body FROM notification_deliveries
                WHERE tenant_id = \(scene.cast.rep.tenant.rawValue) AND notice = 'customer_risk' AND recipient = 'li.na'
                """
            ).collect().map { try $0.decode(String.self) }
            #expect(notices.count == 1 && notices.first?.contains("续约商机已暂停") == true)
            // Sent again unchanged: no second notice, nothing paused twice.
            let repeated = try await scene.ticket("T-1", of: customer)
            #expect(repeated.result == "unchanged" && repeated.pausedOpportunityIds.isEmpty)

            // Resolved: the renewal resumes, the task is done, the score recovers.
            let resolved = try await scene.ticket("T-1", of: customer, resolved: true, nps: 9)
            #expect(resolved.result == "updated" && resolved.resumedOpportunityIds == [renewal.id] && resolved.riskTask.hasDoneAt)
            #expect(resolved.health.score == 95 && !resolved.health.deductions.contains { $0.side == "service" })
            _ = try await scene.clients.advance(renewal.id, to: "需求确认", action: "电话沟通", feedback: "续约预算已批", by: scene.cast.rep)
            #expect(try await scene.ticket("T-1", of: customer, resolved: true, nps: 9).resumedOpportunityIds.isEmpty)
        }
    }

    @Test func aTenantsOwnFormulaScoresAndOutcomesItCannotReadAreRefused() async throws {
        try await Self.hosted { scene in
            let customer = Self.customer()
            _ = try await scene.deal(of: customer)
            _ = try await scene.ticket("Q-1", of: customer, severity: .minor, complaint: false)
            let admin = try await scene.clients.metadata(scene.admin)
            func rule(_ outcome: String) -> Sales_Common_V1_RuleDefinition {
                .with {
                    $0.id = "open-tickets"
                    $0.conditionJson = #"{">=": [{"var": "service_open_tickets"}, 1]}"#
                    $0.outcomeJson = outcome
                }
            }
            _ = try await scene.rules.saveRuleSet(
                .with {
                    $0.name = "customer-health"; $0.comment = "工单未关闭扣分加重"; $0.activate = true
                    $0.rules = [rule(#"{"side": "service", "points": -40, "reason": "{service_open_tickets} 个工单未关闭"}"#)]
                }, metadata: admin)
            let scored = try await scene.score(customer)
            #expect(!scored.builtInFormula && scored.score == 60 && scored.deductions.map(\.reason) == ["1 个工单未关闭"])
            for (outcome, problem) in [
                (#"{"side": "legal", "points": -5, "reason": "x"}"#, "outcome.side must be one of marketing, sales, service, finance"),
                (#"{"side": "service", "points": -5.5, "reason": "x"}"#, "outcome.points must be a whole number"),
                (#"{"side": "service", "points": -5}"#, "outcome.reason must be text"),
            ] {
                let error = await #expect(throws: RPCError.self) {
                    try await scene.rules.saveRuleSet(
                        .with {
                            $0.name = "customer-health"; $0.comment = "bad"; $0.activate = true; $0.rules = [rule(outcome)]
                        }, metadata: admin)
                }
                #expect(error?.code == .invalidArgument && error?.message.contains(problem) == true, "\(error?.message ?? "")")
            }
        }
    }

    @Test func customersAreRankedByHowFastTheirScoreFellForThoseWhoSeeThem() async throws {
        try await Self.hosted { scene in
            let (falling, steady, others) = (Self.customer(), Self.customer(), Self.customer())
            _ = try await scene.deal(of: falling)
            _ = try await scene.deal(of: steady)
            let otherRep = Caller(tenant: scene.cast.rep.tenant, userID: "wang.wu", roles: [.rep], orgPath: "/south/s1")
            _ = try await scene.deal(of: others, by: otherRep)
            for customer in [falling, steady, others] { _ = try await scene.score(customer, as: scene.admin) }
            // A month ago both of li.na's customers stood at 95.
            for customer in [falling, steady] {
                try await scene.database.query(
                    """
                    INSERT INTO customer_health (tenant_id, customer_id, computed_at, score, body)
                    VALUES (\(scene.cast.rep.tenant.rawValue), \(UUID(uuidString: customer)!), now() - interval '40 days', 95, '\\x'::bytea)
                    """)
            }
            _ = try await scene.ticket("T-9", of: falling, severity: .critical)
            let mine = try await scene.health.listCustomerHealth(.init(), metadata: try await scene.clients.metadata(scene.cast.rep)).customers
            #expect(mine.map(\.customerID) == [falling, steady])
            #expect(mine.map(\.change) == [-25, -10] && mine.map(\.scoreBefore) == [95, 95])
            let sibling = try await scene.health.listCustomerHealth(.init(), metadata: try await scene.clients.metadata(scene.cast.prefixManager))
            #expect(sibling.customers.isEmpty)
            let all = try await scene.health.listCustomerHealth(.with { $0.limit = 2 }, metadata: try await scene.clients.metadata(scene.admin))
            #expect(all.customers.map(\.customerID) == [falling, steady])
            let tooMany = await #expect(throws: RPCError.self) {
                try await scene.health.listCustomerHealth(.with { $0.limit = 201 }, metadata: try await scene.clients.metadata(scene.admin))
            }
            #expect(tooMany?.code == .invalidArgument)
        }
    }

    @Test func anotherTenantARepAndBadFieldsAreRefused() async throws {
        try await Self.hosted { scene in
            let customer = Self.customer()
            _ = try await scene.deal(of: customer)
            // Another tenant has no deal of this customer: NOT_FOUND, and nothing is written here.
            let stranger = Caller.service(.gateway, tenant: scene.cast.stranger.tenant)
            let elsewhere = await #expect(throws: RPCError.self) { try await scene.ticket("X-1", of: customer, as: stranger) }
            #expect(elsewhere?.code == .notFound)
            let unseen = await #expect(throws: RPCError.self) { try await scene.score(customer, as: scene.cast.stranger) }
            #expect(unseen?.code == .notFound)
            let sibling = await #expect(throws: RPCError.self) { try await scene.score(customer, as: scene.cast.prefixManager) }
            #expect(sibling?.code == .notFound)
            #expect(try await scene.score(customer, as: scene.cast.ownManager).deductions.allSatisfy { $0.side != "service" })
            let rep = await #expect(throws: RPCError.self) { try await scene.ticket("R-1", of: customer, as: scene.cast.rep) }
            #expect(rep?.code == .permissionDenied)

            _ = try await scene.ticket("M-1", of: customer)
            let second = Self.customer()
            _ = try await scene.deal(of: second)
            let moved = await #expect(throws: RPCError.self) { try await scene.ticket("M-1", of: second) }
            #expect(moved?.code == .failedPrecondition && moved?.message.contains("stays with its customer") == true)
            let nobody = await #expect(throws: RPCError.self) { try await scene.ticket("N-1", of: Self.customer()) }
            #expect(nobody?.code == .notFound, "a customer with no deals here")
            let desk = try await scene.clients.metadata(scene.desk)
            let long = String(repeating: "长", count: 100_000)
            let cases: [(String, @Sendable (inout Sales_Opportunities_V1_ServiceTicket) -> Void)] = [
                ("ticket.severity", { $0.severity = .unspecified }),
                ("ticket.nps", { $0.nps = 11 }),
                ("ticket.resolved_at", { $0.resolvedAt = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: -86_400)) }),
                ("ticket.opened_at", { $0.openedAt = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: 86_400)) }),
                ("ticket.customer_id", { $0.customerID = "not-a-uuid" }),
                ("ticket.subject", { $0.subject = "a\u{0}b" }),
                ("ticket.subject", { $0.subject = long }),
                ("ticket.ticket_id", { $0.ticketID = "  " }),
            ]
            for (field, change) in cases {
                var ticket = Sales_Opportunities_V1_ServiceTicket.with {
                    $0.ticketID = "B-1"; $0.customerID = customer; $0.severity = .minor; $0.subject = "问题"
                    $0.openedAt = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: -7_200))
                }
                change(&ticket)
                let frozen = ticket
                let error = await #expect(throws: RPCError.self) {
                    try await scene.health.recordTicket(.with { $0.ticket = frozen }, metadata: desk)
                }
                #expect(error?.code == .invalidArgument && error?.message.hasPrefix(field) == true, "\(field): \(error?.message.prefix(100) ?? "")")
                #expect((error?.message.count ?? .max) < 400)
            }
            for (field, kind, at) in [("touch.kind", "Bad Kind", -60.0), ("touch.occurred_at", "content_opened", 86_400)] {
                let error = await #expect(throws: RPCError.self) {
                    try await scene.health.recordTouch(
                        .with {
                            $0.touch = .with {
                                $0.touchID = "t"; $0.customerID = customer; $0.kind = kind
                                $0.occurredAt = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: at))
                            }
                        }, metadata: desk)
                }
                #expect(error?.code == .invalidArgument && error?.message.hasPrefix(field) == true, "\(error?.message ?? "")")
            }
            // Nothing of the refused tickets was kept.
            let kept = try await scene.database.query(
                "SELECT count(*) FROM service_tickets WHERE tenant_id = \(scene.cast.rep.tenant.rawValue) AND ticket_id = 'B-1'"
            ).collect().map { try $0.decode(Int64.self) }
            #expect(kept == [0])
        }
    }

    @Test func theJourneyDrawsEachLineInOrderAndMarksAComplaintSalesDidNotFollow() async throws {
        try await Self.hosted { scene in
            let customer = Self.customer()
            let deal = try await scene.deal(of: customer)
            let otherRep = Caller(tenant: scene.cast.rep.tenant, userID: "wang.wu", roles: [.rep], orgPath: "/south/s1")
            let theirs = try await scene.deal(of: customer, by: otherRep)
            _ = try await scene.health.recordTouch(
                .with {
                    $0.touch = .with {
                        $0.touchID = "live-1"; $0.customerID = customer; $0.kind = "live_stream_attended"; $0.title = "腔镜新品直播"
                        $0.occurredAt = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: -6 * 86_400))
                    }
                }, metadata: try await scene.clients.metadata(scene.desk))
            // A complaint five days ago that sales did not follow within three days; a question; a complaint of yesterday.
            _ = try await scene.ticket("J-1", of: customer, opened: Date(timeIntervalSinceNow: -5 * 86_400))
            _ = try await scene.ticket("J-2", of: customer, severity: .minor, complaint: false, opened: Date(timeIntervalSinceNow: -4 * 86_400))
            _ = try await scene.ticket("J-3", of: customer, opened: Date(timeIntervalSinceNow: -86_400))
            _ = try await scene.clients.visit(deal.id, by: scene.cast.rep)
            _ = try await scene.clients.advance(deal.id, to: "需求确认", action: "电话沟通", feedback: "预算已批", by: scene.cast.rep)

            let mine = try await scene.health.getCustomerJourney(
                .with { $0.customerID = customer }, metadata: try await scene.clients.metadata(scene.cast.rep))
            #expect(
                mine.entries.map(\.kind) == ["touch", "ticket_opened", "ticket_opened", "ticket_opened", "activity", "deal_created", "stage_moved"],
                "the visit was an hour ago")
            #expect(mine.entries.map(\.line) == ["marketing", "service", "service", "service", "sales", "sales", "sales"])
            #expect(mine.entries.allSatisfy { $0.opportunityID.isEmpty || $0.opportunityID == deal.id }, "not the other rep's deal")
            #expect(mine.entries.last?.title == "初步接触 → 需求确认" && mine.entries[0].title == "live_stream_attended: 腔镜新品直播")
            #expect(mine.jointActions.map(\.ticketID) == ["J-1"])
            #expect(Set(mine.jointActions.first?.opportunityIds ?? []) == [], "both deals came after the complaint")
            let all = try await scene.health.getCustomerJourney(
                .with { $0.customerID = customer }, metadata: try await scene.clients.metadata(scene.admin))
            #expect(all.entries.contains { $0.opportunityID == theirs.id && $0.kind == "deal_created" })
            let stranger = await #expect(throws: RPCError.self) {
                try await scene.health.getCustomerJourney(
                    .with { $0.customerID = customer }, metadata: try await scene.clients.metadata(scene.cast.stranger))
            }
            #expect(stranger?.code == .notFound)
        }
    }

    @Test func theBuiltInFormulaCompilesAndEveryOutcomeReads() throws {
        #expect(HealthScorer.builtInRules.entries.count == HealthFormula.builtIn.count)
        for entry in HealthScorer.builtInRules.entries {
            guard case .success(let outcome) = HealthFormula.parse(entry.outcome) else {
                Issue.record("\(entry.id) does not read")
                continue
            }
            #expect(HealthInputs.sides.contains(outcome.side) && outcome.points < 0)
        }
    }
}
