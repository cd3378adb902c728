import RulesEngine
import Testing

/// Validation on save against the lead catalog (issue 3, item 4).
@Suite struct CatalogCheckTests {
    let compiler = RuleCompiler(registry: .domain(), catalog: .lead)

    @Test func unknownFieldsNameTheNearestKnownField() {
        #expect(
            compiler.problemLines("{\"==\": [{\"var\": \"sorce\"}, \"展会\"]}")
                == ["==[0]: `sorce` is not a lead field; did you mean `source`?"])
        #expect(
            compiler.problemLines("{\">\": [{\"var\": \"employe_count\"}, 10]}")
                == [">[0]: `employe_count` is not a lead field; did you mean `employee_count`?"])
        #expect(compiler.problemLines("{\"var\": \"zzzzzzzz\"}") == ["(rule): `zzzzzzzz` is not a lead field"])
        #expect(compiler.problemLines("{\"missing\": [\"city\", \"citty\"]}") == ["missing[1]: `citty` is not a lead field; did you mean `city`?"])
    }

    @Test func typeMismatchesAreRefused() {
        #expect(compiler.problemLines("{\"==\": [{\"var\": \"city\"}, 5]}") == ["(rule): `==` compares text field `city` with number 5"])
        #expect(compiler.problemLines("{\">=\": [{\"var\": \"city\"}, 30000]}") == ["(rule): `>=` compares text field `city` with number 30000"])
        #expect(compiler.problemLines("{\"+\": [{\"var\": \"inquiry\"}, 1]}") == ["+[0]: `+` does arithmetic on text field `inquiry`"])
        #expect(compiler.problemLines("{\"<\": [{\"var\": \"phone_verified\"}, 1]}") == ["<[0]: `<` cannot order boolean field `phone_verified`"])
        #expect(
            compiler.problemLines("{\"in\": [{\"var\": \"budget\"}, [\"a\", \"b\"]]}") == [
                "(rule): `in` looks for money field `budget` in a list of text"
            ])
        #expect(compiler.problemLines("{\"some\": [{\"var\": \"city\"}, true]}") == ["some[0]: `some` needs a list; got text field `city`"])
        #expect(
            compiler.problemLines("{\"geo_within\": [{\"var\": \"city\"}, {\"lat\": 31, \"lng\": 121, \"radius_m\": 9}]}")
                == ["geo_within[0]: `geo_within` takes an object as its point; got text field `city`"])
        #expect(
            compiler.problemLines("{\"==\": [{\"var\": \"channel\"}, \"wechatt\"]}")
                == ["(rule): \"wechatt\" is not an option of choice field `channel` (web_form, douyin, wechat, meituan, trade_show, store_pos, api)"])
    }

    @Test func wellTypedRulesPass() {
        let rules = [
            "{\"and\": [{\"in\": [{\"var\": \"city\"}, [\"上海\", \"杭州\"]]}, {\">=\": [{\"var\": \"budget\"}, 30000]}]}",
            "{\"<=\": [10, {\"var\": \"employee_count\"}, 500]}",
            "{\"some\": [{\"var\": \"tags\"}, {\"in\": [{\"var\": \"\"}, [\"展会\", \"VIP\"]]}]}",
            "{\">\": [{\"var\": \"tags.length\"}, 2]}",
            "{\"<\": [{\"var\": \"gps.lat\"}, 32]}",
            "{\">=\": [{\"var\": \"created_at\"}, \"2025-01-01\"]}",
            "{\"in\": [\"CT\", {\"var\": \"inquiry\"}]}",
            "{\"reduce\": [{\"var\": \"tags\"}, {\"cat\": [{\"var\": \"accumulator\"}, {\"var\": \"current\"}]}, \"\"]}",
            "{\"geo_within\": [{\"var\": \"gps\"}, [[30.2, 120.1], [30.2, 120.2], [30.3, 120.2]]]}",
            "{\"contains_any\": [{\"var\": \"inquiry\"}, [\"CT\", \"MRI\"]]}",
            "{\"==\": [{\"var\": \"grade\"}, \"A\"]}",
            "{\"!\": {\"missing\": [\"phone_verified\"]}}",
        ]
        for rule in rules {
            #expect(compiler.problemLines(rule) == [], "\(rule)")
        }
    }

    @Test func insideIterationsVarReadsTheElement() {
        #expect(
            compiler.problemLines("{\"some\": [{\"var\": \"tags\"}, {\"==\": [{\"var\": \"city\"}, \"上海\"]}]}")
                == ["some[1].==[0]: inside `some`, `var` \"city\" reads an element of list of text field `tags`, which has no `city`"])
        #expect(
            compiler.problemLines("{\"map\": [{\"var\": \"tags\"}, {\"+\": [{\"var\": \"\"}, 1]}]}")
                == ["map[1].+[0]: `+` does arithmetic on an element of list of text field `tags`"])
        #expect(
            compiler.problemLines("{\"reduce\": [{\"var\": \"tags\"}, {\"var\": \"total\"}, 0]}")
                == ["reduce[1]: inside `reduce`, `var` reads `current` or `accumulator`, not `total`"])
        // Elements of unknown shape (a computed list) are not second-guessed.
        #expect(compiler.problemLines("{\"some\": [[{\"a\": 1, \"b\": 2}], {\"==\": [{\"var\": \"a\"}, 1]}]}") == [])
    }

    @Test func fieldsNeedNamingToBeChecked() {
        #expect(
            compiler.problemLines("{\"var\": {\"cat\": [\"ci\", \"ty\"]}}")
                == ["(rule): a computed `var` path cannot be checked against the lead catalog; name the field"])
        #expect(
            compiler.problemLines("{\"var\": \"gps.altitude\"}") == ["(rule): `gps.altitude` does not exist: geo point field `gps` has no `altitude`"]
        )
        #expect(
            compiler.problemLines("{\"var\": \"budget.amount\"}") == ["(rule): `budget.amount` does not exist: money field `budget` has no `amount`"])
    }

    @Test func everyProblemOfARuleIsListed() {
        let lines = compiler.problemLines(
            """
            {"and": [{"==": [{"var": "sorce"}, "展会"]}, {">": [{"var": "city"}, 5]}, {"frob": []}, {"==": [1]}]}
            """)
        #expect(
            lines == [
                "and[2]: `frob` is not an operator",
                "and[3]: `==` takes 2 arguments; got 1",
                "and[0].==[0]: `sorce` is not a lead field; did you mean `source`?",
                "and[1]: `>` compares text field `city` with number 5",
            ])
    }

    @Test func fieldsATenantAddsAreKnownToTheCheck() throws {
        var catalog = FieldCatalog.lead
        try catalog.add(.init(name: "surgery_form", type: .text, label: "术式确认单"))
        let custom = RuleCompiler(catalog: catalog)
        #expect(custom.problemLines("{\"!\": {\"missing\": [\"surgery_form\"]}}") == [])
        #expect(custom.problemLines("{\"var\": \"surgery_from\"}") == ["(rule): `surgery_from` is not a lead field; did you mean `surgery_form`?"])
        #expect(throws: FieldCatalogError.self) { try catalog.add(.init(name: "city", type: .text)) }
        #expect(throws: FieldCatalogError.self) { try catalog.add(.init(name: "Bad Name", type: .text)) }
        #expect(catalog.field(named: "surgery_form")?.isCustom == true)
    }
}
