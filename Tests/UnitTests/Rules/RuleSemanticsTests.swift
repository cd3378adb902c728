import RulesEngine
import Synchronization
import Testing

/// JavaScript's coercions, which JsonLogic inherits, beyond what the official suite covers.
@Suite struct RuleSemanticsTests {
    @Test(arguments: [
        ("{\"cat\": [{\"+\": [0.1, 0.2]}]}", "0.30000000000000004"),
        ("{\"cat\": [1e21]}", "1e+21"),
        ("{\"cat\": [1e20]}", "100000000000000000000"),
        ("{\"cat\": [1e-7]}", "1e-7"),
        ("{\"cat\": [0.000001]}", "0.000001"),
        ("{\"cat\": [-1.5, 2.0]}", "-1.52"),
        ("{\"cat\": [1.5, null, true, [1, [2, null]]]}", "1.5true1,2,"),
        ("{\"cat\": [{\"a\": 1, \"b\": 2}]}", "[object Object]"),
    ])
    func writesNumbersAndValuesAsJavaScriptDoes(rule: String, expected: String) throws {
        #expect(try evaluate(rule) == .string(expected))
    }

    @Test(arguments: [
        ("{\"+\": [\" 12 \"]}", 12.0), ("{\"+\": [\"12px\"]}", 12), ("{\"+\": [\"3.5e2x\"]}", 350), ("{\"+\": [\".5.5\"]}", 0.5),
        ("{\"-\": [\"0x1F\", 0]}", 31), ("{\"-\": [\"\", 1]}", -1), ("{\"-\": [null, 1]}", -1), ("{\"-\": [true, 0]}", 1),
        ("{\"-\": [[5], 0]}", 5), ("{\"*\": [\"2\", \"3\"]}", 6), ("{\"%\": [-7, 3]}", -1), ("{\"-\": [\"1e3\", 0]}", 1000),
    ])
    func convertsTextToNumbersLikeParseFloatAndNumber(rule: String, expected: Double) throws {
        #expect(try evaluate(rule) == .number(expected))
    }

    @Test func unparsableNumbersAreNaNWhichWritesAsNull() throws {
        let value = try evaluate("{\"-\": [\"12px\", 0]}")
        #expect(value.numberValue?.isNaN == true)
        #expect(value.json == "null")
        #expect(try evaluate("{\"!\": [{\"+\": [\"abc\"]}]}") == true)
    }

    @Test(arguments: [
        ("[1, \"1\"]", true), ("[0, \"\"]", true), ("[null, 0]", false), ("[null, null]", true), ("[true, \"1\"]", true),
        ("[[1], \"1\"]", true), ("[[], false]", true), ("[\"abc\", \"abc\"]", true), ("[\"上海\", \"上海\"]", true),
        ("[\"上海\", \"杭州\"]", false), ("[[1, 2], [1, 2]]", true), ("[{\"a\": 1, \"b\": 2}, \"[object Object]\"]", true),
    ])
    func looseEqualityFollowsJavaScript(pair: String, expected: Bool) throws {
        #expect(try evaluate("{\"==\": \(pair)}") == .bool(expected))
        #expect(try evaluate("{\"!=\": \(pair)}") == .bool(!expected))
    }

    @Test func strictEqualityComparesKindAndCodeUnits() throws {
        #expect(try evaluate("{\"===\": [1, 1.0]}") == true)
        #expect(try evaluate("{\"===\": [null, null]}") == true)
        #expect(try evaluate("{\"===\": [\"1\", 1]}") == false)
        // Precomposed é and e + combining acute are equal to Swift's `==`, not to JavaScript's `===`.
        #expect(try evaluate("{\"===\": [\"\\u00e9\", \"e\\u0301\"]}") == false)
    }

    @Test func ordersTextByCodeUnitsAndEverythingElseAsNumbers() throws {
        #expect(try evaluate("{\"<\": [\"10\", \"9\"]}") == true)
        #expect(try evaluate("{\"<\": [\"10\", 9]}") == false)
        #expect(try evaluate("{\"<\": [null, 1]}") == true)
        #expect(try evaluate("{\"<\": [\"a\", 1]}") == false)
        #expect(try evaluate("{\">=\": [\"a\", 1]}") == false)
        #expect(try evaluate("{\"<=\": [\"2025-01-01\", \"2025-06-30T12:00:00Z\", \"2025-12-31\"]}") == true)
        #expect(try evaluate("{\"<\": [1, 5, 5]}") == false)
        #expect(try evaluate("{\"<=\": [1, 5, 5]}") == true)
    }

    @Test func varDistinguishesAbsentFromNullAndReadsLengths() throws {
        #expect(try evaluate("{\"var\": [\"a\", 9]}", ["a": nil]) == .null)
        #expect(try evaluate("{\"var\": [\"a.b\", 9]}", ["a": nil]) == 9)
        #expect(try evaluate("{\"var\": [\"b\", 9]}", ["a": 1]) == 9)
        #expect(try evaluate("{\"var\": \"tags.length\"}", ["tags": ["x", "y"]]) == 2)
        #expect(try evaluate("{\"var\": \"tags.1\"}", ["tags": ["x", "y"]]) == "y")
        #expect(try evaluate("{\"var\": \"tags.01\"}", ["tags": ["x", "y"]]) == .null)
        #expect(try evaluate("{\"var\": \"name.0\"}", ["name": "上海"]) == "上")
        #expect(try evaluate("{\"var\": {\"cat\": [\"a\", \".b\"]}}", ["a": ["b": 7]]) == 7)
    }

    @Test func inSearchesListsStrictlyAndTextBySubstring() throws {
        #expect(try evaluate("{\"in\": [1, [\"1\", 2]]}") == false)
        #expect(try evaluate("{\"in\": [\"州\", \"杭州市\"]}") == true)
        #expect(try evaluate("{\"in\": [\"\", \"\"]}") == false)
        #expect(try evaluate("{\"in\": [\"a\", 5]}") == false)
        #expect(try evaluate("{\"in\": [\"a\", null]}") == false)
        // A long written-out list is hashed; membership must be the same.
        let cities = (0..<40).map { "\"城市\($0)\"" }.joined(separator: ",")
        #expect(try evaluate("{\"in\": [{\"var\": \"c\"}, [\(cities)]]}", ["c": "城市39"]) == true)
        #expect(try evaluate("{\"in\": [{\"var\": \"c\"}, [\(cities)]]}", ["c": "城市40"]) == false)
        #expect(try evaluate("{\"in\": [{\"var\": \"c\"}, [\(cities)]]}", ["c": 39]) == false)
    }

    @Test func divisionAndRemainderByZeroAreNull() throws {
        #expect(try evaluate("{\"/\": [1, 0]}") == .null)
        #expect(try evaluate("{\"/\": [0, 0]}") == .null)
        #expect(try evaluate("{\"%\": [5, 0]}") == .null)
        #expect(try evaluate("{\"/\": [1, \"0\"]}") == .null)
        #expect(try evaluate("{\"/\": [{\"var\": \"a\"}, {\"var\": \"b\"}]}", ["a": 3, "b": 0]) == .null)
        // Null then reads as "no value": not above a threshold, equal to null.
        #expect(try evaluate("{\">\": [{\"/\": [1, 0]}, 5]}") == false)
        #expect(try evaluate("{\"==\": [{\"/\": [1, 0]}, null]}") == true)
    }

    @Test func substrCountsUTF16CodeUnits() throws {
        #expect(try evaluate("{\"substr\": [\"上海市浦东新区\", 3]}") == "浦东新区")
        #expect(try evaluate("{\"substr\": [\"上海市浦东新区\", 0, -2]}") == "上海市浦东")
        #expect(try evaluate("{\"substr\": [12345, 1, 2]}") == "23")
    }

    @Test func reduceSeesCurrentAndAccumulator() throws {
        let rule = "{\"reduce\": [{\"var\": \"xs\"}, {\"cat\": [{\"var\": \"accumulator\"}, {\"var\": \"current.n\"}]}, \"\"]}"
        #expect(try evaluate(rule, ["xs": [["n": "a"], ["n": "b"]]]) == "ab")
    }

    @Test func logPassesItsValueThroughToTheSink() throws {
        let seen = Mutex<[RuleValue]>([])
        var registry = OperatorRegistry.standard
        registry.logSink = { value in seen.withLock { $0.append(value) } }
        #expect(try evaluate("{\"log\": [{\"+\": [1, 2]}]}", registry: registry) == 3)
        #expect(seen.withLock { $0 } == [3])
    }

    @Test func constantsAreFoldedYetBehaveTheSame() throws {
        let compiled = try RuleCompiler().compile(json: "{\"if\": [{\">\": [2, 1]}, {\"cat\": [\"a\", \"b\"]}, {\"var\": \"x\"}]}")
        #expect(try compiled.evaluate(RuleValue.null) == "ab")
    }

    @Test func compiledRulesAreSharedAcrossTasks() async throws {
        let rule = try RuleCompiler(catalog: .lead).compile(json: "{\">=\": [{\"var\": \"budget\"}, 30000]}")
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<8 {
                group.addTask { (try? rule.matches(SampleLead(budgetFen: Int64(index) * 1_000_000))) ?? false }
            }
            var all: [Bool] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(results.filter { $0 }.count == 5)  // ¥30,000 … ¥70,000
    }

    @Test func recordsGetCatalogPositionsAndNamesAlike() throws {
        let lead = SampleLead(custom: ["surgery_form": "signed"])
        let withCatalog = try RuleCompiler(catalog: FieldCatalog.lead.adding(.init(name: "surgery_form", type: .text)))
        let without = RuleCompiler()
        for compiler in [withCatalog, without] {
            #expect(try compiler.compile(json: "{\"var\": \"city\"}").evaluate(lead) == "上海")
            #expect(try compiler.compile(json: "{\"var\": \"budget\"}").evaluate(lead) == 50000)
            #expect(try compiler.compile(json: "{\"var\": \"gps.lat\"}").evaluate(lead) == 31.24)
            #expect(try compiler.compile(json: "{\"var\": \"surgery_form\"}").evaluate(lead) == "signed")
            #expect(try compiler.compile(json: "{\"var\": [\"district\", \"未知\"]}").evaluate(lead) == "未知")
            #expect(try compiler.compile(json: "{\"missing\": [\"city\", \"district\"]}").evaluate(lead) == ["district"])
        }
    }
}
