import SalesProto
import SwiftProtobuf

/// The pipeline a tenant has before saving its own (version 0): new business through five
/// stages, each step gated on what a director asks for in a review.
enum BuiltInPipeline {
    static let name = "new-business"

    /// What a deal following `pipeline` follows when the tenant saved no version of it.
    static func unsaved(_ pipeline: String) -> PipelineDefinition? { pipeline == name ? definition : nil }

    static let message = Sales_Opportunities_V1_Pipeline.with {
        $0.name = name
        $0.isDefault = true
        $0.savedBy = "built-in"
        $0.stages = [
            stage("初步接触", probability: 10, dwellHours: 0, idleDays: 5),
            stage(
                // 需求确认 is a fast stage: two days of business hours (48) without progress is stale.
                "需求确认", probability: 25, actions: ["电话沟通", "上门拜访", "安排演示"], feedback: true, dwellHours: 48),
            stage(
                "方案报价", probability: 50, actions: ["发送方案", "安排演示"], feedback: true, dwellHours: 120,
                requirements: [
                    ("visited", "至少一次拜访记录", #"{">=": [{"var": "activity_counts.visit"}, 1]}"#)
                ]),
            stage(
                "商务谈判", probability: 70, actions: ["处理异议", "签署意向"], feedback: true, dwellHours: 120,
                requirements: [
                    ("decision-maker-met", "已见到决策人（活动信号 decision_maker_met）", #"{">=": [{"var": "signals.decision_maker_met"}, 1]}"#)
                ]),
            stage("赢单", probability: 100, outcome: .won, actions: ["签署合同"], feedback: true, dwellHours: 0),
            stage("输单", probability: 0, outcome: .lost, feedback: true, dwellHours: 0),
        ]
    }

    static let definition = try! PipelineDefinition(message, version: 0)

    private static func stage(
        _ key: String, probability: Int32, outcome: Sales_Opportunities_V1_StageOutcome = .open, actions: [String] = [],
        feedback: Bool = false, dwellHours: Int32, idleDays: Int32 = 3, requirements: [(String, String, String)] = []
    ) -> Sales_Opportunities_V1_PipelineStage {
        .with {
            $0.key = key
            $0.defaultProbability = probability
            $0.outcome = outcome
            $0.dwellLimitBusinessHours = dwellHours
            $0.activityLimitBusinessDays = outcome == .open ? idleDays : 0
            $0.gate = .with {
                $0.keyActions = actions
                $0.feedbackRequired = feedback
                $0.requirements = requirements.map { requirement in
                    .with {
                        $0.id = requirement.0
                        $0.description_p = requirement.1
                        $0.conditionJson = requirement.2
                    }
                }
            }
        }
    }
}
