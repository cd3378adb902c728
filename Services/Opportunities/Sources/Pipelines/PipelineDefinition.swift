import Foundation
import RulesEngine
import SalesProto
import ServiceKit

/// A checked pipeline: its stages in order, each gate's requirements compiled once.
struct PipelineDefinition: Sendable {
    struct Stage: Sendable {
        let key: String
        let outcome: Sales_Opportunities_V1_StageOutcome
        let defaultProbability: Int32
        let keyActions: [String]
        let feedbackRequired: Bool
        let requirements: [(id: String, description: String, condition: CompiledRule)]
        let dwellLimitBusinessHours: Int32
        let activityLimitBusinessDays: Int32
    }

    let name: String
    let version: Int32
    let allowSkipping: Bool
    let stages: [Stage]
    let message: Sales_Opportunities_V1_Pipeline

    var first: Stage { stages[0] }

    func stage(_ key: String) -> Stage? { stages.first { $0.key == key } }

    func position(of key: String) -> Int? { stages.firstIndex { $0.key == key } }

    /// The coarse stage consumers that predate pipelines understand: open stages in order onto
    /// qualification..negotiation (later ones all negotiation), then won and lost.
    func coarseStage(of key: String) -> Sales_Opportunities_V1_Stage {
        guard let stage = stage(key) else { return .unspecified }
        switch stage.outcome {
        case .won: return .won
        case .lost: return .lost
        default:
            let openIndex = stages.filter { $0.outcome == .open }.firstIndex { $0.key == key } ?? 0
            return [.qualification, .needsAnalysis, .proposal, .negotiation][min(openIndex, 3)]
        }
    }

    /// Checks a pipeline as an admin saved it; every problem is INVALID_ARGUMENT naming its field.
    /// A pipeline's name: 2 to 40 lowercase ASCII letters, digits and '-', not starting with '-'.
    static func isName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        return (2...40).contains(bytes.count) && bytes.first != UInt8(ascii: "-")
            && bytes.allSatisfy {
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || $0 == UInt8(ascii: "-")
            }
    }

    init(_ pipeline: Sales_Opportunities_V1_Pipeline, version: Int32) throws(ServiceError) {
        guard Self.isName(pipeline.name) else {
            throw .invalidArgument(field: "pipeline.name", rule: "must be 2 to 40 lowercase letters, digits or '-'; got \(quoted: pipeline.name)")
        }
        var seen: Set<String> = []
        var stages: [Stage] = []
        let compiler = RuleCompiler(registry: .domain())
        for (index, stage) in pipeline.stages.enumerated() {
            let field = "pipeline.stages[\(index)]"
            let key = stage.key.trimmingCharacters(in: .whitespaces)
            guard (1...40).contains(key.count), key == stage.key else {
                throw .invalidArgument(field: "\(field).key", rule: "must be 1 to 40 characters without leading or trailing spaces")
            }
            guard seen.insert(key).inserted else { throw .invalidArgument(field: "\(field).key", rule: "\(quoted: key) is used by an earlier stage") }
            guard (0...100).contains(stage.defaultProbability) else {
                throw .invalidArgument(field: "\(field).default_probability", rule: "must be a percentage from 0 to 100")
            }
            guard [.open, .won, .lost].contains(stage.outcome) else {
                throw .invalidArgument(field: "\(field).outcome", rule: "is required: open, won or lost")
            }
            guard (0...10_000).contains(stage.dwellLimitBusinessHours) else {
                throw .invalidArgument(field: "\(field).dwell_limit_business_hours", rule: "must be 0 (no limit) to 10,000 hours")
            }
            guard (0...365).contains(stage.activityLimitBusinessDays) else {
                throw .invalidArgument(field: "\(field).activity_limit_business_days", rule: "must be 0 (no limit) to 365 days")
            }
            var actions: [String] = []
            for (actionIndex, action) in stage.gate.keyActions.enumerated() {
                let text = action.trimmingCharacters(in: .whitespaces)
                guard (1...30).contains(text.count), !actions.contains(text) else {
                    throw .invalidArgument(
                        field: "\(field).gate.key_actions[\(actionIndex)]", rule: "must be 1 to 30 characters and not repeat another")
                }
                actions.append(text)
            }
            var requirements: [(id: String, description: String, condition: CompiledRule)] = []
            for (requirementIndex, requirement) in stage.gate.requirements.enumerated() {
                let path = "\(field).gate.requirements[\(requirementIndex)]"
                guard requirement.id.range(of: "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", options: .regularExpression) != nil,
                    !requirements.contains(where: { $0.id == requirement.id })
                else { throw .invalidArgument(field: "\(path).id", rule: "must be 1 to 64 letters, digits, '.', '_' or '-', unique in the stage") }
                let description = try Require.text(requirement.description_p, field: "\(path).description", maxLength: 200)
                do {
                    requirements.append((requirement.id, description, try compiler.compile(json: requirement.conditionJson)))
                } catch {
                    throw .invalidArgument(field: "\(path).condition_json", rule: "is not a usable JsonLogic condition: \(error)")
                }
            }
            stages.append(
                Stage(
                    key: key, outcome: stage.outcome, defaultProbability: stage.defaultProbability, keyActions: actions,
                    feedbackRequired: stage.gate.feedbackRequired, requirements: requirements,
                    dwellLimitBusinessHours: stage.dwellLimitBusinessHours, activityLimitBusinessDays: stage.activityLimitBusinessDays))
        }
        let outcomes = stages.map(\.outcome)
        guard outcomes.first == .open else {
            throw .invalidArgument(field: "pipeline.stages", rule: "must start with an open stage (a deal is created in the first stage)")
        }
        guard outcomes.contains(.won), outcomes.contains(.lost) else {
            throw .invalidArgument(field: "pipeline.stages", rule: "needs a won stage and a lost stage")
        }
        guard let lastOpen = outcomes.lastIndex(of: .open), outcomes[..<lastOpen].allSatisfy({ $0 == .open }) else {
            throw .invalidArgument(field: "pipeline.stages", rule: "must list the open stages first, then the won and lost ones")
        }
        self.name = pipeline.name
        self.version = version
        self.allowSkipping = pipeline.allowSkipping
        self.stages = stages
        var message = pipeline
        message.version = version
        self.message = message
    }
}
