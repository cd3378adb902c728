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
    /// New leads routed by the active "lead-routing" rule set, tenant fields included, with the
    /// reason recorded; never random, never stuck, never silently on a manager's own account.
    @Suite struct RoutingTests {
        @Test func theActiveRoutingRulesAssignNewLeadsAndSayWhy() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("route-\(UInt16.random(in: 0...UInt16.max))")!
            let admin = Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq")
            let bridge = Caller(tenant: tenant, userID: "web-bridge", roles: [.admin], orgPath: "/hq")
            let manager = Caller(tenant: tenant, userID: "zhao.lei", roles: [.manager], orgPath: "/east")
            let rep = Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/east/east-sh")
            func phone() -> String { "136" + String(format: "%08d", Int.random(in: 0..<100_000_000)) }
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let rules = Sales_Common_V1_RuleSetService.Client(wrapping: grpc)

                // Before any rule: a rep keeps what they enter; an integration's or a manager's lead goes to a pool.
                let own = try await leads.createLead(
                    .with {
                        $0.contactName = "a"; $0.phone = phone(); $0.channel = .api
                    },
                    metadata: try await client.metadata(rep)
                ).lead
                #expect(own.ownerID == "li.na" && own.assignmentReason.contains("kept by the rep"))
                let managers = try await leads.createLead(
                    .with {
                        $0.contactName = "b"; $0.phone = phone(); $0.channel = .api
                    },
                    metadata: try await client.metadata(manager)
                ).lead
                #expect(managers.ownerID.isEmpty && managers.orgPath == "/east", "never onto the manager's own account")

                _ = try await leads.defineLeadField(
                    .with {
                        $0.definition = .with {
                            $0.key = "hospital_tier"; $0.label = "医院等级"; $0.type = .choice; $0.choices = ["三甲", "二甲"]
                        }
                    }, metadata: try await client.metadata(admin))
                _ = try await rules.saveRuleSet(
                    .with {
                        $0.name = "lead-routing"; $0.comment = "按等级与城市分配"; $0.activate = true
                        $0.rules = [
                            .with {
                                $0.id = "key-accounts"; $0.conditionJson = #"{"==": [{"var": "hospital_tier"}, "三甲"]}"#
                                $0.outcomeJson = #"{"owner": "qian.hong", "org_path": "/east/key-accounts"}"#
                            },
                            .with {
                                $0.id = "hangzhou"; $0.conditionJson = #"{"in": [{"var": "city"}, ["杭州", "宁波"]]}"#
                                $0.outcomeJson = #"{"owner": "liu.yang", "org_path": "/east/east-hz"}"#
                            },
                            .with {
                                $0.id = "shenzhen"; $0.conditionJson = #"{"==": [{"var": "city"}, "深圳"]}"#
                                $0.outcomeJson = #"{"org_path": "/south/south-sz"}"#
                            },
                        ]
                    }, metadata: try await client.metadata(admin))

                let bridgeMetadata = try await client.metadata(bridge)
                let topTier = try await leads.createLead(
                    .with {
                        $0.contactName = "蒋文"; $0.phone = phone(); $0.channel = .webForm; $0.city = "杭州"
                        $0.customFields = ["hospital_tier": .with { $0.choice = "三甲" }]
                    }, metadata: bridgeMetadata
                ).lead
                #expect(topTier.ownerID == "qian.hong")
                #expect(topTier.routingRuleID == "key-accounts")
                #expect(topTier.assignmentReason == "lead-routing v1 rule key-accounts: qian.hong")

                let hangzhou = try await leads.createLead(
                    .with {
                        $0.contactName = "c"; $0.phone = phone(); $0.channel = .webForm; $0.city = "宁波"
                    },
                    metadata: bridgeMetadata
                ).lead
                #expect(hangzhou.ownerID == "liu.yang" && hangzhou.orgPath == "/east/east-hz")
                let shenzhen = try await leads.createLead(
                    .with {
                        $0.contactName = "d"; $0.phone = phone(); $0.channel = .douyin; $0.city = "深圳"
                    },
                    metadata: bridgeMetadata
                ).lead
                #expect(shenzhen.ownerID.isEmpty && shenzhen.orgPath == "/south/south-sz")
                #expect(shenzhen.assignmentReason.contains("public pool of /south/south-sz"))
                let elsewhere = try await leads.createLead(
                    .with {
                        $0.contactName = "e"; $0.phone = phone(); $0.channel = .api; $0.city = "拉萨"
                    },
                    metadata: bridgeMetadata
                ).lead
                #expect(elsewhere.ownerID.isEmpty && elsewhere.routingRuleID.isEmpty)
                #expect(elsewhere.assignmentReason.contains("no routing rule matched"))

                // Rule health over these leads: matches per rule, how often each read field was empty.
                let health = try await leads.inspectRules(.init(), metadata: try await client.metadata(admin))
                #expect(health.sampled == 6)
                let byID = Dictionary(uniqueKeysWithValues: health.rules.map { ($0.ruleID, $0) })
                #expect(byID["key-accounts"]?.matched == 1)
                #expect(byID["key-accounts"]?.fields.map(\.field) == ["hospital_tier"])
                #expect(abs((byID["key-accounts"]?.fields.first?.emptyRate ?? 0) - 5.0 / 6.0) < 0.001)
                #expect(byID["shenzhen"]?.matched == 1)
                #expect(health.neverMatched.isEmpty)
                #expect(health.unassigned == 3, "the manager's, 深圳's and 拉萨's leads wait in pools")
                let repHealth = await #expect(throws: RPCError.self) {
                    try await leads.inspectRules(.init(), metadata: try await client.metadata(rep))
                }
                #expect(repHealth?.code == .permissionDenied)
            }
        }
    }
}
