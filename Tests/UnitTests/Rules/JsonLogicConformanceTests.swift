import Foundation
import RulesEngine
import TestSupport
import Testing

/// The official JsonLogic suite, every case, in the project's own tests (issue 3, item 1).
@Suite struct JsonLogicConformanceTests {
    static let fixture = Fixtures.folder.appendingPathComponent("jsonlogic-tests.json")

    @Test func passesEveryCaseOfTheOfficialSuite() throws {
        let contents = FileManager.default.contents(atPath: Self.fixture.path)
        let data = try #require(contents, "the JsonLogic suite is missing at \(Self.fixture.path); it must be committed with the tests")
        let suite = try RuleValue(json: String(decoding: data, as: UTF8.self))
        let entries = try #require(suite.arrayValue, "the suite must be a JSON array")
        let compiler = RuleCompiler()
        var cases = 0
        var failures: [String] = []
        for entry in entries {
            guard case .array(let triple) = entry else { continue }  // section headings
            cases += 1
            #expect(triple.count == 3, "case \(entry.json) is not [rule, data, expected]")
            guard triple.count == 3 else { continue }
            let (rule, data, expected) = (triple[0], triple[1], triple[2])
            do {
                let got = try compiler.compile(rule).evaluate(data)
                if got != expected {
                    failures.append("rule \(rule.json) with data \(data.json): expected \(expected.json), got \(got.json)")
                }
            } catch {
                failures.append("rule \(rule.json) with data \(data.json): expected \(expected.json), got error \(error)")
            }
        }
        #expect(cases >= 280, "the suite should have about 290 cases; found \(cases)")
        #expect(failures.isEmpty, "\(failures.count) of \(cases) cases failed:\n\(failures.joined(separator: "\n"))")
    }
}
