import Foundation
import GRPCCore
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

extension EndToEnd {
    /// Mapping tables that rules consult (city → team), kept as data; and the rule health report's
    /// view of them (values seen in recent leads that a table misses) and of the duty roster.
    @Suite struct RuleHealthTests {
        static func phone() -> String { "132" + String(format: "%08d", Int.random(in: 0..<100_000_000)) }

        @Test func mappingTablesRouteAndTheirMissesAreReported() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("map-\(UInt16.random(in: 0...UInt16.max))")!
            let admin = Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq")
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let rules = Sales_Common_V1_RuleSetService.Client(wrapping: grpc)
                let metadata = try await client.metadata(admin)
                func put(_ name: String, _ entries: [String: String]) async throws -> Sales_Common_V1_MappingTable {
                    try await rules.putMappingTable(
                        .with {
                            $0.table = .with {
                                $0.name = name; $0.entries = entries
                            }
                        }, metadata: metadata)
                }
                func refusedPut(_ name: String, _ entries: [String: String]) async -> String {
                    let error = await #expect(throws: RPCError.self) {
                        try await rules.putMappingTable(
                            .with {
                                $0.table = .with {
                                    $0.name = name; $0.entries = entries
                                }
                            }, metadata: metadata)
                    }
                    return error?.message ?? ""
                }
                #expect(await refusedPut("City Team", ["上海": "/east/east-sh"]).hasPrefix("table.name:"))
                #expect(await refusedPut("city-team", [:]).hasPrefix("table.entries:"))
                let first = try await put("city-team", ["上海": "/east/east-sh", "杭州": "/east/east-hz"])
                #expect(first.version > 0 && first.updatedBy == "admin")

                let unknown = await #expect(throws: RPCError.self) {
                    try await rules.saveRuleSet(
                        .with {
                            $0.name = "lead-routing"; $0.comment = "x"
                            $0.rules = [
                                .with {
                                    $0.id = "sh"; $0.conditionJson = #"{"==": [{"in_mapping": [{"var": "city"}, "city-teams"]}, "/east/east-sh"]}"#
                                    $0.outcomeJson = #"{"team": "/east/east-sh"}"#
                                }
                            ]
                        }, metadata: metadata)
                }
                #expect(
                    unknown?.message.contains("there is no mapping table `city-teams`; tables: city-team") == true, "\(String(describing: unknown))")
                _ = try await rules.saveRuleSet(
                    .with {
                        $0.name = "lead-routing"; $0.comment = "按城市映射表分配"; $0.activate = true
                        $0.rules = [
                            .with {
                                $0.id = "sh"; $0.conditionJson = #"{"==": [{"in_mapping": [{"var": "city"}, "city-team"]}, "/east/east-sh"]}"#
                                $0.outcomeJson = #"{"org_path": "/east/east-sh"}"#
                            },
                            // A city no lead of this tenant comes from: a rule that never matches.
                            .with {
                                $0.id = "lhasa"; $0.conditionJson = #"{"==": [{"var": "city"}, "拉萨"]}"#; $0.outcomeJson = #"{"org_path": "/west"}"#
                            },
                        ]
                    }, metadata: metadata)

                func lead(_ city: String) async throws -> Sales_Leads_V1_Lead {
                    try await leads.createLead(
                        .with {
                            $0.contactName = "客户"; $0.phone = Self.phone(); $0.channel = .webForm; $0.city = city
                        },
                        metadata: metadata
                    ).lead
                }
                #expect(try await lead("上海").routingRuleID == "sh")
                for city in ["苏州", "苏州", "南京"] { #expect(try await lead(city).routingRuleID.isEmpty) }

                let health = try await leads.inspectRules(.init(), metadata: metadata)
                let miss = try #require(health.mappingMisses.first)
                #expect(health.mappingMisses.count == 1)
                #expect(miss.table == "city-team" && miss.field == "city" && miss.rules == ["lead-routing/sh"])
                #expect(miss.values == ["苏州", "南京"] && miss.leads == 3, "most frequent first")
                #expect(health.neverMatched == ["lead-routing/lhasa"], "\(health.neverMatched)")
                #expect(health.rules.first { $0.ruleID == "sh" }?.matched == 1 && health.rules.first { $0.ruleID == "lhasa" }?.matched == 0)

                // The table changes as data: the next lead sees it, no redeploy, no rule change.
                _ = try await put("city-team", ["上海": "/east/east-sh", "杭州": "/east/east-hz", "苏州": "/east/east-sh"])
                #expect(try await lead("苏州").routingRuleID == "sh")
                #expect(try await rules.listMappingTables(.init(), metadata: metadata).tables.first?.entries["苏州"] == "/east/east-sh")

                // Once a month on its own (the periodic pass, or a sweep now): archived once, sent to the tenant-wide channels.
                _ = try await leads.sweepPublicPool(.init(), metadata: metadata)
                #expect(try await leads.sweepPublicPool(.init(), metadata: metadata).reportsArchived == 0, "a month is archived once")
                let reports = try await leads.listRuleHealthReports(.init(), metadata: metadata).reports
                let month = String(TestCalendar.today.prefix(7))
                #expect(reports.map(\.month) == [month])
                #expect(reports.first?.inspection.rules.contains { $0.ruleID == "sh" } == true)
                let sent = try await Sales_Notifications_V1_NotificationService.Client(wrapping: grpc).listNotificationDeliveries(
                    .with { $0.subjectID = "rule-health:\(month)" }, metadata: metadata
                ).deliveries
                #expect(sent.count == 1 && sent.first?.audience == "team:/" && sent.first?.status == .skipped, "no tenant-wide channel yet")
                let notAdmin = await #expect(throws: RPCError.self) {
                    try await leads.listRuleHealthReports(.init(), metadata: try await client.metadata(People.manager))
                }
                #expect(notAdmin?.code == .permissionDenied)
            }
        }

        @Test func theReportShowsBusinessHoursWithNobodyOnDuty() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("roster-\(UInt16.random(in: 0...UInt16.max))")!
            let admin = Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq")
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let desk = Sales_Leads_V1_RoutingDeskService.Client(wrapping: grpc)
                let metadata = try await client.metadata(admin)
                _ = try await desk.putRoutingRep(
                    .with {
                        $0.rep = .with {
                            $0.userID = "li.na"; $0.teamPath = "/east/east-sh"; $0.active = true
                        }
                    },
                    metadata: metadata)
                let days = TestCalendar.days(from: 0, through: 13)
                // The stack's calendar: Monday to Friday, less a holiday, plus a make-up working Saturday or Sunday.
                let workdays = days.filter { ($0.weekend == false && $0.day != TestCalendar.holiday) || $0.day == TestCalendar.makeUpWorkday }
                    .map(\.day)

                let bare = try await leads.inspectRules(.init(), metadata: metadata).rosterGaps
                #expect(bare.map(\.day) == workdays, "every working day of the next 14 days: weekends and the holiday left out, the 调休 day in")
                #expect(bare.contains { $0.day == TestCalendar.makeUpWorkday } && !bare.contains { $0.day == TestCalendar.holiday })
                #expect(bare.allSatisfy { $0.teamPath == "/east/east-sh" && $0.hours == [9, 10, 11, 13, 14, 15, 16, 17] })

                // Mornings covered on every day: the afternoons remain.
                _ = try await desk.setDutyRoster(
                    .with {
                        $0.teamPath = "/east/east-sh"; $0.firstDay = days.first!.day; $0.lastDay = days.last!.day
                        $0.shifts = days.map { day in
                            .with {
                                $0.userID = "wang.duty"; $0.day = day.day; $0.startHour = 8; $0.endHour = 12
                            }
                        }
                    }, metadata: metadata)
                let mornings = try await leads.inspectRules(.init(), metadata: metadata).rosterGaps
                #expect(mornings.count == workdays.count && mornings.allSatisfy { $0.hours == [13, 14, 15, 16, 17] })

                _ = try await desk.setDutyRoster(
                    .with {
                        $0.teamPath = "/east/east-sh"; $0.firstDay = days.first!.day; $0.lastDay = days.last!.day
                        $0.shifts = days.map { day in
                            .with {
                                $0.userID = "wang.duty"; $0.day = day.day; $0.startHour = 0; $0.endHour = 24
                            }
                        }
                    }, metadata: metadata)
                #expect(try await leads.inspectRules(.init(), metadata: metadata).rosterGaps.isEmpty)
            }
        }

        /// `salesctl leads inspect`, the command operators run, prints the same report.
        @Test func salesctlLeadsInspectPrintsTheReport() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let admin = Caller(tenant: TenantID("inspect-\(UInt32.random(in: 0...UInt32.max))")!, userID: "admin", roles: [.admin], orgPath: "/hq")
            try await client.with(.leads) { grpc in
                let metadata = try await client.metadata(admin)
                _ = try await Sales_Common_V1_RuleSetService.Client(wrapping: grpc).saveRuleSet(
                    .with {
                        $0.name = "lead-routing"; $0.comment = "检查"; $0.activate = true
                        $0.rules = [
                            .with {
                                $0.id = "sh"; $0.conditionJson = #"{"==": [{"var": "city"}, "上海"]}"#;
                                $0.outcomeJson = #"{"org_path": "/east/east-sh"}"#
                            },
                            .with {
                                $0.id = "lhasa"; $0.conditionJson = #"{"==": [{"var": "city"}, "拉萨"]}"#; $0.outcomeJson = #"{"org_path": "/west"}"#
                            },
                        ]
                    }, metadata: metadata)
                for city in ["上海", "上海", "苏州"] {
                    _ = try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).createLead(
                        .with {
                            $0.contactName = "检查"; $0.phone = Self.phone(); $0.channel = .api; $0.city = city
                        }, metadata: metadata)
                }
            }
            let output = NSTemporaryDirectory() + "inspect-\(UUID().uuidString).txt"
            let command = try ChildProcess(
                executable: try TestEnvironment.binDirectory() + "/salesctl",
                arguments: ["leads", "inspect", "--port-base", "\(stack.plan.portBase)", "--token", try await client.token(admin)],
                environment: ProcessInfo.processInfo.environment, outputPath: output)
            #expect(await command.wait(timeout: .seconds(60)))
            #expect(command.status == 0)
            let printed = try String(contentsOfFile: output, encoding: .utf8)
            #expect(printed.contains("rule health over the 3 most recent leads"), "\(printed)")
            #expect(printed.contains("  lead-routing/sh: matched 2; city empty 0%"), "\(printed)")
            #expect(printed.contains("  lead-routing/lhasa: matched 0"), "\(printed)")
            #expect(printed.contains("never matched: lead-routing/lhasa"), "\(printed)")
        }
    }
}
