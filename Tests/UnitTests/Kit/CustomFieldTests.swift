import SalesProto
import ServiceKit
import SwiftProtobuf
import Testing

@Suite struct CustomFieldTests {
    let stages = ["new", "contacted", "qualified", "converted"]

    func definition(_ key: String, _ type: Sales_Common_V1_FieldType, _ configure: (inout Sales_Common_V1_FieldDefinition) -> Void = { _ in })
        -> Sales_Common_V1_FieldDefinition
    {
        var definition = Sales_Common_V1_FieldDefinition.with {
            $0.key = key; $0.label = key.uppercased(); $0.type = type
        }
        configure(&definition)
        return definition
    }

    func rule(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch let error as ServiceError {
            if case .invalidArgument(let field, let rule) = error { return "\(field): \(rule)" }
            return error.rpcErrorMessage
        } catch { return "\(error)" }
    }

    @Test func definitionsAreChecked() {
        let check = { (d: Sales_Common_V1_FieldDefinition) in
            self.rule { _ = try FieldDefinitionCheck.validated(d, stages: self.stages, builtInFields: ["city"]) }
        }
        #expect(check(definition("surgery_form", .attachment) { $0.requiredFromStage = "qualified" }) == nil)
        #expect(check(definition("Surgery Form", .attachment))?.hasPrefix("definition.key:") == true)
        #expect(check(definition("city", .text))?.contains("built-in") == true)
        #expect(check(definition("kind", .unspecified))?.hasPrefix("definition.type:") == true)
        #expect(check(definition("kind", .choice))?.hasPrefix("definition.choices:") == true)
        #expect(check(definition("kind", .choice) { $0.choices = ["a", "a"] })?.contains("distinct") == true)
        #expect(check(definition("beds", .text) { $0.min = 1 })?.hasPrefix("definition.min:") == true)
        #expect(
            check(
                definition("beds", .number) {
                    $0.min = 5; $0.max = 1
                })?.hasPrefix("definition.max:") == true)
        #expect(check(definition("form", .attachment) { $0.requiredFromStage = "手术跟台" })?.contains("not a stage") == true)
    }

    @Test func valuesAreCheckedAgainstTheirDefinitions() {
        let fields = CustomFieldValues(
            definitions: [
                definition("beds", .number) {
                    $0.min = 1; $0.max = 5000
                },
                definition("budget", .money) { $0.max = 100_000_00 },
                definition("visit_date", .date),
                definition("tier", .choice) { $0.choices = ["三甲", "二甲"] },
                definition("form", .attachment),
                definition("note", .text) { $0.maxLength = 5 },
                definition("vip", .boolean),
            ], stages: stages)
        let validate = { (values: [String: Sales_Common_V1_FieldValue]) in self.rule { try fields.validate(values) } }
        #expect(validate(["beds": .with { $0.number = 800 }, "tier": .with { $0.choice = "三甲" }, "vip": .with { $0.boolean = true }]) == nil)
        #expect(validate(["beds": .with { $0.number = 0 }]) == "custom_fields.beds: must be at least 1")
        #expect(validate(["beds": .with { $0.text = "800" }]) == "custom_fields.beds: BEDS is a number field")
        #expect(
            validate([
                "budget": .with {
                    $0.money = .with {
                        $0.minorUnits = 100; $0.currency = "rmb"
                    }
                }
            ])?.contains("currency") == true)
        #expect(
            validate([
                "budget": .with {
                    $0.money = .with {
                        $0.minorUnits = 100_000_01; $0.currency = "CNY"
                    }
                }
            ])?.contains("at most") == true)
        #expect(validate(["visit_date": .with { $0.date = "2026-02-30" }])?.contains("not a date") == true)
        #expect(validate(["tier": .with { $0.choice = "三级" }])?.contains("not one of") == true)
        #expect(
            validate([
                "form": .with {
                    $0.attachment = .with {
                        $0.name = "a.pdf"; $0.url = "s3://x"; $0.sha256 = "zz"; $0.sizeBytes = 1
                    }
                }
            ])?.contains("sha256") == true)
        #expect(validate(["note": .with { $0.text = "六个字的备注" }]) == "custom_fields.note: must be at most 5 characters")
        #expect(validate(["colour": .with { $0.text = "red" }])?.contains("is not a defined field") == true)
    }

    @Test func requirementsFollowTheStages() throws {
        let fields = CustomFieldValues(
            definitions: [
                definition("source_detail", .text) { $0.requiredAtCreation = true },
                definition("needs_form", .attachment) { $0.requiredFromStage = "contacted" },
                definition("surgery_form", .attachment) { $0.requiredFromStage = "qualified" },
            ], stages: stages)
        #expect(fields.missing(at: nil, in: [:]).map(\.key) == ["source_detail"])
        #expect(fields.missing(at: "new", in: ["source_detail": .with { $0.text = "x" }]).isEmpty)
        #expect(fields.missing(at: "contacted", in: [:]).map(\.key) == ["needs_form", "source_detail"])
        #expect(fields.missing(at: "converted", in: ["source_detail": .with { $0.text = "x" }]).map(\.key) == ["needs_form", "surgery_form"])
        #expect(rule { try fields.requireForCreation([:]) } == "custom_fields.source_detail: SOURCE_DETAIL is required when the record is created")
        #expect(
            rule { try fields.requireForStage("qualified", values: ["source_detail": .with { $0.text = "x" }]) }?
                .contains("SURGERY_FORM (custom_fields.surgery_form)") == true)
    }

    @Test func valuesRoundTripThroughTheirStoredForm() throws {
        let values: [String: Sales_Common_V1_FieldValue] = [
            "beds": .with { $0.number = 800 },
            "budget": .with {
                $0.money = .with {
                    $0.minorUnits = 5_000_000; $0.currency = "CNY"
                }
            },
            "form": .with {
                $0.attachment = .with {
                    $0.name = "术式确认单.pdf"; $0.url = "s3://b/k"; $0.sha256 = String(repeating: "a", count: 64); $0.sizeBytes = 10
                }
            },
        ]
        #expect(try CustomFieldStore.decode(CustomFieldStore.encode(values)) == values)
    }
}
