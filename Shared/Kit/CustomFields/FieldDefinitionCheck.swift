import Foundation
import SalesProto

/// Checks a field definition an operator saves, against the stages of its record type.
public enum FieldDefinitionCheck {
    public static func validated(
        _ definition: Sales_Common_V1_FieldDefinition, stages: [String], builtInFields: Set<String>
    ) throws(ServiceError) -> Sales_Common_V1_FieldDefinition {
        var definition = definition
        guard definition.key.range(of: "^[a-z][a-z0-9_]{1,39}$", options: .regularExpression) != nil else {
            throw .invalidArgument(
                field: "definition.key", rule: "must be 2 to 40 lowercase letters, digits or '_', starting with a letter (e.g. surgery_form)")
        }
        guard !builtInFields.contains(definition.key) else {
            throw .invalidArgument(field: "definition.key", rule: "\(quoted: definition.key) is a built-in field; choose another key")
        }
        definition.label = try Require.text(definition.label, field: "definition.label", maxLength: 60)
        switch definition.type {
        case .unspecified, .UNRECOGNIZED:
            throw .invalidArgument(field: "definition.type", rule: "is required: text, number, money, date, choice, attachment or boolean")
        case .choice:
            let options = definition.choices.map { $0.trimmingCharacters(in: .whitespaces) }
            guard !options.isEmpty, options.allSatisfy({ !$0.isEmpty }) else {
                throw .invalidArgument(field: "definition.choices", rule: "a choice field needs at least one non-empty option")
            }
            guard Set(options).count == options.count else {
                throw .invalidArgument(field: "definition.choices", rule: "options must be distinct")
            }
            definition.choices = options
        default:
            guard definition.choices.isEmpty else {
                throw .invalidArgument(field: "definition.choices", rule: "only choice fields have options")
            }
        }
        if definition.hasMin || definition.hasMax {
            guard definition.type == .number || definition.type == .money else {
                throw .invalidArgument(field: "definition.min", rule: "bounds apply to number and money fields only")
            }
            if definition.hasMin, definition.hasMax, definition.min > definition.max {
                throw .invalidArgument(field: "definition.max", rule: "must not be below min")
            }
        }
        guard definition.maxLength >= 0, definition.maxLength <= 10_000 else {
            throw .invalidArgument(field: "definition.max_length", rule: "must be between 0 (2,000) and 10,000")
        }
        if !definition.requiredFromStage.isEmpty, !stages.contains(definition.requiredFromStage) {
            throw .invalidArgument(
                field: "definition.required_from_stage",
                rule: "\(quoted: definition.requiredFromStage) is not a stage; use one of \(stages.joined(separator: ", "))")
        }
        return definition
    }
}
