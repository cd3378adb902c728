import RulesEngine
import Testing

/// "Rule X matched because …" (issue 3, item 5's explanations).
@Suite struct ExplanationTests {
    let compiler = RuleCompiler(registry: .domain(), catalog: .lead)
    let routing = "{\"and\": [{\"in\": [{\"var\": \"city\"}, [\"上海\", \"杭州\"]]}, {\">=\": [{\"var\": \"budget\"}, 30000]}]}"

    @Test func saysWhichConditionsHeldWithTheValuesSeen() throws {
        let explanation = try compiler.compile(json: routing).explain(SampleLead(city: "上海", budgetFen: 5_000_000))
        #expect(explanation.held)
        #expect(explanation.summary == "city=上海 ∈ [上海, 杭州] and budget 50000 ≥ 30000")
        #expect(explanation.children.map(\.operation) == ["in", ">="])
        #expect(explanation.children[0].children[0].field == "city")
        #expect(explanation.children[0].children[0].value == "上海")
        #expect(
            explanation.outline == """
                ✓ city=上海 ∈ [上海, 杭州] and budget 50000 ≥ 30000
                  ✓ city=上海 ∈ [上海, 杭州]
                    ✓ city=上海
                  ✓ budget 50000 ≥ 30000
                    ✓ budget=50000
                """)
    }

    @Test func saysWhichConditionFailedAndStopsThere() throws {
        let explanation = try compiler.compile(json: routing).explain(SampleLead(city: "北京"))
        #expect(!explanation.held)
        #expect(explanation.summary == "city=北京 ∉ [上海, 杭州]")
        #expect(explanation.children.count == 1)
        let poor = try compiler.compile(json: routing).explain(SampleLead(city: "杭州", budgetFen: 1_000_000))
        #expect(poor.summary == "budget 10000 < 30000")
    }

    @Test func explainsNegationsAlternativesRangesAndLists() throws {
        let rule = """
            {"and": [
              {"!": {"in": [{"var": "industry"}, ["教育", "政府"]]}},
              {"or": [{"==": [{"var": "channel"}, "douyin"]}, {">=": [{"var": "budget"}, 30000]}]},
              {"<=": [10, {"var": "employee_count"}, 500]},
              {"some": [{"var": "tags"}, {"in": [{"var": ""}, ["展会", "老客户"]]}]}
            ]}
            """
        let explanation = try compiler.compile(json: rule).explain(SampleLead())
        #expect(
            explanation.summary
                == "industry=医疗器械 ∉ [教育, 政府] and budget 50000 ≥ 30000 and 10 ≤ employee_count 120 ≤ 500 and some element of tags=[展会, 高意向] matched: 展会 ∈ [展会, 老客户]"
        )
        let failing = try compiler.compile(json: rule).explain(SampleLead(channel: "web_form", budgetFen: 100))
        #expect(failing.summary == "channel=web_form ≠ douyin and budget 1 < 30000")
    }

    @Test func explainsDomainOperatorsAndTheRuleValue() throws {
        let rule = try compiler.compile(
            json: "{\"if\": [{\"geo_within\": [{\"var\": \"gps\"}, {\"lat\": 31.2304, \"lng\": 121.4737, \"radius_m\": 5000}]}, \"华东一组\", \"公海\"]}")
        let explanation = try rule.explain(SampleLead())
        #expect(explanation.value == "华东一组")
        #expect(
            explanation.summary
                == "geo_within(gps {\"lat\":31.24,\"lng\":121.49}, {\"lat\":31.2304,\"lng\":121.4737,\"radius_m\":5000}) = true → 华东一组")
        #expect(try rule.evaluate(SampleLead()) == explanation.value)
    }
}
