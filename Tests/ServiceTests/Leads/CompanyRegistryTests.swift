import Foundation
import SalesModel
import ServiceKit
import TestSupport
import Testing

@testable import LeadsService

/// The company-registry plugins: the file an operator keeps, and a registry API over real HTTP.
@Suite struct CompanyRegistryTests {
    @Test func theFileRegistryReadsItsColumnsAndNamesABadLine() throws {
        let code = CreditCode.completing("91330106MA27XK4L0")!
        let companies = try FileCompanyRegistry.parse(
            "\u{FEFF}industry,credit_code,employee_count\n软件,\(code),85\n\n", path: "companies.csv")
        #expect(companies[code] == CompanyProfile(industry: "软件", employeeCount: 85))

        let badLine = #expect(throws: ConfigurationError.self) {
            try FileCompanyRegistry.parse("credit_code,industry\n\(code),软件\n91330106MA27XK4L1,软件\n", path: "companies.csv")
        }
        #expect(badLine?.problem.contains("companies.csv line 3") == true, "\(String(describing: badLine))")
        let noIndustry = #expect(throws: ConfigurationError.self) { try FileCompanyRegistry.parse("credit_code,name\n", path: "c.csv") }
        #expect(noIndustry?.problem.contains("credit_code and industry") == true)
    }

    @Test func theHTTPRegistryAnswersKeepsAndNeverHoldsIntakeUp() async throws {
        let endpoints = VendorEndpoints()
        try await endpoints.serving { base in
            let registry = HTTPCompanyRegistry(baseURL: base + "/", token: "registry-token")
            let known = CreditCode(VendorEndpoints.registeredCode)!
            let profile = await registry.lookup(known)
            #expect(profile == CompanyProfile(name: "宁波精工机械有限公司", industry: "机械", employeeCount: 320, city: "宁波", district: "鄞州区"))
            #expect(await registry.lookup(known) == profile)
            let calls = await endpoints.calls(to: "/companies/\(known)")
            #expect(calls.count == 1, "the second answer is kept, not fetched again")
            #expect(calls.first?.headers["authorization"] == "Bearer registry-token")

            #expect(await registry.lookup(CreditCode.completing("91110108MA01N6Q2X")!) == nil, "unknown to the registry")
            #expect(await registry.lookup(CreditCode(VendorEndpoints.failingCode)!) == nil, "a failing registry leaves the lead as it is")
        }
        // Nobody listening: the lookup gives up instead of failing intake.
        let gone = HTTPCompanyRegistry(baseURL: "http://127.0.0.1:9", token: "")
        #expect(await gone.lookup(CreditCode(VendorEndpoints.registeredCode)!) == nil)
    }
}
