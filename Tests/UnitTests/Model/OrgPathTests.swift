import SalesModel
import Testing

@Suite struct OrgPathTests {
    @Test func aPathContainsItselfAndWhatLiesBelowSegmentBySegment() throws {
        let team = try #require(OrgPath("/north/n"))
        #expect(team.contains("/north/n"))
        #expect(team.contains("/north/n/a"))
        #expect(!team.contains("/north/n1"))
        #expect(!team.contains("/north"))
        #expect(!team.contains("north/n/a"))
        #expect(OrgPath.root.contains("/anything/below"))
        #expect(try #require(OrgPath("/north/n_")).contains("/north/n1") == false)
    }

    @Test func validityAndDepth() {
        #expect(OrgPath("/east/east-sh/")?.rawValue == "/east/east-sh")
        #expect(OrgPath("/east//sh") == nil)
        #expect(OrgPath("east") == nil)
        #expect(OrgPath("") == nil)
        #expect(OrgPath("/" + String(repeating: "a", count: OrgPath.maximumLength)) == nil)
        #expect(OrgPath("/east/east-sh")?.depth == 2)
        #expect(OrgPath.root.depth == 0)
        #expect(OrgPath.isValid("/east/east-sh"))
        #expect(!OrgPath.isValid("/east/"))
        #expect(!OrgPath.isValid("/"))
        #expect(OrgPath.root.appending("east").appending("sh").rawValue == "/east/sh")
    }
}

@Suite struct HalfWidthTests {
    @Test func fullWidthPhonesAndCodesReadAsTyped() {
        #expect(PhoneNumber("８６１３８００１３８０００")?.e164 == "+8613800138000")
        #expect(PhoneNumber("＋８６　１３８－００１３－８０００")?.e164 == "+8613800138000")
        #expect(PhoneNumber("（１３８）００１３８０００")?.e164 == "+8613800138000")
        #expect(PhoneNumber("１２３") == nil)
        let code = CreditCode.completing("91310000MA1FL8XQ3")!.rawValue
        let wide = String(String.UnicodeScalarView(code.unicodeScalars.map { Unicode.Scalar($0.value + 0xFEE0)! }))
        #expect(CreditCode(wide)?.rawValue == code)
    }
}

@Suite struct SpokenDurationTests {
    @Test(arguments: [
        (0.0003, false, "under a minute", "不到 1 分钟"),
        (0.75, false, "45 minutes", "45 分钟"),
        (2.5, false, "2 hours 30 minutes", "2 小时 30 分钟"),
        (1, false, "1 hour", "1 小时"),
        (76, false, "3 days 4 hours", "3 天 4 小时"),
        (50, true, "50 working hours", "50 个工作小时"),
    ])
    func durationsReadAsAPersonSaysThem(hours: Double, business: Bool, english: String, chinese: String) {
        let spoken = SpokenDuration(hours: hours, business: business)
        #expect(spoken.english == english)
        #expect(spoken.chinese == chinese)
    }
}
