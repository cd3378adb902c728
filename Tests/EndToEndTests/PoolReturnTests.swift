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
    /// Private leads nobody follows up go back to the pool after the tenant's business days, with
    /// a warning first; a real follow-up resets the clock, a status change does not.
    @Suite struct PoolReturnTests {
        /// Moves a lead's creation (and its owner's assignment) back in time, as if it had been waiting that long.
        func age(_ leadID: String, days: Int, database: DatabaseURL) async throws {
            try await TestEnvironment.withAdminConnection(to: database) { connection in
                _ = try await connection.query(
                    """
                    UPDATE leads.leads SET created_at = now() - make_interval(days => \(days)::integer),
                                           assigned_at = now() - make_interval(days => \(days)::integer)
                    WHERE id = \(UUID(uuidString: leadID)!)
                    """,
                    logger: Logger(label: "test"))
            }
        }

        /// Calendar days back from today that span exactly `workdays` Monday-to-Friday days after
        /// that date (in Shanghai), whatever weekday the test runs on.
        static func daysSpanning(workdays: Int) -> Int {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
            let today = calendar.startOfDay(for: Date())
            for back in 1...30 {
                let count = (0..<back).filter { offset in
                    let day = calendar.date(byAdding: .day, value: -offset, to: today)!
                    return !calendar.isDateInWeekend(day)
                }.count
                if count == workdays { return back }
            }
            return workdays
        }

        @Test func untouchedLeadsReturnAfterBusinessDaysWithAWarningFirst() async throws {
            let (stack, database, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("return-\(UInt16.random(in: 0...UInt16.max))")!
            let admin = Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq")
            let rep = Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/east/sh")
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let adminMetadata = try await client.metadata(admin)
                _ = try await leads.setPoolPolicy(
                    .with {
                        $0.policy = .with {
                            $0.returnAfterBusinessDays = 5; $0.warnBusinessDaysBefore = 2; $0.cooldownDays = 7
                        }
                    }, metadata: adminMetadata)
                let metadata = try await client.metadata(rep)
                func newLead() async throws -> Sales_Leads_V1_Lead {
                    try await leads.createLead(
                        .with {
                            $0.contactName = "k"; $0.phone = "134" + String(format: "%08d", Int.random(in: 0..<100_000_000)); $0.channel = .api
                        }, metadata: metadata
                    ).lead
                }
                let stale = try await newLead()  // 30 days: returns
                let soon = try await newLead()  // 3 business days of 5: warned
                let touched = try await newLead()  // 30 days, but followed up today: stays
                let fresh = try await newLead()  // today: nothing
                try await age(stale.id, days: 30, database: database.url(for: .leads))
                try await age(soon.id, days: Self.daysSpanning(workdays: 3), database: database.url(for: .leads))
                try await age(touched.id, days: 30, database: database.url(for: .leads))
                _ = try await leads.advanceLead(
                    .with {
                        $0.leadID = stale.id; $0.stage = .contacted
                    }, metadata: metadata)
                _ = try await leads.logFollowUp(
                    .with {
                        $0.followUp = .with {
                            $0.leadID = touched.id; $0.kind = .wechat; $0.occurredAt = Google_Protobuf_Timestamp(date: Date())
                            $0.summary = "微信发了产品资料，客户下周回复"
                        }
                    }, metadata: metadata)

                let outcome = try await leads.sweepPublicPool(.init(), metadata: adminMetadata)
                #expect(outcome.returned == 1, "a status change does not reset the clock")
                #expect(outcome.warned == 1)
                let pool = try await leads.listLeads(.with { $0.publicPool = true }, metadata: metadata).leads.map(\.id)
                #expect(pool == [stale.id])
                let again = try await leads.sweepPublicPool(.init(), metadata: adminMetadata)
                #expect(again.returned == 0 && again.warned == 0, "each lead is warned once")
                // The rep who lost it waits out the cooldown.
                let early = await #expect(throws: RPCError.self) { try await leads.claimLead(.with { $0.leadID = stale.id }, metadata: metadata) }
                #expect(early?.code == .failedPrecondition)
                _ = fresh
            }
        }

        @Test func aClaimedLeadStartsItsNewOwnersClockAfresh() async throws {
            let (stack, database, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("reclaim-\(UInt16.random(in: 0...UInt16.max))")!
            let admin = Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq")
            let before = Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/east/sh")
            let after = Caller(tenant: tenant, userID: "zhang.wei", roles: [.rep], orgPath: "/east/sh")
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let adminMetadata = try await client.metadata(admin)
                _ = try await leads.setPoolPolicy(
                    .with {
                        $0.policy = .with {
                            $0.returnAfterBusinessDays = 5; $0.warnBusinessDaysBefore = 2; $0.cooldownDays = 7; $0.dailyClaimCap = 5
                        }
                    }, metadata: adminMetadata)
                let beforeMetadata = try await client.metadata(before)
                let lead = try await leads.createLead(
                    .with {
                        $0.contactName = "k"; $0.phone = "134" + String(format: "%08d", Int.random(in: 0..<100_000_000)); $0.channel = .api
                    }, metadata: beforeMetadata
                ).lead
                try await age(lead.id, days: 30, database: database.url(for: .leads))
                // The previous owner's last real follow-up was three weeks ago; then they let it go.
                _ = try await leads.logFollowUp(
                    .with {
                        $0.followUp = .with {
                            $0.leadID = lead.id; $0.kind = .call;
                            $0.occurredAt = Google_Protobuf_Timestamp(date: Date().addingTimeInterval(-21 * 86_400))
                            $0.summary = "客户说预算下季度才批"
                        }
                    }, metadata: beforeMetadata)
                _ = try await leads.releaseLead(
                    .with {
                        $0.leadID = lead.id; $0.reason = "预算未批"
                    }, metadata: beforeMetadata)
                let claimed = try await leads.claimLead(.with { $0.leadID = lead.id }, metadata: try await client.metadata(after))
                #expect(claimed.ownerID == "zhang.wei")

                let outcome = try await leads.sweepPublicPool(.init(), metadata: adminMetadata)
                #expect(
                    outcome.returned == 0 && outcome.warned == 0, "the claim started zhang.wei's clock; li.na's follow-ups do not count against it")
                #expect(try await leads.getLead(.with { $0.id = lead.id }, metadata: adminMetadata).ownerID == "zhang.wei")
            }
        }
    }
}
