import Foundation
import RulesEngine

extension Environment {
    /// SALES_WORK_CALENDAR: a JSON file with the tenant organisation's work calendar (working
    /// hours, weekend, the year's statutory holidays and 调休 make-up working days, as
    /// `WorkCalendar(json:)` reads it). Unset: Monday to Friday, 09:00–12:00 and 13:00–18:00 in
    /// Asia/Shanghai, with no holidays.
    public func workCalendar() throws -> WorkCalendar {
        guard let path = optional("SALES_WORK_CALENDAR"), !path.isEmpty else { return .standard }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(variable: "SALES_WORK_CALENDAR", problem: "names \(path), which cannot be read")
        }
        do {
            return try WorkCalendar(json: try RuleValue(json: String(decoding: data, as: UTF8.self)))
        } catch {
            throw ConfigurationError(variable: "SALES_WORK_CALENDAR", problem: "names \(path), which is not a work calendar: \(error)")
        }
    }
}
