import Foundation
import SalesModel
import SalesProto
import ServiceKit

/// What a credit bureau says of a company.
struct CreditReport: Sendable, Equatable {
    let creditCode: String
    let grade: Sales_Opportunities_V1_CreditGrade
    let note: String
    /// Which bureau, for the finding's reason.
    let bureau: String
}

/// An external credit provider, asked when a quote is created.
protocol CreditBureau: Sendable {
    func report(for code: CreditCode) async -> CreditLookup
}

/// What asking a bureau came to: its report, no record of the company, or no answer (the quote is
/// screened without it, and says so).
enum CreditLookup: Sendable, Equatable {
    case found(CreditReport)
    case notFound
    case unavailable(String)
}

/// The default provider: a CSV an operator keeps (`credit_code,grade,note`, grade green, yellow or
/// red), read once at start. SALES_OPPORTUNITIES_CREDIT_BUREAU=file:/path/bureau.csv; unset for none.
struct FileCreditBureau: CreditBureau {
    let reports: [String: CreditReport]

    init(path: String) throws {
        let variable = Self.variable
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(variable: variable, problem: "names \(path), which cannot be read as UTF-8 text")
        }
        var reports: [String: CreditReport] = [:]
        for (number, line) in text.split(whereSeparator: \.isNewline).enumerated() where number > 0 {
            let cells = line.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard cells.count >= 2, let code = CreditCode(cells[0]), let grade = Self.grade(cells[1]) else {
                throw ConfigurationError(
                    variable: variable,
                    problem: "\(path) line \(number + 1) must be credit_code,grade[,note] with a valid code and green, yellow or red")
            }
            reports[code.rawValue] = CreditReport(
                creditCode: code.rawValue, grade: grade, note: cells.count > 2 ? cells[2] : "", bureau: "the credit bureau file")
        }
        self.reports = reports
    }

    func report(for code: CreditCode) async -> CreditLookup { reports[code.rawValue].map(CreditLookup.found) ?? .notFound }

    static func grade(_ text: String) -> Sales_Opportunities_V1_CreditGrade? {
        switch text.lowercased() {
        case "green", "绿": .green
        case "yellow", "黄": .yellow
        case "red", "红": .red
        default: nil
        }
    }

    static let variable = "SALES_OPPORTUNITIES_CREDIT_BUREAU"
}

enum CreditBureaus {
    /// SALES_OPPORTUNITIES_CREDIT_BUREAU: `file:/path/bureau.csv`, or a bureau's http(s) API with
    /// its token in SALES_OPPORTUNITIES_CREDIT_BUREAU_TOKEN; unset for none.
    static func fromEnvironment(_ environment: Environment) throws -> (any CreditBureau)? {
        let variable = FileCreditBureau.variable
        guard let setting = environment.optional(variable), !setting.isEmpty else { return nil }
        if setting.hasPrefix("file:") { return try FileCreditBureau(path: String(setting.dropFirst("file:".count))) }
        guard let url = URL(string: setting), ["http", "https"].contains(url.scheme ?? ""), url.host?.isEmpty == false else {
            throw ConfigurationError(
                variable: variable, problem: "is \"\(setting)\"; expected file:/path/to/bureau.csv or the bureau's https://… API")
        }
        return HTTPCreditBureau(baseURL: setting, token: environment.optional(variable + "_TOKEN") ?? "")
    }
}
