import Foundation
import GRPCCore
import Logging
import PostgresNIO
import RulesEngine
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

extension EndToEnd {
    /// SLA checkpoints as rules: a missed one flags the lead and blocks advancing it, naming what is missing.
    @Suite struct CheckpointTests {
        @Test func aMissedFirstTouchBlocksAdvancingUntilMet() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("sla-\(UInt16.random(in: 0...UInt16.max))")!
            let admin = Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq")
            let rep = Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/east/sh")
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let rules = Sales_Common_V1_RuleSetService.Client(wrapping: grpc)
                let adminMetadata = try await client.metadata(admin)

                let badOutcome = await #expect(throws: RPCError.self) {
                    try await rules.saveRuleSet(
                        .with {
                            $0.name = "lead-checkpoints"; $0.comment = "x"
                            $0.rules = [
                                .with {
                                    $0.id = "golden"; $0.conditionJson = "true";
                                    $0.outcomeJson = #"{"label": "首触", "requirement": "first_touch", "hours": -1}"#
                                }
                            ]
                        }, metadata: adminMetadata)
                }
                #expect(badOutcome?.message.contains("rules[0].outcome: outcome.hours") == true, "\(badOutcome?.message ?? "")")

                // A tiny limit so the test sees it pass; real tenants write 48 (or 2 for web leads).
                _ = try await rules.saveRuleSet(
                    .with {
                        $0.name = "lead-checkpoints"; $0.comment = "黄金首触与筛查表"; $0.activate = true
                        $0.rules = [
                            .with {
                                $0.id = "golden"; $0.conditionJson = #"{"==": [{"var": "channel"}, "web_form"]}"#
                                $0.outcomeJson =
                                    #"{"label": "黄金首触", "requirement": "first_touch", "anchor": "created", "hours": 0.0002, "clock": "clock"}"#
                            },
                            .with {
                                $0.id = "screening"; $0.conditionJson = "true"
                                $0.outcomeJson =
                                    #"{"label": "需求筛查表", "requirement": "field:screening", "anchor": "first_touch", "hours": 2, "clock": "business"}"#
                            },
                        ]
                    }, metadata: adminMetadata)

                let metadata = try await client.metadata(rep)
                let lead = try await leads.createLead(
                    .with {
                        $0.contactName = "王建国"; $0.phone = "133" + String(format: "%08d", Int.random(in: 0..<100_000_000)); $0.channel = .webForm
                    }, metadata: metadata
                ).lead
                try await Task.sleep(for: .seconds(1.2))
                let flagged = try await leads.getLead(.with { $0.id = lead.id }, metadata: metadata)
                #expect(flagged.checkpoints.map(\.ruleID) == ["golden", "screening"])
                #expect(flagged.checkpoints.first?.state == .missed)
                #expect(flagged.checkpoints.last?.state == .pending, "the screening clock starts at the first touch")
                // Lists carry the flag too, for dashboards to grey the row.
                let listed = try await leads.listLeads(.init(), metadata: metadata).leads.first { $0.id == lead.id }
                #expect(listed?.checkpoints.first?.state == .missed)

                let blocked = await #expect(throws: RPCError.self) {
                    try await leads.advanceLead(
                        .with {
                            $0.leadID = lead.id; $0.stage = .contacted
                        }, metadata: metadata)
                }
                #expect(blocked?.code == .failedPrecondition)
                #expect(blocked?.message.contains("黄金首触 (log the first follow-up") == true, "\(blocked?.message ?? "")")

                _ = try await leads.logFollowUp(
                    .with {
                        $0.followUp = .with {
                            $0.leadID = lead.id; $0.kind = .call; $0.occurredAt = Google_Protobuf_Timestamp(date: Date())
                            $0.summary = "电话沟通需求，约定演示"
                        }
                    }, metadata: metadata)
                let late = try await leads.getLead(.with { $0.id = lead.id }, metadata: metadata)
                #expect(late.checkpoints.first?.state == .late)
                #expect(late.checkpoints.last?.state == .pending)
                let moved = try await leads.advanceLead(
                    .with {
                        $0.leadID = lead.id; $0.stage = .contacted
                    }, metadata: metadata)
                #expect(moved.status == .contacted)
            }
        }

        /// A business-hours checkpoint counts the tenant's working time: a lead three clock hours
        /// old misses a two-hour limit when those hours were worked, and is still pending when they
        /// fell on the tenant's holidays.
        @Test func businessHoursCountOnlyTheTenantsWorkingTime() async throws {
            let (stack, database, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let yesterday = WorkCalendar.standard.localDate(of: Date().addingTimeInterval(-86_400))
            func checkpoint(calendar: String) async throws -> Sales_Leads_V1_CheckpointStatus? {
                let tenant = TenantID("bizhours-\(UInt32.random(in: 0...UInt32.max))")!
                let admin = try await client.metadata(Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq"))
                _ = try await client.with(.gateway) { grpc in
                    try await Sales_Gateway_V1_DirectoryService.Client(wrapping: grpc).setWorkCalendar(
                        .with { $0.calendarJson = calendar }, metadata: admin)
                }
                return try await client.with(.leads) { grpc in
                    let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                    _ = try await Sales_Common_V1_RuleSetService.Client(wrapping: grpc).saveRuleSet(
                        .with {
                            $0.name = "lead-checkpoints"; $0.comment = "两个工作小时"; $0.activate = true
                            $0.rules = [
                                .with {
                                    $0.id = "two"; $0.conditionJson = "true"
                                    $0.outcomeJson =
                                        #"{"label": "两小时首触", "requirement": "first_touch", "anchor": "created", "hours": 2, "clock": "business"}"#
                                }
                            ]
                        }, metadata: admin)
                    let lead = try await leads.createLead(
                        .with {
                            $0.contactName = "工时"; $0.phone = "1334" + String(format: "%07d", Int.random(in: 0..<10_000_000)); $0.channel = .api
                        }, metadata: admin
                    ).lead
                    try await TestEnvironment.withAdminConnection(to: database.url(for: .leads)) { connection in
                        _ = try await connection.query(
                            "UPDATE leads.leads SET created_at = now() - interval '3 hours' WHERE id = \(UUID(uuidString: lead.id)!)",
                            logger: Logger(label: "test"))
                    }
                    return try await leads.getLead(.with { $0.id = lead.id }, metadata: admin).checkpoints.first
                }
            }
            let worked = try #require(try await checkpoint(calendar: #"{"weekend": [], "working_hours": [["00:00", "24:00"]]}"#))
            #expect(worked.state == .missed && worked.businessHours, "\(worked)")
            #expect((2.9...3.1).contains(worked.elapsedHours), "\(worked.elapsedHours)")
            let holidays = try #require(
                try await checkpoint(
                    calendar: #"{"weekend": [], "working_hours": [["00:00", "24:00"]], "holidays": ["\#(yesterday)", "\#(TestCalendar.today)"]}"#))
            #expect(holidays.state == .pending && holidays.elapsedHours == 0, "\(holidays)")
        }
    }
}
