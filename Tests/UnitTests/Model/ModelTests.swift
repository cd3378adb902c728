import Foundation
import SalesModel
import Testing

@Suite struct PhoneNumberTests {
    @Test(arguments: [
        "13812345678", "138 1234 5678", "138-1234-5678", "+86 138 1234 5678", "+8613812345678", "008613812345678", "8613812345678", "(138)12345678",
    ])
    func acceptsTheWaysPeopleTypeAMobile(input: String) throws {
        let phone = try #require(PhoneNumber(input))
        #expect(phone.e164 == "+8613812345678")
        #expect(phone.masked == "138****5678")
    }

    @Test(arguments: ["", "1381234567", "138123456789", "12812345678", "23812345678", "+1 415 555 0100", "1381234567x", "０１３８１２３４５６７８"])
    func refusesWhatIsNotAMainlandMobile(input: String) {
        #expect(PhoneNumber(input) == nil)
    }
}

@Suite struct MoneyTests {
    @Test func scalesWithHalfAwayFromZeroRounding() throws {
        #expect(Money(minorUnits: 1_005, currency: .cny).scaled(byPercent: 10)?.minorUnits == 101)  // 100.5 → 101
        #expect(Money(minorUnits: -1_005, currency: .cny).scaled(byPercent: 10)?.minorUnits == -101)
        #expect(Money(minorUnits: 128_000_000, currency: .cny).scaled(byPercent: 75)?.minorUnits == 96_000_000)
        #expect(Money(minorUnits: .max, currency: .cny).scaled(byPercent: 2) == nil)
    }

    @Test func addsOnlyTheSameCurrencyWithoutOverflow() {
        let usd = Currency("USD")!
        #expect(Money(minorUnits: 1, currency: .cny).adding(Money(minorUnits: 2, currency: .cny))?.minorUnits == 3)
        #expect(Money(minorUnits: 1, currency: .cny).adding(Money(minorUnits: 2, currency: usd)) == nil)
        #expect(Money(minorUnits: .max, currency: .cny).adding(Money(minorUnits: 1, currency: .cny)) == nil)
    }

    @Test func printsYuanAndFen() {
        #expect(Money(minorUnits: 123_456, currency: .cny).description == "1234.56 CNY")
        #expect(Money(minorUnits: -5, currency: .cny).description == "-0.05 CNY")
        #expect(Currency("cny") == nil)
        #expect(Currency("CN") == nil)
    }
}

@Suite struct IdentifierTests {
    @Test func tenantAndDirectoryKeys() {
        #expect(TenantID("acme-med") != nil)
        #expect(TenantID("A") == nil)
        #expect(TenantID("has space") == nil)
        #expect(TenantID(String(repeating: "a", count: 41)) == nil)
        #expect(Identifier.isValid("li.na", allowing: [".", "_", "-"]))
        #expect(!Identifier.isValid("li.na"))
        #expect(!Identifier.isValid("李娜", allowing: [".", "_", "-"]))
    }

    @Test func servicePortsAndSchemas() {
        #expect(ServiceName.storeSales.schema == "store_sales")
        #expect(ServiceName.storeSales.environmentKey == "SALES_STORE_SALES")
        let ports = ServiceName.allCases.flatMap { [$0.grpcPort(), $0.metricsPort()] } + [ServiceName.gatewayHTTPPort()]
        #expect(Set(ports).count == ports.count, "no two listeners share a port")
    }
}

@Suite struct CallerTests {
    @Test func visibilityFollowsRoles() {
        let tenant = TenantID("demo")!
        let manager = Caller(tenant: tenant, userID: "m", roles: [.manager], orgPath: "/east")
        let rep = Caller(tenant: tenant, userID: "r", roles: [.rep], orgPath: "/east/sh")
        let finance = Caller(tenant: tenant, userID: "f", roles: [.finance], orgPath: "/hq")
        #expect(manager.managedSubtree == OrgPath("/east"))
        #expect(rep.managedSubtree == nil)
        #expect(!rep.seesWholeTenant)
        #expect(finance.seesWholeTenant)
    }
}

@Suite struct CreditCodeTests {
    @Test(arguments: ["91350100M000100Y43", "91440300708461136T", " 91350100m000100y43 "])
    func acceptsValidCodes(input: String) throws {
        let code = try #require(CreditCode(input))
        #expect(code.rawValue == input.trimmingCharacters(in: .whitespaces).uppercased())
    }

    @Test(arguments: [
        "91350100M000100Y44",  // wrong check character
        "91350100M000100Y4",  // 17 characters
        "91350100M000100Y433",  // 19 characters
        "91350100MO00100Y43",  // O is not in the alphabet
        "",
    ])
    func refusesInvalidCodes(input: String) {
        #expect(CreditCode(input) == nil)
    }

    @Test func exposesTheDivision() {
        #expect(CreditCode("91350100M000100Y43")?.divisionCode == "350100")
    }
}

@Suite struct RandomUUIDTests {
    @Test func version4WithTheRFCVariantAndNoRepeats() {
        let ids = (0..<1000).map { _ in UUID.random() }
        #expect(Set(ids).count == 1000)
        for id in ids {
            let text = id.uuidString
            #expect(Array(text)[14] == "4", "version nibble of \(text)")
            #expect("89AB".contains(Array(text)[19]), "variant of \(text)")
        }
    }
}
