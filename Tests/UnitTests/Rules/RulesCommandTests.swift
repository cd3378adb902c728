import Foundation
import RulesEngine
import SalesControl
import Testing

/// `salesctl rules eval` and `salesctl rules check`, through the library they call (issue 3, item 8).
@Suite struct RulesCommandTests {
    @Test func evalPrintsTheResultAsJSON() throws {
        #expect(try RuleEval.evaluate(rule: "{\"+\": [1, {\"var\": \"a\"}]}", data: "{\"a\": 2}") == "3")
        #expect(try RuleEval.evaluate(rule: "{\"merge\": [[\"上海\"], {\"var\": \"more\"}]}", data: "{\"more\": [\"杭州\"]}") == "[\"上海\",\"杭州\"]")
        #expect(try RuleEval.evaluate(rule: "{\"var\": \"\"}", data: nil) == "null")
        #expect(try RuleEval.evaluate(rule: "{\"/\": [1, 0]}", data: nil) == "null")
        #expect(throws: RuleToolError.self) { try RuleEval.evaluate(rule: "{\"frob\": 1}", data: nil) }
        #expect(throws: RuleToolError.self) { try RuleEval.evaluate(rule: "{\"var\": \"a\"}", data: "{a: 1}") }
        #expect(throws: RuleToolError.self) { try RuleEval.evaluate(rule: "{\"var\": \"sorce\"}", data: nil, domain: "lead") }
        #expect(throws: RuleToolError.self) { try RuleEval.evaluate(rule: "true", data: nil, domain: "spaceships") }
    }

    @Test func batchAnswersEveryLineEvenAfterABadOne() throws {
        let input = [
            "{\"rule\": {\"+\": [1, 2]}, \"data\": null}",
            "{\"rule\": {\"and\": [true, }",
            "{\"rule\": {\"frobnicate\": [1]}}",
            "",
            "[1, 2]",
            "{\"rule\": {\"geo_within\": [{\"var\": \"p\"}, {\"lat\": 31.2, \"lng\": 121.4, \"radius_m\": 1000}]}, \"data\": {\"p\": \"nowhere\"}}",
            "{\"data\": {}}",
            "{\"rule\": {\"in\": [{\"var\": \"city\"}, [\"上海\", \"杭州\"]]}, \"data\": {\"city\": \"杭州\"}}\r",
            "{\"rule\": {\"in\": [{\"var\": \"city\"}, [\"上海\", \"杭州\"]]}, \"data\": {\"city\": \"北京\"}}",
        ]
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rules-batch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inPath = directory.appendingPathComponent("in.jsonl").path
        let outPath = directory.appendingPathComponent("out.jsonl").path
        #expect(FileManager.default.createFile(atPath: inPath, contents: Data(input.joined(separator: "\n").utf8)))
        #expect(FileManager.default.createFile(atPath: outPath, contents: nil))
        let reading = try #require(FileHandle(forReadingAtPath: inPath))
        let writing = try #require(FileHandle(forWritingAtPath: outPath))
        var batch = try RuleBatch()
        try batch.run(input: reading, output: writing)
        try writing.close()
        let output = String(decoding: try #require(FileManager.default.contents(atPath: outPath)), as: UTF8.self)
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == input.count + 1 && lines.last == "", "one answer per line: \(output)")
        #expect(lines[0] == "{\"result\":3}")
        #expect(lines[1] == "{\"error\":\"line 2: malformed JSON at line 1, column 25: expected a value\"}")
        #expect(lines[2] == "{\"error\":\"line 3: the rule is refused: (rule): `frobnicate` is not an operator\"}")
        #expect(lines[3] == "{\"error\":\"line 4: empty line; expected {\\\"rule\\\": …, \\\"data\\\": …}\"}")
        #expect(lines[4] == "{\"error\":\"line 5: expected {\\\"rule\\\": …, \\\"data\\\": …}; got list\"}")
        #expect(lines[5].hasPrefix("{\"error\":\"line 6: evaluation failed: `geo_within` at (rule): the point must be"))
        #expect(lines[6] == "{\"error\":\"line 7: the line has no \\\"rule\\\"\"}")
        #expect(lines[7] == "{\"result\":true}")
        #expect(lines[8] == "{\"result\":false}")
    }

    @Test func checkListsEveryProblemWithItsPath() throws {
        let ruleSet = """
            {"name": "华东路由", "rules": [
              {"id": "sh-big", "rule": {"and": [{"in": [{"var": "city"}, ["上海"]]}, {">=": [{"var": "budget"}, 30000]}]}},
              {"id": "typo", "rule": {"and": [{"==": [{"var": "sorce"}, "展会"]}, {">": [{"var": "city"}, 5]}]}},
              {"id": "typo", "rule": {"frob": [1]}},
              {"id": "arith", "rule": {"+": [{"var": "inquiry"}, 1]}},
              {"rule": {"some": [{"var": "tags"}, {"==": [{"var": "city"}, "x"]}]}},
              {"id": "empty"}
            ]}
            """
        let report = try RuleSetCheck.check(text: ruleSet, domain: "lead")
        #expect(!report.isClean)
        #expect(
            report.lines == [
                "rules[1].and[0].==[0] [typo]: `sorce` is not a lead field; did you mean `source`?",
                "rules[1].and[1] [typo]: `>` compares text field `city` with number 5",
                "rules[2].id [typo]: id \"typo\" is already used by rules[1]",
                "rules[2] [typo]: `frob` is not an operator",
                "rules[3].+[0] [arith]: `+` does arithmetic on text field `inquiry`",
                "rules[4]: the rule needs an \"id\"",
                "rules[4].some[1].==[0]: inside `some`, `var` \"city\" reads an element of list of text field `tags`, which has no `city`",
                "rules[5] [empty]: the rule needs a \"rule\" (the JsonLogic document)",
                "rule set \"华东路由\": 8 problems in 5 of 6 rules",
            ])
    }

    @Test func checkPassesAGoodRuleSetAndRefusesAMalformedFile() throws {
        let good = try RuleSetCheck.check(text: "{\"name\": \"ok\", \"rules\": [{\"id\": \"a\", \"rule\": {\"==\": [{\"var\": \"grade\"}, \"A\"]}}]}")
        #expect(good.isClean)
        #expect(good.lines == ["rule set \"ok\": 1 rules, no problems"])
        let malformed = try RuleSetCheck.check(text: "{\"name\": \"x\", \"rules\": [")
        #expect(malformed.lines.first?.hasPrefix("(rule): malformed JSON at line 1, column 25") == true)
        let shapeless = try RuleSetCheck.check(text: "{\"rules\": {}}")
        #expect(shapeless.lines.dropLast() == ["name: the rule set needs a name", "rules: \"rules\" must be a list"])
        #expect(throws: RuleToolError.self) { try RuleSetCheck.check(text: "{}", domain: "spaceships") }
    }

    @Test func operatorDataComesFromFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rules-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let mappings = directory.appendingPathComponent("mappings.json").path
        let calendar = directory.appendingPathComponent("calendar.json").path
        _ = FileManager.default.createFile(atPath: mappings, contents: Data("{\"city_group\": {\"上海\": \"华东一组\"}}".utf8))
        _ = FileManager.default.createFile(atPath: calendar, contents: Data("{\"make_up_workdays\": [\"2025-10-11\"]}".utf8))
        let environment = try RuleToolEnvironment.load(mappingsPath: mappings, calendarPath: calendar)
        #expect(try RuleEval.evaluate(rule: "{\"in_mapping\": [\"上海\", \"city_group\"]}", data: nil, environment: environment) == "\"华东一组\"")
        #expect(
            try RuleEval.evaluate(
                rule: "{\"business_hours_between\": [\"2025-10-11T09:00:00+08:00\", \"2025-10-11T12:00:00+08:00\"]}", data: nil,
                environment: environment) == "3")
        #expect(throws: RuleToolError.self) { try RuleToolEnvironment.load(mappingsPath: calendar + ".missing", calendarPath: nil) }
    }
}
