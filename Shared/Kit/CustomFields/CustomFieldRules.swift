import RulesEngine
import SalesModel
import SalesProto

/// How rules see tenant-defined fields: the catalog learns their types, records carry their values.
public enum CustomFieldRules {
    /// `catalog` plus the tenant's fields, so rules that read them pass the check on save.
    public static func catalog(_ catalog: FieldCatalog, adding definitions: [Sales_Common_V1_FieldDefinition]) -> FieldCatalog {
        var extended = catalog
        for definition in definitions {
            // A definition that clashes with a built-in was refused when saved; skip rather than fail reads.
            try? extended.add(FieldCatalog.Field(name: definition.key, type: fieldType(definition), label: definition.label))
        }
        return extended
    }

    static func fieldType(_ definition: Sales_Common_V1_FieldDefinition) -> FieldType {
        switch definition.type {
        case .number: .number
        case .money: .money
        case .date: .date
        case .boolean: .boolean
        case .choice: .choice(definition.choices)
        // Rules test an attachment for presence, and read its file name.
        case .text, .attachment, .unspecified, .UNRECOGNIZED: .text
        }
    }

    /// A value as rules read it (money in yuan, dates as text, an attachment as its file name).
    public static func value(_ value: Sales_Common_V1_FieldValue) -> RuleValue {
        switch value.kind {
        case .text(let text)?: .string(text)
        case .number(let number)?: .number(number)
        case .money(let money)?: .number(Money.majorUnitsForRules(money.minorUnits))
        case .date(let date)?: .string(date)
        case .choice(let choice)?: .string(choice)
        case .attachment(let file)?: .string(file.name)
        case .boolean(let flag)?: .bool(flag)
        case nil: .null
        }
    }
}
