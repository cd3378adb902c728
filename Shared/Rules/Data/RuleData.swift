/// A record a rule reads, given as the service holds it: no JSON in between.
///
/// A service conforms its own record type. Rules compiled against a `FieldCatalog` carry each
/// field's position in that catalog, so a conformance can switch on an integer:
///
/// ```swift
/// extension Lead: RuleData {
///     func ruleValue(of key: FieldKey) -> RuleValue? {
///         switch key.field(of: LeadField.self) {
///         case .city?: .string(city)
///         case .budget?: RuleValue(budget)
///         ...
///         case nil: customFields[key.name]
///         }
///     }
/// }
/// ```
public protocol RuleData {
    /// The top-level field `key`, or nil when the record has none (so `var` falls back to its default).
    func ruleValue(of key: FieldKey) -> RuleValue?

    /// The whole record as one value, for `{"var": ""}`.
    var ruleValue: RuleValue { get }
}

/// A top-level field name as a compiled rule reads it, resolved once when the rule is compiled.
public struct FieldKey: Sendable, Hashable {
    public let name: String
    /// The field's position in the catalog of `domain`, when the rule was compiled against one.
    public let position: Int?
    public let domain: String?
    /// `name` as a list index, when it is one ("0", "12"; not "01" or "-1").
    public let index: Int?

    public init(_ name: String, position: Int? = nil, domain: String? = nil) {
        self.name = name
        self.position = position
        self.domain = domain
        index = FieldKey.listIndex(name)
    }

    /// The catalog field this key was resolved to, if the rule was compiled against `F`'s domain.
    @inlinable
    public func field<F: CatalogFields>(of _: F.Type) -> F? {
        guard let position, domain == F.domain else { return F.named(name) }
        return F(rawValue: position)
    }

    static func listIndex(_ name: String) -> Int? {
        guard let first = name.utf8.first, name.utf8.allSatisfy({ (48...57).contains($0) }),
            first != UInt8(ascii: "0") || name.utf8.count == 1
        else { return nil }
        return Int(name)
    }
}

/// Plain values are records too: objects by member, lists by index (and `length`), text by code unit.
extension RuleValue: RuleData {
    public func ruleValue(of key: FieldKey) -> RuleValue? {
        switch self {
        case .object(let members):
            return members[key.name]
        case .array(let elements):
            if let index = key.index { return index < elements.count ? elements[index] : nil }
            return key.name == "length" ? .number(Double(elements.count)) : nil
        case .string(let text):
            // JavaScript indexes text by UTF-16 code unit.
            if let index = key.index {
                let units = Array(text.utf16)
                return index < units.count ? .string(String(decoding: units[index...index], as: UTF16.self)) : nil
            }
            return key.name == "length" ? .number(Double(text.utf16.count)) : nil
        case .null, .bool, .number:
            return nil
        }
    }

    public var ruleValue: RuleValue { self }
}
