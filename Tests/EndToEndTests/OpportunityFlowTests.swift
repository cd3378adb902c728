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
    /// The opportunities service over loopback gRPC with the rest of the stack: a tenant's medical
    /// pipeline whose gates refuse each missing requirement on every path (a lead's conversion
    /// through the leads service, the API, an admin without a reason, an import), a champion who
    /// leaves two open deals, and a contribution confirmed after its 72 hours.
    @Suite struct OpportunityFlowTests {
        static let tenant = TenantID("e2e-deals-\(UInt16.random(in: 0...UInt16.max))")!
        static let admin = Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq")
        static let rep = Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/east/east-sh")

        /// 入院拜访 → 科室推广 → 招投标支持 → 手术跟台 → 签约 / 丢单: a deal starts sized, and 手术跟台
        /// needs a signed 术式确认单 among its activities' attachments.
        static let medical = Sales_Opportunities_V1_Pipeline.with {
            $0.name = "medical"
            $0.isDefault = true
            func stage(
                _ key: String, _ outcome: Sales_Opportunities_V1_StageOutcome = .open, actions: [String] = [],
                requirements: [(String, String, String)] = []
            )
                -> Sales_Opportunities_V1_PipelineStage
            {
                .with {
                    $0.key = key
                    $0.outcome = outcome
                    $0.defaultProbability = outcome == .won ? 100 : 20
                    $0.gate = .with {
                        $0.keyActions = actions
                        $0.feedbackRequired = !actions.isEmpty
                        $0.requirements = requirements.map { id, description, condition in
                            .with {
                                $0.id = id
                                $0.description_p = description
                                $0.conditionJson = condition
                            }
                        }
                    }
                }
            }
            $0.stages = [
                stage("入院拜访", requirements: [("sized", "商机金额至少 5 万元", #"{">=": [{"var": "deal.amount"}, 50000]}"#)]),
                stage("科室推广", actions: ["科室会", "安排演示"]),
                stage("招投标支持", actions: ["投标"]),
                stage(
                    "手术跟台", actions: ["跟台"],
                    requirements: [
                        (
                            "surgery-form", "需要已签署的术式确认单附件",
                            #"{"some": [{"var": "activities"}, {"some": [{"var": "attachments"}, {"==": [{"var": "kind"}, "术式确认单"]}]}]}"#
                        )
                    ]),
                stage("签约", .won, actions: ["签署合同"]),
                stage("丢单", .lost),
            ]
        }

        @Test func theGateRefusesEachMissingRequirementOnEveryPath() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            try await client.with(.opportunities) { grpc in
                _ = try await Sales_Opportunities_V1_PipelineService.Client(wrapping: grpc).savePipeline(
                    .with { $0.pipeline = Self.medical }, metadata: try await client.metadata(Self.admin))
            }
            // Conversion: the leads service creates the deal, and the first stage's requirement holds there too.
            let dealID = try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let metadata = try await client.metadata(Self.rep)
                let lead = try await leads.createLead(
                    .with {
                        $0.contactName = "王主任"; $0.companyName = "瑞金医院"; $0.phone = "13816629001"; $0.channel = .tradeShow
                        $0.city = "上海"; $0.inquiry = "腔镜系统"
                    }, metadata: metadata
                ).lead
                func convert(_ yuan: Int64) async throws -> String {
                    try await leads.convertLead(
                        .with {
                            $0.leadID = lead.id
                            $0.opportunityName = "瑞金医院 · 腔镜系统"
                            $0.expectedAmount = .init(minorUnits: yuan * 100, currency: "CNY")
                            $0.expectedClose = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: 60 * 86_400))
                        }, metadata: metadata
                    ).opportunityID
                }
                let small = await refusal { try await convert(10_000) }
                #expect(small?.code == .failedPrecondition)
                #expect(small?.message.contains("starting in 入院拜访 needs: requirement sized: 商机金额至少 5 万元") == true, "\(small?.message ?? "")")
                return try await convert(1_280_000)
            }

            try await client.with(.opportunities) { grpc in
                let deals = Sales_Opportunities_V1_OpportunityService.Client(wrapping: grpc)
                let rep = try await client.metadata(Self.rep)
                let admin = try await client.metadata(Self.admin)
                func advance(_ stage: String, _ action: String = "", _ feedback: String = "", by metadata: Metadata, reason: String = "")
                    async throws -> Sales_Opportunities_V1_AdvanceStageResponse
                {
                    try await deals.advanceStage(
                        .with {
                            $0.opportunityID = dealID
                            $0.toStage = stage
                            $0.keyAction = action
                            $0.feedback = feedback
                            $0.overrideReason = reason
                        }, metadata: metadata)
                }
                // The API: each missing requirement named.
                let bare = await refusal { try await advance("科室推广", by: rep) }
                #expect(bare?.code == .failedPrecondition)
                #expect(bare?.message.contains("key_action: name the key action taken, one of 科室会, 安排演示") == true, "\(bare?.message ?? "")")
                #expect(bare?.message.contains("feedback: what the customer said") == true)
                _ = try await advance("科室推广", "科室会", "科室愿意试用", by: rep)
                _ = try await advance("招投标支持", "投标", "已挂网", by: rep)
                let noForm = await refusal { try await advance("手术跟台", "跟台", "第一台手术顺利", by: rep) }
                #expect(noForm?.message.contains("requirement surgery-form: 需要已签署的术式确认单附件") == true, "\(noForm?.message ?? "")")
                // An admin without a reason meets the same gate.
                let adminBare = await refusal { try await advance("手术跟台", "跟台", "第一台手术顺利", by: admin) }
                #expect(adminBare?.code == .failedPrecondition && adminBare?.message.contains("surgery-form") == true)
                // The signed form, uploaded as evidence and named by the activity.
                let form = try await deals.uploadAttachment(
                    .with {
                        $0.opportunityID = dealID
                        $0.name = "术式确认单.pdf"
                        $0.kind = "术式确认单"
                        $0.contentType = "application/pdf"
                        $0.content = Data("%PDF-1.4 术式确认单 王主任签字".utf8)
                    }, metadata: rep)
                #expect(form.uri.hasPrefix("attachment:") && form.stored && form.sha256.count == 64)
                let meeting = try await deals.recordActivity(
                    .with {
                        $0.activity = .with {
                            $0.opportunityID = dealID
                            $0.kind = .meeting
                            $0.occurredAt = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: -600))
                            $0.summary = "术式确认，主任签字"
                            $0.attachments = [.with { $0.uri = form.uri }]
                        }
                    }, metadata: rep)
                #expect(meeting.attachments.first?.kind == "术式确认单" && meeting.attachments.first?.sha256 == form.sha256)
                let fetched = try await deals.getAttachment(
                    .with {
                        $0.opportunityID = dealID
                        $0.uri = form.uri
                    }, metadata: rep)
                #expect(fetched.content == Data("%PDF-1.4 术式确认单 王主任签字".utf8))
                let moved = try await advance("手术跟台", "跟台", "第一台手术顺利", by: rep)
                #expect(moved.opportunity.stageKey == "手术跟台" && moved.change.overrideReason.isEmpty)

                // An import: the same gate, on the history it brings.
                let imported = await refusal {
                    try await deals.importOpportunity(
                        .with {
                            $0.externalID = "OLD-1"
                            $0.opportunity = .with {
                                $0.name = "仁济医院 · 腔镜"; $0.customerName = "仁济医院"; $0.ownerID = "li.na"; $0.ownerOrgPath = "/east/east-sh"
                                $0.amount = .with {
                                    $0.minorUnits = 90_000_000; $0.currency = "CNY"
                                }
                                $0.expectedClose = Google_Protobuf_Timestamp(seconds: 1_790_000_000)
                            }
                            $0.createdAt = Google_Protobuf_Timestamp(seconds: 1_700_000_000)
                            $0.history = [("科室推广", "科室会", "好"), ("招投标支持", "投标", "挂网"), ("手术跟台", "跟台", "顺利")].enumerated().map {
                                index, step in
                                .with {
                                    $0.toStage = step.0
                                    $0.keyAction = step.1
                                    $0.feedback = step.2
                                    $0.changedAt = Google_Protobuf_Timestamp(seconds: 1_700_000_000 + Int64(index + 1) * 86_400)
                                }
                            }
                        }, metadata: admin)
                }
                #expect(imported?.code == .failedPrecondition)
                #expect(imported?.message.contains("history[2]: entering 手术跟台 needs: requirement surgery-form") == true, "\(imported?.message ?? "")")
            }
        }

        /// Eight callers move one deal out of 初步接触 at once over loopback: one wins, the rest are
        /// refused, and the history is one line; then the bulk path meets the same gate.
        @Test func simultaneousMovesOfOneDealLeaveOneLineOfHistoryAndTheBulkPathMeetsTheGate() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            try await client.with(.opportunities) { grpc in
                let deals = Sales_Opportunities_V1_OpportunityService.Client(wrapping: grpc)
                let rep = try await client.metadata(People.rep)
                func newDeal(_ name: String) async throws -> String {
                    try await deals.createOpportunity(
                        .with {
                            $0.name = name; $0.customerName = "仁济医院"; $0.pipeline = "new-business"
                            $0.amount = .with {
                                $0.minorUnits = 30_000_000; $0.currency = "CNY"
                            }
                            $0.expectedClose = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: 30 * 86_400))
                        }, metadata: rep
                    ).id
                }
                let deal = try await newDeal("内镜中心")
                let outcomes = await withTaskGroup(of: RPCError?.self) { group in
                    for caller in 0..<8 {
                        group.addTask {
                            await refusal {
                                try await deals.advanceStage(
                                    .with {
                                        $0.opportunityID = deal; $0.toStage = "需求确认"; $0.fromStage = "初步接触"
                                        $0.keyAction = "电话沟通"; $0.feedback = "第\(caller)次沟通有兴趣"
                                    }, metadata: rep)
                            }
                        }
                    }
                    return await group.reduce(into: []) { $0.append($1) }
                }
                #expect(outcomes.filter { $0 == nil }.count == 1, "one move wins: \(outcomes.compactMap { $0?.message })")
                #expect(outcomes.compactMap { $0 }.allSatisfy { $0.code == .failedPrecondition })
                let history = try await deals.listStageHistory(.with { $0.opportunityID = deal }, metadata: rep).changes
                #expect(history.map { "\($0.fromStage)→\($0.toStage)" } == ["初步接触→需求确认"])

                let other = try await newDeal("内镜二期")
                let bulk = try await deals.advanceStages(
                    .with {
                        $0.moves = [
                            .with {
                                $0.opportunityID = other; $0.toStage = "需求确认"; $0.keyAction = "电话沟通"
                            },
                            .with {
                                $0.opportunityID = deal; $0.toStage = "方案报价"; $0.keyAction = "发送方案"; $0.feedback = "要报价"
                            },
                        ]
                    }, metadata: rep)
                #expect(bulk.moved == 0 && bulk.refused == 2)
                #expect(bulk.outcomes[0].refused.code == "FAILED_PRECONDITION" && bulk.outcomes[0].refused.message.contains("feedback:"))
                #expect(bulk.outcomes[1].refused.message.contains("至少一次拜访记录"), "\(bulk.outcomes[1].refused.message)")
            }
        }

        @Test func aChampionWhoLeavesPutsARiskOnBothOpenDeals() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            try await client.with(.opportunities) { grpc in
                let deals = Sales_Opportunities_V1_OpportunityService.Client(wrapping: grpc)
                let rep = try await client.metadata(People.rep)
                let customer = UUID().uuidString
                var ids: [String] = []
                var champion = ""
                for name in ["腔镜一期", "腔镜二期"] {
                    let deal = try await deals.createOpportunity(
                        .with {
                            $0.name = name; $0.customerName = "华山医院"; $0.customerID = customer
                            $0.amount = .with {
                                $0.minorUnits = 50_000_000; $0.currency = "CNY"
                            }
                            $0.expectedClose = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: 30 * 86_400))
                        }, metadata: rep)
                    let added = try await deals.addDealContact(
                        .with {
                            $0.opportunityID = deal.id
                            if champion.isEmpty {
                                $0.contact = .with {
                                    $0.name = "刘主任"; $0.title = "科主任"
                                }
                            } else {
                                $0.contactID = champion
                            }
                            $0.role = .champion
                        }, metadata: rep)
                    champion = added.contact.id
                    ids.append(deal.id)
                }
                let left = try await deals.markContactLeft(.with { $0.contactID = champion }, metadata: rep)
                #expect(Set(left.opportunityIds) == Set(ids))
                for id in ids {
                    let deal = try await deals.getOpportunity(.with { $0.id = id }, metadata: rep)
                    #expect(deal.risks.contains { $0.hasPrefix("champion_left") }, "\(deal.risks)")
                }
            }
        }

        @Test func aConfirmationAfterThe72HoursIsTakenLateAndReleasesTheHold() async throws {
            let (stack, database, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            try await client.with(.opportunities) { grpc in
                let deals = Sales_Opportunities_V1_OpportunityService.Client(wrapping: grpc)
                let contributions = Sales_Opportunities_V1_ContributionService.Client(wrapping: grpc)
                let rep = try await client.metadata(People.rep)
                let admin = try await client.metadata(People.admin)
                let deal = try await deals.createOpportunity(
                    .with {
                        $0.name = "监护仪"; $0.customerName = "中山医院"
                        $0.amount = .with {
                            $0.minorUnits = 30_000_000; $0.currency = "CNY"
                        }
                        $0.expectedClose = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: 30 * 86_400))
                    }, metadata: rep)
                _ = try await deals.advanceStage(
                    .with {
                        $0.opportunityID = deal.id
                        $0.toStage = "赢单"
                        $0.overrideReason = "客户当面签约，补录"
                    }, metadata: admin)
                try await TestEnvironment.withAdminConnection(to: database.url(for: .opportunities)) { connection in
                    try await connection.query(
                        "UPDATE opportunities.contribution_snapshots SET confirm_by = now() - interval '1 hour' WHERE opportunity_id = \(UUID(uuidString: deal.id)!)",
                        logger: .init(label: "test"))
                }
                #expect(try await contributions.sweepContributions(.init(), metadata: admin).held >= 1)
                let held = try await contributions.getContributionMatrix(.with { $0.opportunityID = deal.id }, metadata: rep)
                #expect(held.held && held.holdReason.hasPrefix("unconfirmed after 72 hours"))
                let late = try await contributions.confirmContribution(
                    .with {
                        $0.opportunityID = deal.id
                        $0.statement = "电话跟进到签约"
                    }, metadata: rep)
                #expect(!late.held && late.shares.allSatisfy { $0.confirmation.late })
            }
        }

        @Test func aDealThatStoppedIsFlaggedAndAnObjectionBringsThePlaybook() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("e2e-stale-\(UInt16.random(in: 0...UInt16.max))")!
            let admin = Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq")
            let rep = Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/east/east-sh")
            let sibling = Caller(tenant: tenant, userID: "wang.qiang", roles: [.manager], orgPath: "/east/east-s")
            try await client.with(.opportunities) { grpc in
                let deals = Sales_Opportunities_V1_OpportunityService.Client(wrapping: grpc)
                let asAdmin = try await client.metadata(admin)
                let asRep = try await client.metadata(rep)
                // A deal from the old CRM, in 需求确认 for three weeks.
                let old = try await deals.importOpportunity(
                    .with {
                        $0.externalID = "OLD-STALE"
                        $0.opportunity = .with {
                            $0.name = "华山医院 · 监护仪"; $0.customerName = "华山医院"; $0.customerType = "三甲医院"
                            $0.ownerID = "li.na"; $0.ownerOrgPath = "/east/east-sh"
                            $0.amount = .with {
                                $0.minorUnits = 46_000_000; $0.currency = "CNY"
                            }
                            $0.expectedClose = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: 30 * 86_400))
                        }
                        $0.createdAt = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: -30 * 86_400))
                        $0.history = [
                            .with {
                                $0.toStage = "需求确认"; $0.keyAction = "电话沟通"; $0.feedback = "要配置清单"
                                $0.changedAt = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: -21 * 86_400))
                            }
                        ]
                    }, metadata: asAdmin
                ).opportunity
                #expect(try await deals.sweepStaleDeals(.init(), metadata: asAdmin).flagged == 1)
                let flagged = try await deals.listOpportunities(.with { $0.staleOnly = true }, metadata: asRep).opportunities
                #expect(flagged.map(\.id) == [old.id] && flagged[0].staleReason.contains("需求确认"))
                // A manager of /east/east-s (a string prefix of /east/east-sh) sees none of it.
                let prefix = try await deals.listOpportunities(.init(), metadata: try await client.metadata(sibling)).opportunities
                #expect(prefix.isEmpty)

                _ = try await Sales_Opportunities_V1_PlaybookService.Client(wrapping: grpc).savePlaybookAtom(
                    .with {
                        $0.atom = .with {
                            $0.objection = "价格太高"; $0.customerType = "三甲医院"
                            $0.strategies = [.with { $0.text = "算五年总成本" }]
                        }
                    }, metadata: asAdmin)
                let call = try await deals.recordActivity(
                    .with {
                        $0.activity = .with {
                            $0.opportunityID = old.id
                            $0.kind = .call
                            $0.occurredAt = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: -60))
                            $0.summary = "电话：客户嫌贵"
                            $0.objection = "你们价格太高了"
                            $0.signals = ["price_objection"]
                        }
                    }, metadata: asRep)
                #expect(call.playbook.map(\.atom.objection) == ["价格太高"])
                #expect(call.playbook.first?.figures.summary.hasPrefix("本区域 7 天内使用 0 次") == true)
                let cleared = try await deals.getOpportunity(.with { $0.id = old.id }, metadata: asRep)
                #expect(!cleared.hasStaleSince, "an activity clears the flag")
            }
        }
    }
}
