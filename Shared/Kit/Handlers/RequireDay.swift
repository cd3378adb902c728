import RulesEngine

extension Require {
    /// A calendar day as the API writes it ("2026-11-24"); `field` names it in the error.
    public static func day(_ text: String, field: String) throws(ServiceError) -> LocalDate {
        guard !text.isEmpty else { throw .invalidArgument(field: field, rule: "is required (a day like 2026-11-24)") }
        guard text.count == 10, let day = LocalDate(text) else {
            throw .invalidArgument(field: field, rule: "must be a day like 2026-11-24 (got \(quoted: text))")
        }
        return day
    }
}
