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
    /// The intake grade from the "lead-grading" rule set, read by routing, checkpoints and the
    /// pool's return clock; the profile fields rules read, checked on the way in.
    @Suite struct GradingTests {
        static func rule(_ id: String, _ condition: String, _ outcome: String) -> Sales_Common_V1_RuleDefinition {
            .with {
                $0.id = id; $0.conditionJson = condition; $0.outcomeJson = outcome
            }
        }

        @Test func gradesDriveRoutingCheckpointsAndTheReturnClock() async throws {
            let (stack, database, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("grade-\(UInt16.random(in: 0...UInt16.max))")!
            let admin = Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq")
            let rep = Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/east/east-sh")
            func phone() -> String { "135" + String(format: "%08d", Int.random(in: 0..<100_000_000)) }
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let rules = Sales_Common_V1_RuleSetService.Client(wrapping: grpc)
                let adminMetadata = try await client.metadata(admin)

                let badGrade = await #expect(throws: RPCError.self) {
                    try await rules.saveRuleSet(
                        .with {
                            $0.name = "lead-grading"; $0.comment = "x"
                            $0.rules = [Self.rule("big", "true", #"{"grade": "E"}"#)]
                        }, metadata: adminMetadata)
                }
                #expect(badGrade?.message.contains("rules[0].outcome.grade") == true, "\(String(describing: badGrade))")

                _ = try await rules.saveRuleSet(
                    .with {
                        $0.name = "lead-grading"; $0.comment = "预算与行业定级"; $0.activate = true
                        $0.rules = [
                            Self.rule("budget", #"{">=": [{"var": "budget"}, 500000]}"#, #"{"grade": "A"}"#),
                            Self.rule("medical", #"{"==": [{"var": "industry"}, "医疗器械"]}"#, #"{"grade": "B"}"#),
                            Self.rule("rest", "true", #"{"grade": "C"}"#),
                        ]
                    }, metadata: adminMetadata)
                _ = try await rules.saveRuleSet(
                    .with {
                        $0.name = "lead-routing"; $0.comment = "A级给大客户，上海围栏归上海组"; $0.activate = true
                        $0.rules = [
                            Self.rule("grade-a", #"{"==": [{"var": "grade"}, "A"]}"#, #"{"owner": "key.rep", "org_path": "/east/key"}"#),
                            Self.rule(
                                "shanghai-fence", #"{"geo_within": [{"var": "gps"}, {"lat": 31.2304, "lng": 121.4737, "radius_m": 30000}]}"#,
                                #"{"org_path": "/east/east-sh"}"#),
                        ]
                    }, metadata: adminMetadata)
                let golden = #"{"label": "A级2小时首触", "requirement": "first_touch", "anchor": "created", "hours": 2, "clock": "clock"}"#
                let normal = #"{"label": "黄金48小时首触", "requirement": "first_touch", "anchor": "created", "hours": 48, "clock": "clock"}"#
                _ = try await rules.saveRuleSet(
                    .with {
                        $0.name = "lead-checkpoints"; $0.comment = "按等级"; $0.activate = true
                        $0.rules = [
                            Self.rule("a-2h", #"{"==": [{"var": "grade"}, "A"]}"#, golden),
                            Self.rule("others-48h", #"{"!=": [{"var": "grade"}, "A"]}"#, normal),
                        ]
                    }, metadata: adminMetadata)

                let big = try await leads.createLead(
                    .with {
                        $0.contactName = "周总"; $0.companyName = "宁波精工"; $0.phone = phone(); $0.channel = .tradeShow
                        $0.budget = .with {
                            $0.minorUnits = 80_000_000; $0.currency = "CNY"
                        }
                        $0.district = "鄞州区"; $0.industry = "机械"; $0.employeeCount = 320; $0.tags = ["展会", "复购", "展会"]
                        $0.location = .with {
                            $0.latitude = 29.82; $0.longitude = 121.55
                        }
                    }, metadata: adminMetadata
                ).lead
                #expect(big.grade == "A" && big.ownerID == "key.rep" && big.routingRuleID == "grade-a")
                #expect(big.district == "鄞州区" && big.industry == "机械" && big.employeeCount == 320)
                #expect(big.tags == ["展会", "复购"], "a repeated tag is kept once")
                #expect(big.budget.minorUnits == 80_000_000 && abs(big.location.latitude - 29.82) < 1e-9)

                let medical = try await leads.createLead(
                    .with {
                        $0.contactName = "林主任"; $0.phone = phone(); $0.channel = .webForm; $0.industry = "医疗器械"
                        $0.location = .with {
                            $0.latitude = 31.20; $0.longitude = 121.45
                        }
                    }, metadata: adminMetadata
                ).lead
                #expect(medical.grade == "B")
                #expect(medical.orgPath == "/east/east-sh" && medical.routingRuleID == "shanghai-fence", "inside the Shanghai fence")

                // No industry given: the company registry (a file by default) knows it from the credit code.
                let registered = try await leads.createLead(
                    .with {
                        $0.contactName = "郭经理"; $0.companyName = "上海康瑞医疗器械有限公司"; $0.channel = .api
                        $0.creditCode = DemoCompanies.all[2].code.rawValue
                    }, metadata: adminMetadata
                ).lead
                #expect(registered.industry == "医疗器械" && registered.employeeCount == 140 && registered.district == "浦东新区")
                #expect(registered.grade == "B", "graded by the industry the registry gave")

                let plain = try await leads.createLead(
                    .with {
                        $0.contactName = "小王"; $0.phone = phone(); $0.channel = .api
                    },
                    metadata: try await client.metadata(rep)
                ).lead
                #expect(plain.grade == "C" && plain.ownerID == "li.na")

                let checkedBig = try await leads.getLead(.with { $0.id = big.id }, metadata: adminMetadata)
                #expect(checkedBig.checkpoints.map(\.ruleID) == ["a-2h"] && checkedBig.checkpoints.first?.limitHours == 2)
                let checkedPlain = try await leads.getLead(.with { $0.id = plain.id }, metadata: adminMetadata)
                #expect(checkedPlain.checkpoints.map(\.ruleID) == ["others-48h"])

                // Grade A returns to the pool after 3 business days untouched; others after 10.
                _ = try await leads.setPoolPolicy(
                    .with {
                        $0.policy = .with {
                            $0.returnAfterBusinessDays = 10; $0.warnBusinessDaysBefore = 2; $0.cooldownDays = 7
                            $0.returnAfterBusinessDaysByGrade = ["A": 3]
                        }
                    }, metadata: adminMetadata)
                let policy = try await leads.getPoolPolicy(.init(), metadata: adminMetadata)
                #expect(policy.returnAfterBusinessDaysByGrade == ["A": 3])
                let fourWorkdays = PoolReturnTests.daysSpanning(workdays: 4)
                try await PoolReturnTests().age(big.id, days: fourWorkdays, database: database.url(for: .leads))
                try await PoolReturnTests().age(plain.id, days: fourWorkdays, database: database.url(for: .leads))
                let swept = try await leads.sweepPublicPool(.init(), metadata: adminMetadata)
                #expect(swept.returned == 1 && swept.warned == 0)
                #expect(swept.checkpointAlerts == 2, "A's 2 hours and C's 48 hours are both long past: announced once each")
                #expect(try await leads.sweepPublicPool(.init(), metadata: adminMetadata).checkpointAlerts == 0)
                let returned = try await leads.getLead(.with { $0.id = big.id }, metadata: adminMetadata)
                #expect(returned.ownerID.isEmpty)
                #expect(try await leads.getLead(.with { $0.id = plain.id }, metadata: adminMetadata).ownerID == "li.na")

                let badPolicy = await #expect(throws: RPCError.self) {
                    try await leads.setPoolPolicy(
                        .with {
                            $0.policy = .with {
                                $0.returnAfterBusinessDays = 10; $0.returnAfterBusinessDaysByGrade = ["S": 3]
                            }
                        }, metadata: adminMetadata)
                }
                #expect(badPolicy?.message.hasPrefix("policy.return_after_business_days_by_grade:") == true)
            }
        }

        @Test func profileFieldsAreCheckedOnTheWayIn() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let metadata = try await client.metadata(People.rep)
                func refused(_ edit: (inout Sales_Leads_V1_CreateLeadRequest) -> Void) async -> String {
                    var request = Sales_Leads_V1_CreateLeadRequest.with {
                        $0.contactName = "x"; $0.phone = "13912345678"; $0.channel = .api
                    }
                    edit(&request)
                    let error = await #expect(throws: RPCError.self) { try await leads.createLead(request, metadata: metadata) }
                    #expect(error?.code == .invalidArgument)
                    return error?.message ?? ""
                }
                #expect(await refused { $0.employeeCount = -5 }.hasPrefix("employee_count:"))
                #expect(
                    await refused {
                        $0.location = .with {
                            $0.latitude = 95; $0.longitude = 10
                        }
                    }.hasPrefix("location:"))
                #expect(await refused { $0.tags = (0...20).map { "t\($0)" } }.hasPrefix("tags:"))
                #expect(await refused { $0.tags = ["ok", "  "] }.hasPrefix("tags[1]:"))
                #expect(
                    await refused {
                        $0.budget = .with {
                            $0.minorUnits = -100; $0.currency = "CNY"
                        }
                    }.hasPrefix("budget.minor_units:"))
                #expect(await refused { $0.district = String(repeating: "区", count: 51) }.hasPrefix("district:"))
            }
        }
    }
}
