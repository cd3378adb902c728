import Foundation
import SalesModel
import ServiceKit

/// The default registry: a UTF-8 CSV an operator keeps (or exports from a data vendor), read once
/// at start. Header: credit_code,name,industry,employee_count,city,district (any order; only
/// credit_code and industry are required).
struct FileCompanyRegistry: CompanyRegistry {
    let source: String
    let companies: [CreditCode: CompanyProfile]

    init(path: String) throws {
        source = "file \(path)"
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(variable: "SALES_LEADS_COMPANY_REGISTRY", problem: "names \(path), which cannot be read as UTF-8 text")
        }
        companies = try Self.parse(text, path: path)
    }

    func lookup(_ code: CreditCode) async -> CompanyProfile? { companies[code] }

    /// Rows of simple CSV (no quoted commas: registry exports are plain). A bad row stops the
    /// start with its line, so a broken file is fixed rather than half used.
    static func parse(_ text: String, path: String) throws -> [CreditCode: CompanyProfile] {
        var lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\u{FEFF} ")) }
        guard !lines.isEmpty else { return [:] }
        let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        func column(_ name: String) -> Int? { header.firstIndex(of: name) }
        guard let codeColumn = column("credit_code"), let industryColumn = column("industry") else {
            throw ConfigurationError(variable: "SALES_LEADS_COMPANY_REGISTRY", problem: "\(path): the header needs credit_code and industry columns")
        }
        var companies: [CreditCode: CompanyProfile] = [:]
        for (offset, line) in lines.enumerated() where !line.isEmpty {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            func cell(_ index: Int?) -> String { index.flatMap { $0 < cells.count ? cells[$0] : nil } ?? "" }
            guard let code = CreditCode(cell(codeColumn)) else {
                throw ConfigurationError(
                    variable: "SALES_LEADS_COMPANY_REGISTRY",
                    problem: "\(path) line \(offset + 2): \"\(cell(codeColumn))\" is not a unified social credit code")
            }
            let employees = cell(column("employee_count"))
            companies[code] = CompanyProfile(
                name: cell(column("name")), industry: cell(industryColumn),
                employeeCount: employees.isEmpty ? nil : Int32(employees),
                city: cell(column("city")), district: cell(column("district")))
        }
        return companies
    }
}
