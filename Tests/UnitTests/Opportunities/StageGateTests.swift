import Foundation
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import Testing

@testable import OpportunitiesService

/// The gate of a stage and the path through a pipeline, on plain values: each missing
/// requirement named, skipping only where the pipeline allows it, a closed deal reopened only by
/// an override.
@Suite struct StageGateTests {
    static let pipeline = BuiltInPipeline.definition

    static func move(to stage: String, action: String = "", feedback: String = "") throws -> StageMove {
        try StageMove(
            .with {
                $0.opportunityID = UUID().uuidString
                $0.toStage = stage
                $0.keyAction = action
                $0.feedback = feedback
            })
    }

    static func deal(in stage: String) -> Opportunity {
        Opportunity(
            id: UUID(), seq: 1, name: "腔镜", customerName: "瑞金医院", leadID: nil, ownerID: "li.na", orgPath: "/east",
            stage: .qualification, amount: Money(minorUnits: 128_000_000, currency: .cny), expectedClose: Date(), createdAt: Date(),
            pipeline: "new-business", pipelineVersion: 0, stageKey: stage, defaultProbability: 10, dealType: .new,
            stageEnteredAt: Date(timeIntervalSinceNow: -3 * 86_400), overrideReason: "", staleSince: nil, staleReason: "",
            customerID: nil, risks: [], createdBy: "li.na", customerType: "三甲医院")
    }

    static func activity(_ kind: Sales_Opportunities_V1_ActivityKind, signals: [String] = []) -> Sales_Opportunities_V1_Activity {
        .with {
            $0.kind = kind
            $0.signals = signals
        }
    }

    @Test func everyMissingRequirementIsNamed() throws {
        let stage = try #require(Self.pipeline.stage("方案报价"))
        let missing = StageGate.missing(
            stage, move: try Self.move(to: "方案报价"), previousFeedback: nil,
            record: StageGate.record(of: Self.deal(in: "需求确认"), activities: [], now: Date()))
        #expect(missing.count == 3)
        #expect(missing[0].hasPrefix("key_action: name the key action taken, one of 发送方案, 安排演示"))
        #expect(missing[1].hasPrefix("feedback:"))
        #expect(missing[2] == "requirement visited: 至少一次拜访记录")
    }

    @Test func theGateOpensWithTheActionFreshFeedbackAndItsEvidence() throws {
        let stage = try #require(Self.pipeline.stage("方案报价"))
        let record = StageGate.record(of: Self.deal(in: "需求确认"), activities: [Self.activity(.visit)], now: Date())
        #expect(
            StageGate.missing(stage, move: try Self.move(to: "方案报价", action: "发送方案", feedback: "想看三家对比"), previousFeedback: nil, record: record)
                .isEmpty)
        let repeated = StageGate.missing(
            stage, move: try Self.move(to: "方案报价", action: "发送方案", feedback: "想看三家对比"), previousFeedback: "想看三家对比", record: record)
        #expect(repeated.map { $0.prefix(9) } == ["feedback:"], "a copy of the previous feedback is not feedback")
        let wrongAction = StageGate.missing(
            stage, move: try Self.move(to: "方案报价", action: "吃饭", feedback: "好"), previousFeedback: nil, record: record)
        #expect(wrongAction == ["key_action: \"吃饭\" is not one of 发送方案, 安排演示"])
    }

    @Test func requirementsReadSignalsCountsAndTheDeal() throws {
        let record = StageGate.record(
            of: Self.deal(in: "方案报价"),
            activities: [Self.activity(.visit, signals: ["decision_maker_met"]), Self.activity(.visit), Self.activity(.demo)], now: Date())
        #expect(record.objectValue?["activity_counts"]?.objectValue?["visit"] == 2)
        #expect(record.objectValue?["signals"]?.objectValue?["decision_maker_met"] == 1)
        #expect(record.objectValue?["deal"]?.objectValue?["amount"] == 1_280_000)
        #expect(record.objectValue?["deal"]?.objectValue?["days_in_stage"] == 3)
        let stage = try #require(Self.pipeline.stage("商务谈判"))
        #expect(
            StageGate.missing(stage, move: try Self.move(to: "商务谈判", action: "处理异议", feedback: "价格再议"), previousFeedback: nil, record: record).isEmpty
        )
    }

    @Test func thePathFollowsThePipeline() throws {
        let pipeline = Self.pipeline
        func problem(_ from: String, _ to: String) throws -> String? {
            StageGate.pathProblem(in: pipeline, from: from, to: try #require(pipeline.stage(to)))
        }
        #expect(try problem("初步接触", "需求确认") == nil, "the next stage")
        #expect(try problem("初步接触", "方案报价")?.contains("does not skip stages: from 初步接触 the next is 需求确认") == true)
        #expect(try problem("需求确认", "赢单")?.contains("the next is 商务谈判") == true, "won only from the last open stage")
        #expect(try problem("商务谈判", "赢单") == nil)
        #expect(try problem("需求确认", "输单") == nil, "a deal can be lost from any open stage")
        #expect(try problem("方案报价", "初步接触") == nil, "back to an earlier stage")
        #expect(try problem("赢单", "商务谈判")?.contains("only an admin's override reopens it") == true)
        #expect(try problem("已改名的阶段", "方案报价") == nil, "a stage a later version renamed may move anywhere")
    }

    @Test func aPipelineThatAllowsSkippingSkips() throws {
        var message = BuiltInPipeline.message
        message.allowSkipping = true
        let pipeline = try PipelineDefinition(message, version: 2)
        #expect(StageGate.pathProblem(in: pipeline, from: "初步接触", to: try #require(pipeline.stage("赢单"))) == nil)
    }

    @Test func coarseStagesMapOpenStagesInOrder() throws {
        var message = BuiltInPipeline.message
        message.name = "medical"
        message.stages =
            ["入院拜访", "科室推广", "招投标支持", "手术跟台", "签约准备"].map { key in
                .with {
                    $0.key = key; $0.outcome = .open
                }
            }
            + [
                .with {
                    $0.key = "签约"; $0.outcome = .won
                },
                .with {
                    $0.key = "丢单"; $0.outcome = .lost
                },
            ]
        let medical = try PipelineDefinition(message, version: 1)
        #expect(
            ["入院拜访", "科室推广", "招投标支持", "手术跟台", "签约准备", "签约", "丢单"].map(medical.coarseStage(of:))
                == [.qualification, .needsAnalysis, .proposal, .negotiation, .negotiation, .won, .lost])
    }

    @Test(arguments: [
        ("", "pipeline.name"),
        ("Medical", "pipeline.name"),
    ])
    func aBadPipelineNameIsRefused(name: String, field: String) {
        var message = BuiltInPipeline.message
        message.name = name
        #expect(throws: ServiceError.self) { try PipelineDefinition(message, version: 1) }
    }

    @Test func aPipelineMustOpenThenCloseWithWonAndLost() {
        var message = BuiltInPipeline.message
        message.stages.removeAll { $0.outcome == .lost }
        #expect(throws: ServiceError.self) { try PipelineDefinition(message, version: 1) }
        message = BuiltInPipeline.message
        message.stages.swapAt(0, 4)
        #expect(throws: ServiceError.self) { try PipelineDefinition(message, version: 1) }
        message = BuiltInPipeline.message
        message.stages[2].gate.requirements[0].conditionJson = #"{"nope": [1]}"#
        #expect(throws: ServiceError.self) { try PipelineDefinition(message, version: 1) }
        message = BuiltInPipeline.message
        message.stages[3].key = message.stages[2].key
        #expect(throws: ServiceError.self) { try PipelineDefinition(message, version: 1) }
    }
}
