/// The fields a domain's rules may read, with their types: what "validated on save" checks
/// against. Built-in fields come from the domain's `CatalogFields` enum; fields a tenant defines
/// are added at run time and read by name.
public struct FieldCatalog: Sendable, Hashable {
    public struct Field: Sendable, Hashable {
        public var name: String
        public var type: FieldType
        /// What people call it on screen.
        public var label: String
        public var isCustom: Bool

        public init(name: String, type: FieldType, label: String = "", isCustom: Bool = false) {
            self.name = name
            self.type = type
            self.label = label
            self.isCustom = isCustom
        }
    }

    public let domain: String
    public private(set) var fields: [Field]
    private var positions: [String: Int]

    public init(domain: String, fields: [Field]) {
        self.domain = domain
        self.fields = []
        positions = [:]
        for field in fields {
            precondition(positions[field.name] == nil, "field \(field.name) declared twice in the \(domain) catalog")
            positions[field.name] = self.fields.count
            self.fields.append(field)
        }
    }

    /// A catalog of a domain's built-in fields, in the enum's order (so positions are raw values).
    public init<F: CatalogFields>(_: F.Type) {
        self.init(domain: F.domain, fields: F.allCases.map { Field(name: $0.name, type: $0.type, label: $0.label) })
    }

    public func position(of name: String) -> Int? { positions[name] }

    public func field(named name: String) -> Field? { positions[name].map { fields[$0] } }

    /// Adds a field a tenant defined. Its name is lowercase letters, digits and `_`, starting with a letter.
    public mutating func add(_ field: Field) throws(FieldCatalogError) {
        guard let first = field.name.unicodeScalars.first, ("a"..."z").contains(first),
            field.name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }),
            field.name.count <= 64
        else {
            throw FieldCatalogError(
                message: "`\(field.name)` is not a usable field name: use up to 64 lowercase letters, digits and _, starting with a letter")
        }
        guard positions[field.name] == nil else {
            throw FieldCatalogError(message: "`\(field.name)` is already a \(domain) field")
        }
        var custom = field
        custom.isCustom = true
        positions[field.name] = fields.count
        fields.append(custom)
    }

    public func adding(_ field: Field) throws(FieldCatalogError) -> FieldCatalog {
        var copy = self
        try copy.add(field)
        return copy
    }

    /// The known field nearest to `name` by edit distance, if one is close enough to be a typo.
    public func suggestion(for name: String) -> String? {
        var best: (name: String, distance: Int)?
        for field in fields {
            let distance = EditDistance.between(name, field.name)
            if distance < (best?.distance ?? .max) { best = (field.name, distance) }
        }
        guard let best, best.distance <= max(2, name.count / 3) else { return nil }
        return best.name
    }

    /// The built-in catalogs by domain name.
    public static func builtIn(domain: String) -> FieldCatalog? {
        switch domain {
        case LeadField.domain: .lead
        default: nil
        }
    }

    public static let builtInDomains = [LeadField.domain]
}

public struct FieldCatalogError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// A domain's built-in fields as an enum whose raw values are catalog positions, so records
/// can switch on them (see `RuleData`).
public protocol CatalogFields: CaseIterable, Sendable, RawRepresentable where RawValue == Int {
    static var domain: String { get }
    var name: String { get }
    var type: FieldType { get }
    var label: String { get }
}

extension CatalogFields {
    public static func named(_ name: String) -> Self? {
        allCases.first { $0.name == name }
    }
}
