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
    /// Rules that operators change without code: checked on save against the lead catalog and the
    /// tenant's own fields, versioned, activated and rolled back, explained, and dry-run.
    @Suite struct RuleSetFlowTests {
        func rule(_ id: String, _ condition: String, _ outcome: String) -> Sales_Common_V1_RuleDefinition {
            .with {
                $0.id = id; $0.conditionJson = condition; $0.outcomeJson = outcome
            }
        }

        @Test func routingRulesReadTenantFieldsAndAreVersioned() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("rules-\(UInt16.random(in: 0...UInt16.max))")!
            let admin = Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq")
            let rep = Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/east/sh")
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let rules = Sales_Common_V1_RuleSetService.Client(wrapping: grpc)
                let adminMetadata = try await client.metadata(admin)

                _ = try await leads.defineLeadField(
                    .with {
                        $0.definition = .with {
                            $0.key = "hospital_tier"; $0.label = "医院等级"; $0.type = .choice; $0.choices = ["三甲", "二甲"]
                        }
                    }, metadata: adminMetadata)
                let topTier = try await leads.createLead(
                    .with {
                        $0.contactName = "蒋文"; $0.phone = "13706620107"; $0.channel = .webForm; $0.city = "杭州"
                        $0.customFields = ["hospital_tier": .with { $0.choice = "三甲" }]
                    }, metadata: try await client.metadata(rep)
                ).lead
                let other = try await leads.createLead(
                    .with {
                        $0.contactName = "韩磊"; $0.phone = "18906620109"; $0.channel = .tradeShow; $0.city = "宁波"
                    }, metadata: try await client.metadata(rep)
                ).lead
                // 蒋文 again, through another channel: a repeat customer, whose lead stays with li.na.
                let again = try await leads.createLead(
                    .with {
                        $0.contactName = "蒋文"; $0.phone = "13706620107"; $0.channel = .wechat; $0.city = "杭州"
                    }, metadata: adminMetadata
                ).lead
                #expect(again.repeat && again.ownerID == "li.na")

                // A typo and a type mismatch are refused on save, each named with its path.
                let refused = await #expect(throws: RPCError.self) {
                    try await rules.saveRuleSet(
                        .with {
                            $0.name = "lead-routing"; $0.comment = "first draft"
                            $0.rules = [
                                rule("key-accounts", #"{"==": [{"var": "hospital_tiers"}, "三甲"]}"#, #"{"team": "/key-accounts"}"#),
                                rule("zj", #"{">": [{"var": "city"}, 3]}"#, #"{"team": "/east/east-hz"}"#),
                                rule("odd", #"{"teleport": [1]}"#, "{}"),
                            ]
                        }, metadata: adminMetadata)
                }
                #expect(refused?.code == .invalidArgument)
                let message = refused?.message ?? ""
                #expect(message.contains("rules[0].condition"), "\(message)")
                #expect(message.contains("did you mean `hospital_tier`"), "\(message)")
                #expect(message.contains("rules[1].condition"), "\(message)")
                #expect(message.contains("teleport"), "\(message)")

                let v1 = try await rules.saveRuleSet(
                    .with {
                        $0.name = "lead-routing"; $0.comment = "三甲医院归大客户组"; $0.activate = true
                        $0.rules = [
                            rule("key-accounts", #"{"==": [{"var": "hospital_tier"}, "三甲"]}"#, #"{"team": "/key-accounts"}"#),
                            rule("default", "true", #"{"org_path": "/east"}"#),
                        ]
                    }, metadata: adminMetadata)
                #expect(v1.version == 1 && v1.active && v1.author == "admin")

                let outcome = try await rules.evaluateRuleSet(
                    .with {
                        $0.name = "lead-routing"; $0.recordID = topTier.id
                    }, metadata: try await client.metadata(rep))
                #expect(outcome.matchedRuleID == "key-accounts")
                #expect(outcome.outcomeJson.contains("key-accounts"))
                #expect(outcome.trace.first?.explanation.contains("三甲") == true, "\(outcome.trace)")

                // Dry run of an edit: 杭州 leads to the Hangzhou team first.
                let draft = [
                    rule("hangzhou", #"{"in": [{"var": "city"}, ["杭州"]]}"#, #"{"team": "/east/east-hz"}"#),
                    rule("key-accounts", #"{"==": [{"var": "hospital_tier"}, "三甲"]}"#, #"{"team": "/key-accounts"}"#),
                    rule("default", "true", #"{"org_path": "/east"}"#),
                ]
                let dryRun = try await rules.dryRunRuleSet(
                    .with {
                        $0.name = "lead-routing"; $0.draft = draft
                    }, metadata: adminMetadata)
                #expect(dryRun.activeVersion == 1)
                #expect(dryRun.evaluated == 3)
                #expect(dryRun.changes.map(\.recordID) == [topTier.id], "the repeat customer's lead would not move")
                #expect(dryRun.changes.first?.activeRuleID == "key-accounts")
                #expect(dryRun.changes.first?.draftRuleID == "hangzhou")
                #expect(dryRun.unmoved.map(\.recordID) == [again.id])
                #expect(dryRun.unmoved.first?.draftRuleID == "hangzhou" && dryRun.unmoved.first?.activeRuleID == "default")
                #expect(dryRun.unmoved.first?.unmovedBecause == "repeat customer: stays with its owner li.na", "\(dryRun.unmoved)")
                _ = other

                let fromFile = try await rules.dryRunRuleSet(
                    .with {
                        $0.name = "lead-routing"; $0.draft = draft; $0.recordsJson = [#"{"city": "杭州"}"#, #"{"city": "北京"}"#]
                    }, metadata: adminMetadata)
                #expect(fromFile.changes.map(\.recordID) == ["#1"])

                let v2 = try await rules.saveRuleSet(
                    .with {
                        $0.name = "lead-routing"; $0.comment = "杭州优先"; $0.activate = true; $0.rules = draft
                    }, metadata: adminMetadata)
                #expect(v2.version == 2)
                #expect(
                    try await rules.evaluateRuleSet(
                        .with {
                            $0.name = "lead-routing"; $0.recordID = topTier.id
                        },
                        metadata: adminMetadata
                    ).matchedRuleID == "hangzhou")
                // Roll back.
                _ = try await rules.activateRuleSetVersion(
                    .with {
                        $0.name = "lead-routing"; $0.version = 1
                    }, metadata: adminMetadata)
                let history = try await rules.listRuleSetVersions(.with { $0.name = "lead-routing" }, metadata: adminMetadata).versions
                #expect(history.map(\.version) == [2, 1])
                #expect(history.map(\.active) == [false, true])
                #expect(history.map(\.comment) == ["杭州优先", "三甲医院归大客户组"])
                // Rolled back means the old rules decide again: evaluation and a new lead's routing.
                #expect(
                    try await rules.evaluateRuleSet(
                        .with {
                            $0.name = "lead-routing"; $0.recordID = topTier.id
                        },
                        metadata: adminMetadata
                    ).matchedRuleID == "key-accounts")
                let afterRollback = try await leads.createLead(
                    .with {
                        $0.contactName = "蒋武"; $0.phone = "13706620117"; $0.channel = .webForm; $0.city = "杭州"
                        $0.customFields = ["hospital_tier": .with { $0.choice = "三甲" }]
                    }, metadata: try await client.metadata(rep)
                ).lead
                #expect(afterRollback.routingRuleID == "key-accounts", "\(afterRollback.assignmentReason)")
                #expect(afterRollback.orgPath == "/key-accounts")

                let notAdmin = await #expect(throws: RPCError.self) {
                    try await rules.activateRuleSetVersion(
                        .with {
                            $0.name = "lead-routing"; $0.version = 2
                        }, metadata: try await client.metadata(rep))
                }
                #expect(notAdmin?.code == .permissionDenied)
                let missing = await #expect(throws: RPCError.self) {
                    try await rules.activateRuleSetVersion(
                        .with {
                            $0.name = "lead-routing"; $0.version = 9
                        }, metadata: adminMetadata)
                }
                #expect(missing?.code == .notFound)
                let badRecord = await #expect(throws: RPCError.self) {
                    try await rules.evaluateRuleSet(
                        .with {
                            $0.name = "lead-routing"; $0.recordJson = "[1,2"
                        }, metadata: adminMetadata)
                }
                #expect(badRecord?.message.hasPrefix("record_json:") == true)
            }
        }
    }
}
