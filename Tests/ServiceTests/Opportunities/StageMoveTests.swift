import Foundation
import GRPCCore
import GRPCInProcessTransport
import OpportunitiesService
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

/// Stage moves on the opportunities service in this process, against its schema: the gate
/// refusing each missing requirement, activities as evidence, concurrent moves of one deal, admin
/// overrides and their audit, pipelines saved as data and followed by version.
@Suite struct StageMoveTests {
    typealias Opportunities = Sales_Opportunities_V1_OpportunityService.Client<InProcessTransport.Client>
    typealias Pipelines = Sales_Opportunities_V1_PipelineService.Client<InProcessTransport.Client>

    struct People {
        let rep, admin, stranger: Caller

        init() {
            let tenant = TenantID("stage-\(UInt32.random(in: 0...UInt32.max))")!
            rep = Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/east/east-sh")
            admin = Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq")
            stranger = Caller(tenant: TenantID("stage-other-\(UInt32.random(in: 0...UInt32.max))")!, userID: "li.na", roles: [.admin], orgPath: "/")
        }
    }

    struct Clients: Sendable {
        let deals: Opportunities
        let pipelines: Pipelines
        let notifications: Sales_Notifications_V1_NotificationService.Client<InProcessTransport.Client>
        let tokens: TokenAuthority

        /// The connection, for the services' other clients.
        let grpc: GRPCClient<InProcessTransport.Client>

        init(_ grpc: GRPCClient<InProcessTransport.Client>, tokens: TokenAuthority) {
            self.grpc = grpc
            deals = Opportunities(wrapping: grpc)
            pipelines = Pipelines(wrapping: grpc)
            notifications = .init(wrapping: grpc)
            self.tokens = tokens
        }

        func metadata(_ caller: Caller, key: String? = nil) async throws -> Metadata {
            var metadata: Metadata = ["authorization": "Bearer \(try await tokens.sign(caller))"]
            if let key { metadata.addString(key, forKey: "idempotency-key") }
            return metadata
        }

        func newDeal(by caller: Caller, pipeline: String = "") async throws -> Sales_Opportunities_V1_Opportunity {
            var request = OpportunityServiceTests.valid
            request.pipeline = pipeline
            return try await deals.createOpportunity(request, metadata: try await metadata(caller))
        }

        func advance(
            _ deal: String, to stage: String, action: String = "", feedback: String = "", evidence: [String] = [], override: String = "",
            from: String = "", by caller: Caller, key: String? = nil
        ) async throws -> Sales_Opportunities_V1_AdvanceStageResponse {
            try await deals.advanceStage(
                .with {
                    $0.opportunityID = deal
                    $0.toStage = stage
                    $0.keyAction = action
                    $0.feedback = feedback
                    $0.evidenceIds = evidence
                    $0.overrideReason = override
                    $0.fromStage = from
                }, metadata: try await metadata(caller, key: key))
        }

        func visit(_ deal: String, by caller: Caller, signals: [String] = [], attachments: [Sales_Opportunities_V1_Attachment] = [])
            async throws -> Sales_Opportunities_V1_Activity
        {
            try await deals.recordActivity(
                .with { $0.activity = StageMoveTests.visit(deal, signals: signals, attachments: attachments) }, metadata: try await metadata(caller))
        }
    }

    static func visit(_ deal: String, signals: [String] = [], attachments: [Sales_Opportunities_V1_Attachment] = [])
        -> Sales_Opportunities_V1_Activity
    {
        .with {
            $0.opportunityID = deal
            $0.kind = .visit
            $0.occurredAt = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: -3_600))
            $0.summary = "拜访设备科，介绍腔镜系统"
            $0.place = "瑞金医院设备科"
            $0.latitude = 31.2116
            $0.longitude = 121.4689
            $0.decisionMakerMet = "王主任"
            $0.objection = "预算要到明年"
            $0.nextCommitment = "下周二演示"
            $0.signals = signals
            $0.attachments = attachments
        }
    }

    func hosted<Result: Sendable>(_ body: @Sendable (Clients) async throws -> Result) async throws -> Result {
        try await ServiceHarness.with(.opportunities, migrations: OpportunitiesServer.migrations, build: { try OpportunitiesServer.components($0) }) {
            client, tokens in
            try await body(Clients(client, tokens: tokens))
        }
    }

    @Test func theGateRefusesEachMissingRequirementAndAMoveWithEvidenceIsHistory() async throws {
        let people = People()
        try await hosted { clients in
            let deal = try await clients.newDeal(by: people.rep)
            #expect(deal.pipeline == "new-business" && deal.pipelineVersion == 0 && deal.stageKey == "初步接触" && deal.stage == .qualification)
            #expect(deal.defaultProbability == 10 && deal.dealType == .new)

            let bare = await refusal { try await clients.advance(deal.id, to: "需求确认", by: people.rep) }
            #expect(bare?.code == .failedPrecondition)
            #expect(
                bare?.message.contains("entering 需求确认 needs: key_action") == true && bare?.message.contains("feedback:") == true,
                "\(bare?.message ?? "")")

            let first = try await clients.advance(deal.id, to: "需求确认", action: "电话沟通", feedback: "有兴趣，要资料", by: people.rep)
            #expect(first.opportunity.stageKey == "需求确认" && first.opportunity.stage == .needsAnalysis && first.opportunity.defaultProbability == 25)
            #expect(first.change.fromStage == "初步接触" && first.change.changedBy == "li.na")

            // 方案报价 needs a visit on record.
            let noVisit = await refusal { try await clients.advance(deal.id, to: "方案报价", action: "发送方案", feedback: "想看报价", by: people.rep) }
            #expect(noVisit?.code == .failedPrecondition)
            #expect(noVisit?.message.hasSuffix("requirement visited: 至少一次拜访记录") == true, "\(noVisit?.message ?? "")")
            let copied = await refusal { try await clients.advance(deal.id, to: "方案报价", action: "发送方案", feedback: "有兴趣，要资料", by: people.rep) }
            #expect(copied?.message.contains("the same as the deal's previous feedback") == true, "\(copied?.message ?? "")")

            let visit = try await clients.visit(deal.id, by: people.rep)
            let second = try await clients.advance(
                deal.id, to: "方案报价", action: "发送方案", feedback: "想看报价", evidence: [visit.id], by: people.rep)
            #expect(second.change.evidenceIds == [visit.id])

            let history = try await clients.deals.listStageHistory(
                .with { $0.opportunityID = deal.id }, metadata: try await clients.metadata(people.rep))
            #expect(history.changes.map(\.toStage) == ["需求确认", "方案报价"])
            #expect(history.changes.map(\.fromStage) == ["初步接触", "需求确认"], "each move starts where the one before ended")
            let activities = try await clients.deals.listActivities(
                .with { $0.opportunityID = deal.id }, metadata: try await clients.metadata(people.rep))
            #expect(activities.activities.map(\.id) == [visit.id] && activities.activities[0].recordedBy == "li.na")
        }
    }

    @Test func twoSimultaneousMovesOfOneDealLeaveOneLineOfHistory() async throws {
        let people = People()
        try await hosted { clients in
            for round in 0..<3 {
                let deal = try await clients.newDeal(by: people.rep)
                let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for attempt in 0..<2 {
                        group.addTask {
                            do {
                                _ = try await clients.advance(
                                    deal.id, to: "需求确认", action: "电话沟通", feedback: "第\(round)轮第\(attempt)次", from: "初步接触", by: people.rep)
                                return true
                            } catch let error as RPCError where error.code == .failedPrecondition {
                                return false
                            }
                        }
                    }
                    return try await group.reduce(into: [Bool]()) { $0.append($1) }
                }
                #expect(outcomes.filter { $0 }.count == 1, "exactly one move wins")
                let history = try await clients.deals.listStageHistory(
                    .with { $0.opportunityID = deal.id }, metadata: try await clients.metadata(people.rep))
                #expect(history.changes.count == 1 && history.changes[0].fromStage == "初步接触")
            }
        }
    }

    @Test func aRepeatedKeyReplaysTheMoveOnce() async throws {
        let people = People()
        try await hosted { clients in
            let deal = try await clients.newDeal(by: people.rep)
            let first = try await clients.advance(deal.id, to: "需求确认", action: "电话沟通", feedback: "要资料", by: people.rep, key: "move-1")
            let again = try await clients.advance(deal.id, to: "需求确认", action: "电话沟通", feedback: "要资料", by: people.rep, key: "move-1")
            #expect(again.change.id == first.change.id)
            let history = try await clients.deals.listStageHistory(
                .with { $0.opportunityID = deal.id }, metadata: try await clients.metadata(people.rep))
            #expect(history.changes.count == 1)
        }
    }

    @Test func anOverrideIsAnAdminsWithAReasonAndIsAudited() async throws {
        let people = People()
        try await hosted { clients in
            let deal = try await clients.newDeal(by: people.rep)
            let byRep = await refusal { try await clients.advance(deal.id, to: "赢单", override: "客户直接签约", by: people.rep) }
            #expect(byRep?.code == .permissionDenied && byRep?.message == "overriding a stage gate needs the admin role")
            let noReason = await refusal { try await clients.advance(deal.id, to: "赢单", override: "签", by: people.admin) }
            #expect(noReason?.code == .invalidArgument && noReason?.message.hasPrefix("override_reason:") == true)
            let skippedToWon = await refusal { try await clients.advance(deal.id, to: "赢单", action: "签署合同", feedback: "签了", by: people.admin) }
            #expect(skippedToWon?.message.contains("does not skip stages") == true, "without an override, even an admin follows the path")

            let won = try await clients.advance(deal.id, to: "赢单", override: "客户总部直接下单，线下已走完流程", by: people.admin)
            #expect(won.opportunity.stage == .won && won.opportunity.overrideReason == "客户总部直接下单，线下已走完流程")
            let audit = try await clients.deals.listStageOverrides(.init(), metadata: try await clients.metadata(people.admin))
            #expect(audit.changes.map(\.opportunityID) == [deal.id] && audit.changes[0].changedBy == "admin")
            let repAudit = await refusal {
                try await clients.deals.listStageOverrides(.init(), metadata: try await clients.metadata(people.rep))
            }
            #expect(repAudit?.code == .permissionDenied)
            // A won deal reopens only by override.
            let reopen = await refusal { try await clients.advance(deal.id, to: "商务谈判", action: "处理异议", feedback: "重新谈", by: people.rep) }
            #expect(reopen?.message.contains("only an admin's override reopens it") == true)
        }
    }

    /// 手术跟台 needs a signed 术式确认单 attached to an activity; the tenant's pipeline is data.
    static let medical = Sales_Opportunities_V1_Pipeline.with {
        $0.name = "medical"
        $0.isDefault = true
        $0.stages = [
            .with {
                $0.key = "入院拜访"; $0.outcome = .open; $0.defaultProbability = 10
            },
            .with {
                $0.key = "科室推广"; $0.outcome = .open; $0.defaultProbability = 30
            },
            .with {
                $0.key = "手术跟台"; $0.outcome = .open; $0.defaultProbability = 60
                $0.gate = .with {
                    $0.requirements = [
                        .with {
                            $0.id = "signed-form"
                            $0.description_p = "需要已签署的术式确认单附件"
                            $0.conditionJson =
                                #"{"some": [{"var": "activities"}, {"some": [{"var": "attachments"}, {"==": [{"var": "kind"}, "signed_form"]}]}]}"#
                        }
                    ]
                }
            },
            .with {
                $0.key = "签约"; $0.outcome = .won; $0.defaultProbability = 100
            },
            .with {
                $0.key = "丢单"; $0.outcome = .lost
            },
        ]
    }

    @Test func aTenantsPipelineIsDataAndADealKeepsItsVersionUntilMoved() async throws {
        let people = People()
        try await hosted { clients in
            let notAdmin = await refusal {
                try await clients.pipelines.savePipeline(.with { $0.pipeline = Self.medical }, metadata: try await clients.metadata(people.rep))
            }
            #expect(notAdmin?.code == .permissionDenied)
            let keyed = try await clients.metadata(people.admin, key: "medical-v1")
            let saved = try await clients.pipelines.savePipeline(.with { $0.pipeline = Self.medical }, metadata: keyed)
            let resent = try await clients.pipelines.savePipeline(.with { $0.pipeline = Self.medical }, metadata: keyed)
            #expect(resent.version == 1, "a resent save with its key is the same version, not a second")
            #expect(saved.version == 1 && saved.savedBy == "admin")

            let deal = try await clients.newDeal(by: people.rep)
            #expect(deal.pipeline == "medical" && deal.pipelineVersion == 1 && deal.stageKey == "入院拜访")

            var next = Self.medical
            next.stages[1].defaultProbability = 35
            #expect(
                try await clients.pipelines.savePipeline(.with { $0.pipeline = next }, metadata: try await clients.metadata(people.admin)).version
                    == 2)
            let kept = try await clients.deals.getOpportunity(.with { $0.id = deal.id }, metadata: try await clients.metadata(people.rep))
            #expect(kept.pipelineVersion == 1, "a deal keeps its version until it moves")
            let moved = try await clients.advance(deal.id, to: "科室推广", by: people.rep)
            #expect(moved.opportunity.pipelineVersion == 2 && moved.opportunity.defaultProbability == 35)

            let unsigned = await refusal { try await clients.advance(deal.id, to: "手术跟台", by: people.rep) }
            #expect(unsigned?.message == "entering 手术跟台 needs: requirement signed-form: 需要已签署的术式确认单附件")
            _ = try await clients.visit(
                deal.id, by: people.rep,
                attachments: [
                    .with {
                        $0.name = "术式确认单.pdf"; $0.kind = "signed_form"; $0.uri = "files/1"
                    }
                ])
            #expect(try await clients.advance(deal.id, to: "手术跟台", by: people.rep).opportunity.stageKey == "手术跟台")

            let listed = try await clients.pipelines.listPipelines(.init(), metadata: try await clients.metadata(people.rep))
            #expect(listed.pipelines.map { "\($0.name) v\($0.version)" } == ["medical v2"])
            let first = try await clients.pipelines.getPipeline(
                .with {
                    $0.name = "medical"; $0.version = 1
                }, metadata: try await clients.metadata(people.rep))
            #expect(first.stages[1].defaultProbability == 30)
        }
    }

    @Test func badMovesAndActivitiesAreRefusedNamingTheField() async throws {
        let people = People()
        try await hosted { clients in
            let deal = try await clients.newDeal(by: people.rep)
            let other = try await clients.newDeal(by: people.rep)
            let otherVisit = try await clients.visit(other.id, by: people.rep)
            let cases: [(String, @Sendable () async throws -> Sales_Opportunities_V1_AdvanceStageResponse)] = [
                ("opportunity_id", { try await clients.advance("nope", to: "需求确认", by: people.rep) }),
                ("to_stage", { try await clients.advance(deal.id, to: "", by: people.rep) }),
                ("to_stage", { try await clients.advance(deal.id, to: "不存在", by: people.rep) }),
                ("feedback", { try await clients.advance(deal.id, to: "需求确认", feedback: String(repeating: "好", count: 51), by: people.rep) }),
                ("evidence_ids[0]", { try await clients.advance(deal.id, to: "需求确认", evidence: ["x"], by: people.rep) }),
                (
                    "evidence_ids[0]",
                    { try await clients.advance(deal.id, to: "需求确认", action: "电话沟通", feedback: "好", evidence: [otherVisit.id], by: people.rep) }
                ),
            ]
            for (field, call) in cases {
                let error = await refusal(call)
                #expect(error?.code == .invalidArgument && error?.message.hasPrefix(field + ":") == true, "\(field): \(error?.message ?? "accepted")")
            }
            let elsewhere = await refusal { try await clients.advance(deal.id, to: "需求确认", action: "电话沟通", feedback: "好", by: people.stranger) }
            #expect(elsewhere?.code == .notFound, "another tenant's deal")

            func activity(_ change: @Sendable (inout Sales_Opportunities_V1_Activity) -> Void) -> Sales_Opportunities_V1_RecordActivityRequest {
                var visit = Self.visit(deal.id)
                change(&visit)
                return .with { $0.activity = visit }
            }
            let badActivities: [(String, Sales_Opportunities_V1_RecordActivityRequest)] = [
                ("activity.kind", activity { $0.kind = .unspecified }),
                ("activity.summary", activity { $0.summary = "已联系" }),
                ("activity.place", activity { $0.place = "" }),
                (
                    "activity.latitude",
                    activity {
                        $0.latitude = 0; $0.longitude = 0
                    }
                ),
                ("activity.decision_maker_met", activity { $0.decisionMakerMet = " " }),
                ("activity.next_commitment", activity { $0.nextCommitment = "" }),
                ("activity.occurred_at", activity { $0.occurredAt = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: 86_400)) }),
                ("activity.signals[0]", activity { $0.signals = ["decision_maker_mett"] }),
                ("activity.attendees[0]", activity { $0.attendees = ["王工"] }),
                ("activity.attachments[0].kind", activity { $0.attachments = [.with { $0.name = "a.jpg" }] }),
            ]
            for (field, request) in badActivities {
                let error = await refusal { try await clients.deals.recordActivity(request, metadata: try await clients.metadata(people.rep)) }
                #expect(error?.code == .invalidArgument && error?.message.hasPrefix(field + ":") == true, "\(field): \(error?.message ?? "accepted")")
            }
            var badPipeline = Self.medical
            badPipeline.stages[2].gate.requirements[0].conditionJson = "{"
            let pipelineError = await refusal {
                try await clients.pipelines.savePipeline(.with { $0.pipeline = badPipeline }, metadata: try await clients.metadata(people.admin))
            }
            #expect(
                pipelineError?.message.hasPrefix("pipeline.stages[2].gate.requirements[0].condition_json:") == true, "\(pipelineError?.message ?? "")"
            )
        }
    }
}
