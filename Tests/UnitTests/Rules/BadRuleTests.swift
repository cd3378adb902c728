import RulesEngine
import Testing

/// Rules that must be refused with a clear error, or evaluated without harm: never a crash.
@Suite struct BadRuleTests {
    let compiler = RuleCompiler(registry: .domain())

    func problems(_ json: String) -> [RuleProblem] {
        compiler.check(json: json)
    }

    @Test(arguments: [
        ("{\"and\": [true, }", "line 1, column 16: expected a value"),
        ("{\"==\": [1, 2]", "expected ',' or '}' in an object"),
        ("\"unterminated", "text is not closed"),
        ("", "the document is empty"),
        ("{\"var\" \"a\"}", "expected ':' after a member name"),
        ("tru", "expected a value"),
        ("01", "unexpected text after the end of the document"),
        ("{\"a\": 1}\n{\"b\": 2}", "line 2, column 1: unexpected text"),
        ("[1, 2,]", "expected a value"),
        ("{\"cat\": [\"bad \\q escape\"]}", "unknown escape"),
        ("{\"+\": [1.]}", "digits after '.'"),
    ])
    func malformedJSONSaysWhereAndWhat(json: String, expected: String) {
        let found = problems(json)
        #expect(found.count == 1)
        #expect(found.first?.kind == .malformedJSON)
        #expect(found.first?.message.contains(expected) == true, "\(found)")
    }

    @Test func unknownOperatorsAreRefusedWithTheirPathAndANearName() {
        let found = problems("{\"and\": [true, {\"or\": [false, {\"sme\": [[1], true]}]}, {\"frobnicate\": 1}]}")
        #expect(found.map(\.kind) == [.unknownOperator, .unknownOperator])
        #expect(found.map(\.path.description) == ["and[1].or[1]", "and[2]"])
        #expect(found[0].message == "`sme` is not an operator; did you mean `some`?")
        #expect(found[1].message == "`frobnicate` is not an operator")
    }

    @Test func unregisteredDomainOperatorsAreRefusedAtSave() {
        let plain = RuleCompiler()
        let found = plain.check(json: "{\"and\": [true, {\"geo_within\": [{\"var\": \"gps\"}, {\"lat\": 31, \"lng\": 121, \"radius_m\": 10}]}]}")
        #expect(found.map(\.description) == ["and[1]: `geo_within` is not an operator"])
    }

    @Test func wrongArgumentCountsAreRefused() {
        #expect(problems("{\"==\": [1]}").map(\.description) == ["(rule): `==` takes 2 arguments; got 1"])
        #expect(problems("{\"and\": [{\"<\": [1, 2, 3, 4]}]}").map(\.description) == ["and[0]: `<` takes 2 to 3 arguments; got 4"])
        #expect(problems("{\"!\": []}").map(\.description) == ["(rule): `!` takes 1 argument; got 0"])
        #expect(problems("{\"or\": []}").map(\.description) == ["(rule): `or` takes at least 1 argument; got 0"])
        #expect(problems("{\"geo_within\": [1]}").map(\.description) == ["(rule): `geo_within` takes 2 arguments; got 1"])
        #expect(problems("{\"business_hours_between\": [\"2025-01-01\"]}").first?.message.contains("2 to 3 arguments") == true)
    }

    @Test func tenThousandLevelsAreAnErrorNotACrash() {
        let depth = 10_000
        let nestedNot = String(repeating: "{\"!\":", count: depth) + "true" + String(repeating: "}", count: depth)
        let nestedList = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let nestedArguments = String(repeating: "{\"and\":[", count: depth) + "true" + String(repeating: "]}", count: depth)
        for rule in [nestedNot, nestedList, nestedArguments] {
            let found = problems(rule)
            #expect(found.count == 1)
            #expect(found.first?.message.contains("nests deeper than \(JSONParser.defaultMaximumDepth) levels") == true, "\(found)")
        }
        #expect(throws: JSONParseError.self) { try RuleValue(json: nestedList) }
    }

    @Test func rulesDeeperThanTheLimitAreRefusedAndRulesWithinItRun() throws {
        func nested(_ depth: Int) -> RuleValue {
            var rule: RuleValue = ["var": "x"]
            for _ in 1..<depth { rule = ["!": rule] }
            return rule
        }
        let found = compiler.check(nested(RuleLimits.maximumDepth + 1))
        #expect(found.count == 1)
        #expect(found.first?.kind == .tooDeep)
        #expect(found.first?.message == "the rule nests deeper than 256 levels; split it into simpler rules")
        // The deepest rule allowed compiles and evaluates on a test thread's stack.
        let deepest = try compiler.compile(nested(RuleLimits.maximumDepth))
        #expect(try deepest.evaluate(["x": true] as RuleValue) == .bool(RuleLimits.maximumDepth % 2 == 1))
        _ = try deepest.explain(["x": true] as RuleValue)
    }

    @Test func hugeArraysAreHandled() throws {
        let big = RuleValue.array((0..<100_000).map { .number(Double($0)) })
        let data: RuleValue = ["big": big, "other": .array((0..<100_000).map { .string("s\($0)") })]
        #expect(try evaluate("{\"in\": [99999, {\"var\": \"big\"}]}", data) == true)
        #expect(try evaluate("{\"in\": [100000, {\"var\": \"big\"}]}", data) == false)
        let merged = try evaluate("{\"merge\": [{\"var\": \"big\"}, {\"var\": \"other\"}, [1]]}", data)
        #expect(merged.arrayValue?.count == 200_001)
        #expect(
            try evaluate("{\"reduce\": [{\"var\": \"big\"}, {\"+\": [{\"var\": \"accumulator\"}, {\"var\": \"current\"}]}, 0]}", data)
                == 4_999_950_000)
        #expect(try evaluate("{\"some\": [{\"var\": \"big\"}, {\">\": [{\"var\": \"\"}, 99998]}]}", data) == true)
        // A written-out list of 100,000 texts in the rule itself.
        let list = "[" + (0..<100_000).map { "\"c\($0)\"" }.joined(separator: ",") + "]"
        #expect(try evaluate("{\"in\": [{\"var\": \"c\"}, \(list)]}", ["c": "c77777"]) == true)
    }

    @Test func rulesThatWouldExhaustMemoryStopWithAnError() throws {
        // Each level maps over a one-element list and doubles its element: a rule of linear size
        // whose value would reach 2^30 elements (or 2^31 characters) if nothing stopped it.
        var doubling = "[[1]]"
        var text = "[\"xx\"]"
        for _ in 0..<30 {
            doubling = "{\"map\": [\(doubling), {\"merge\": [{\"var\": \"\"}, {\"var\": \"\"}]}]}"
            text = "{\"map\": [\(text), {\"cat\": [{\"var\": \"\"}, {\"var\": \"\"}]}]}"
        }
        #expect {
            try compiler.compile(json: doubling).evaluate(RuleValue.null)
        } throws: { error in
            (error as? RuleEvaluationError)?.message == "`merge` would build a list of more than \(RuleLimits.maximumArrayCount) elements"
        }
        #expect {
            try compiler.compile(json: text).evaluate(RuleValue.null)
        } throws: { error in
            (error as? RuleEvaluationError)?.message == "`cat` would build text longer than \(RuleLimits.maximumTextLength) bytes"
        }
    }

    @Test func badDataIsAnErrorFromTheOperatorNotACrash() throws {
        let rule = try compiler.compile(json: "{\"geo_within\": [{\"var\": \"p\"}, {\"lat\": 31.2, \"lng\": 121.4, \"radius_m\": 500}]}")
        #expect {
            try rule.evaluate(["p": "nowhere"] as RuleValue)
        } throws: { error in
            (error as? RuleEvaluationError)?.message == "`geo_within` at (rule): the point must be {\"lat\": …, \"lng\": …}; got \"nowhere\""
        }
    }

    @Test func everyProblemIsReportedNotJustTheFirst() {
        let found = problems("{\"and\": [{\"==\": [1]}, {\"nope\": []}, {\"in_mapping\": [{\"var\": \"city\"}, \"no_such_table\"]}]}")
        #expect(found.map(\.path.description) == ["and[0]", "and[1]", "and[2]"])
        #expect(found.map(\.kind) == [.wrongArity, .unknownOperator, .invalidArgument])
    }
}
