import Foundation
import SalesModel
import ServiceKit

/// What a company registry knows of a company, by its unified social credit code.
struct CompanyProfile: Sendable, Equatable {
    var name = ""
    var industry = ""
    var employeeCount: Int32?
    var city = ""
    var district = ""
}

/// A company-registry lookup plugin: fills a B2B lead's industry (and size and place when the
/// lead has none) from its credit code before grading and routing. A lookup that fails or times
/// out leaves the lead as it came: intake never waits on a registry for long or fails because of one.
protocol CompanyRegistry: Sendable {
    /// Where it looks, for logs: "file /…/companies.csv" or "https://…".
    var source: String { get }
    func lookup(_ code: CreditCode) async -> CompanyProfile?
}

enum CompanyRegistries {
    /// SALES_LEADS_COMPANY_REGISTRY: `file:/path/companies.csv` (the default provider: a CSV an
    /// operator keeps), `https://registry.example.com/api` (an HTTP registry API, with
    /// SALES_LEADS_COMPANY_REGISTRY_TOKEN as its bearer token), or unset for none.
    static func fromEnvironment(_ environment: Environment) throws -> (any CompanyRegistry)? {
        guard let spec = environment.optional("SALES_LEADS_COMPANY_REGISTRY"), !spec.isEmpty else { return nil }
        if spec.hasPrefix("file:") { return try FileCompanyRegistry(path: String(spec.dropFirst(5))) }
        if spec.hasPrefix("http://") || spec.hasPrefix("https://") {
            return HTTPCompanyRegistry(baseURL: spec, token: environment.optional("SALES_LEADS_COMPANY_REGISTRY_TOKEN") ?? "")
        }
        throw ConfigurationError(
            variable: "SALES_LEADS_COMPANY_REGISTRY",
            problem: "is \"\(spec)\"; expected file:/path/to/companies.csv or an http(s) URL of a registry API")
    }
}

extension LeadProfile {
    /// The profile with what the registry knows filled in where the lead said nothing.
    func completed(by company: CompanyProfile) -> LeadProfile {
        var profile = self
        if profile.industry.isEmpty { profile.industry = company.industry }
        if profile.employeeCount == nil { profile.employeeCount = company.employeeCount }
        if profile.district.isEmpty { profile.district = company.district }
        return profile
    }
}
