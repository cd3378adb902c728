import Foundation
import SalesProto
import SwiftProtobuf

/// A record's custom field values against the tenant's definitions: every value checked for type
/// and bounds, and the fields a stage requires enforced the same way on every path (API,
/// import, stage change).
public struct CustomFieldValues: Sendable {
    public let definitions: [String: Sales_Common_V1_FieldDefinition]
    /// The record type's stages in order, for "required from stage X on".
    public let stages: [String]

    public init(definitions: [Sales_Common_V1_FieldDefinition], stages: [String]) {
        self.definitions = Dictionary(definitions.map { ($0.key, $0) }, uniquingKeysWith: { $1 })
        self.stages = stages
    }

    /// Checks each given value; `field` prefixes the error path (e.g. "custom_fields").
    public func validate(_ values: [String: Sales_Common_V1_FieldValue], field: String = "custom_fields") throws(ServiceError) {
        for key in values.keys.sorted() {
            let path = "\(field).\(key)"
            guard let definition = definitions[key] else {
                let known = definitions.keys.sorted().joined(separator: ", ")
                throw .invalidArgument(field: path, rule: "is not a defined field\(known.isEmpty ? "" : "; defined: \(known)")")
            }
            try check(values[key]!, against: definition, path: path)
        }
    }

    /// The fields required at `stage` (or at creation when nil) that `values` lack, in key order.
    public func missing(at stage: String?, in values: [String: Sales_Common_V1_FieldValue]) -> [Sales_Common_V1_FieldDefinition] {
        definitions.values.filter { definition in
            guard values[definition.key]?.kind == nil else { return false }
            if stage == nil { return definition.requiredAtCreation }
            guard !definition.requiredFromStage.isEmpty, let stage,
                let from = stages.firstIndex(of: definition.requiredFromStage), let at = stages.firstIndex(of: stage)
            else { return definition.requiredAtCreation }
            return at >= from || definition.requiredAtCreation
        }.sorted { $0.key < $1.key }
    }

    /// Refuses a create without the fields required at creation (INVALID_ARGUMENT: the request lacks them).
    public func requireForCreation(_ values: [String: Sales_Common_V1_FieldValue], field: String = "custom_fields") throws(ServiceError) {
        if let first = missing(at: nil, in: values).first {
            throw .invalidArgument(field: "\(field).\(first.key)", rule: "\(first.label) is required when the record is created")
        }
    }

    /// Refuses moving to `stage` while a field it requires is empty (FAILED_PRECONDITION, naming them).
    public func requireForStage(_ stage: String, values: [String: Sales_Common_V1_FieldValue]) throws(ServiceError) {
        let lacking = missing(at: stage, in: values)
        guard !lacking.isEmpty else { return }
        let names = lacking.map { "\($0.label) (custom_fields.\($0.key))" }.joined(separator: ", ")
        throw .failedPrecondition("stage \(stage) needs \(names): fill \(lacking.count == 1 ? "it" : "them") first")
    }

    private func check(_ value: Sales_Common_V1_FieldValue, against definition: Sales_Common_V1_FieldDefinition, path: String) throws(ServiceError) {
        let expected = Self.name(of: definition.type)
        switch (definition.type, value.kind) {
        case (_, nil):
            return  // an empty value clears the field
        case (.text, .text(let text)?):
            let limit = definition.maxLength == 0 ? 2_000 : Int(definition.maxLength)
            guard text.count <= limit else { throw .invalidArgument(field: path, rule: "must be at most \(limit) characters") }
        case (.number, .number(let number)?):
            guard number.isFinite else { throw .invalidArgument(field: path, rule: "must be a finite number") }
            try checkBounds(number, definition, path: path)
        case (.money, .money(let money)?):
            _ = try money.validated(field: path, allowZero: true)
            try checkBounds(Double(money.minorUnits), definition, path: path)
        case (.date, .date(let text)?):
            guard Self.isCalendarDate(text) else { throw .invalidArgument(field: path, rule: "\(quoted: text) is not a date in the form 2026-11-24") }
        case (.choice, .choice(let choice)?):
            guard definition.choices.contains(choice) else {
                throw .invalidArgument(field: path, rule: "\(quoted: choice) is not one of \(definition.choices.joined(separator: ", "))")
            }
        case (.attachment, .attachment(let file)?):
            guard !file.name.isEmpty, !file.url.isEmpty else { throw .invalidArgument(field: path, rule: "an attachment needs a name and a url") }
            guard file.sha256.range(of: "^[0-9a-f]{64}$", options: .regularExpression) != nil else {
                throw .invalidArgument(field: path, rule: "sha256 must be 64 lowercase hex digits")
            }
            guard file.sizeBytes > 0 else { throw .invalidArgument(field: path, rule: "size_bytes must be positive") }
        case (.boolean, .boolean?):
            return
        default:
            throw .invalidArgument(field: path, rule: "\(definition.label) is a \(expected) field")
        }
    }

    private func checkBounds(_ number: Double, _ definition: Sales_Common_V1_FieldDefinition, path: String) throws(ServiceError) {
        if definition.hasMin, number < definition.min { throw .invalidArgument(field: path, rule: "must be at least \(Self.plain(definition.min))") }
        if definition.hasMax, number > definition.max { throw .invalidArgument(field: path, rule: "must be at most \(Self.plain(definition.max))") }
    }

    static func isCalendarDate(_ text: String) -> Bool {
        guard text.range(of: "^\\d{4}-\\d{2}-\\d{2}$", options: .regularExpression) != nil else { return false }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.isLenient = false
        return formatter.date(from: text).map { formatter.string(from: $0) == text } ?? false
    }

    static func plain(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }

    static func name(of type: Sales_Common_V1_FieldType) -> String {
        switch type {
        case .text: "text"
        case .number: "number"
        case .money: "money"
        case .date: "date"
        case .choice: "choice"
        case .attachment: "attachment"
        case .boolean: "yes/no"
        case .unspecified, .UNRECOGNIZED: "untyped"
        }
    }
}
