import Foundation
import RulesEngine
import SalesModel
import SalesProto

/// Whether a deal may enter a stage: the pipeline's path (skipping, reopening) and the stage's
/// gate (key action, feedback, requirements over the deal and its activities). Pure: it reads
/// plain values, so unit tests reach every refusal.
enum StageGate {
    /// Why the pipeline does not let a deal go from `from` to `to`, or nil when it does. `from`
    /// may be missing from the pipeline (it was renamed in a later version): any stage may follow.
    static func pathProblem(in pipeline: PipelineDefinition, from: String, to target: PipelineDefinition.Stage) -> String? {
        guard let fromIndex = pipeline.position(of: from), let toIndex = pipeline.position(of: target.key) else { return nil }
        let current = pipeline.stages[fromIndex]
        if current.outcome != .open {
            return "the deal is closed (\(current.key)); only an admin's override reopens it"
        }
        switch target.outcome {
        case .lost:
            return nil
        case .open where toIndex < fromIndex:
            return nil
        default:
            guard !pipeline.allowSkipping else { return nil }
            let openStages = pipeline.stages.filter { $0.outcome == .open }
            let next = toIndex == fromIndex + 1 && target.outcome == .open
            let wonFromLast = target.outcome == .won && openStages.last?.key == current.key
            if next || wonFromLast { return nil }
            let expected = target.outcome == .won ? openStages.last?.key ?? "" : pipeline.stages[fromIndex + 1].key
            return "the pipeline \(pipeline.name) does not skip stages: from \(current.key) the next is \(expected)"
        }
    }

    /// Everything that keeps `deal` from entering `target` by `move` at `time`: the pipeline's path,
    /// then the stage's gate over the deal and its activities.
    static func unmet(
        _ move: StageMove, deal: Opportunity, pipeline: PipelineDefinition, target: PipelineDefinition.Stage, previousFeedback: String?,
        activities: [Sales_Opportunities_V1_Activity], at time: Date
    ) -> [String] {
        (pathProblem(in: pipeline, from: deal.stageKey, to: target).map { [$0] } ?? [])
            + missing(target, move: move, previousFeedback: previousFeedback, record: record(of: deal, activities: activities, now: time))
    }

    /// Every requirement of `stage` the move does not meet, each saying what is missing.
    static func missing(
        _ stage: PipelineDefinition.Stage, move: StageMove, previousFeedback: String?, record: RuleValue
    ) -> [String] {
        var missing: [String] = []
        if !stage.keyActions.isEmpty, !stage.keyActions.contains(move.keyAction) {
            let options = stage.keyActions.joined(separator: ", ")
            missing.append(
                move.keyAction.isEmpty
                    ? "key_action: name the key action taken, one of \(options)"
                    : "key_action: \"\(move.keyAction)\" is not one of \(options)")
        }
        if stage.feedbackRequired {
            if move.feedback.isEmpty {
                missing.append("feedback: what the customer said, 1 to \(StageMove.maximumFeedback) characters")
            } else if let previousFeedback, previousFeedback == move.feedback {
                missing.append("feedback: the same as the deal's previous feedback; say what the customer said this time")
            }
        }
        return missing + unmetRequirements(of: stage, record: record)
    }

    /// The stage's rule-set requirements that do not hold for `record`: all a deal created in a
    /// pipeline's first stage must meet (there is no move, so no key action or feedback).
    static func unmetRequirements(of stage: PipelineDefinition.Stage, record: RuleValue) -> [String] {
        stage.requirements.compactMap { requirement in
            let holds = (try? requirement.condition.matches(record)) ?? false
            return holds ? nil : "requirement \(requirement.id): \(requirement.description)"
        }
    }

    /// What requirement conditions read: the deal, its activities, counts by kind and by signal.
    static func record(of deal: Opportunity, activities: [Sales_Opportunities_V1_Activity], now: Date) -> RuleValue {
        var counts: [String: RuleValue] = [:]
        var signals: [String: RuleValue] = [:]
        var listed: [RuleValue] = []
        for activity in activities {
            let kind = ActivityKinds.name(of: activity.kind)
            counts[kind] = .number((counts[kind]?.numberValue ?? 0) + 1)
            for signal in activity.signals { signals[signal] = .number((signals[signal]?.numberValue ?? 0) + 1) }
            listed.append([
                "kind": .string(kind), "signals": RuleValue(activity.signals),
                "decision_maker_met": .string(activity.decisionMakerMet),
                "attachments": .array(activity.attachments.map { ["name": .string($0.name), "kind": .string($0.kind), "stored": .bool($0.stored)] }),
            ])
        }
        let deal: RuleValue = [
            "amount": .number(deal.amount.majorUnitsForRules), "deal_type": .string(ActivityKinds.dealTypeName(deal.dealType)),
            "stage": .string(deal.stageKey), "pipeline": .string(deal.pipeline),
            "days_in_stage": .number((now.timeIntervalSince(deal.stageEnteredAt) / 86_400).rounded(.down)),
        ]
        return ["deal": deal, "activities": .array(listed), "activity_counts": .object(counts), "signals": .object(signals)]
    }
}
