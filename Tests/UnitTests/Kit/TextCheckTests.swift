import SalesProto
import ServiceKit
import SwiftProtobuf
import Testing

@Suite struct TextCheckTests {
    func problem(_ request: Sales_Leads_V1_CreateLeadRequest) -> ServiceError? {
        do { try TextCheck.validate(request); return nil } catch { return error }
    }

    @Test func cleanTextPasses() {
        #expect(
            problem(
                .with {
                    $0.contactName = "张三"; $0.inquiry = "第一行\n第二行\t缩进"; $0.tags = ["a", "b"]
                }) == nil)
    }

    @Test func controlCharactersAreNamedByTheirFieldPath() {
        #expect(
            problem(.with { $0.contactName = "a\u{0}" })
                == .invalidArgument(field: "contact_name", rule: #"must not contain NUL (\u0000); got "a\u{0}""#))
        guard case .invalidArgument(let field, _)? = problem(.with { $0.tags = ["ok", "x\u{1B}"] }) else { Issue.record("accepted"); return }
        #expect(field == "tags[1]")
        guard case .invalidArgument(let nested, _)? = problem(.with { $0.budget.currency = "C\u{7}NY" }) else { Issue.record("accepted"); return }
        #expect(nested == "budget.currency")
        guard case .invalidArgument(let mapped, _)? = problem(.with { $0.customFields["k"] = .with { $0.text = "\u{9F}" } }) else {
            Issue.record("accepted"); return
        }
        #expect(mapped == "custom_fields[k].text")
    }

    @Test func lengthLimitsPerField() {
        #expect(problem(.with { $0.inquiry = String(repeating: "字", count: TextCheck.fieldLimit) }) == nil)
        guard case .invalidArgument(let field, let rule)? = problem(.with { $0.inquiry = String(repeating: "字", count: TextCheck.fieldLimit + 1) })
        else {
            Issue.record("accepted"); return
        }
        #expect(field == "inquiry")
        #expect(rule.contains("at most 4000 characters; got \"字字字") && rule.contains("(4001 characters)") && rule.count < 120, "\(rule)")
        // A JSON document may be longer; its \u0000 escapes cannot be stored.
        let document = Sales_Leads_V1_IngestLeadRequest.with { $0.payloadJson = "{\"a\": \"" + String(repeating: "x", count: 10_000) + "\"}" }
        #expect((try? TextCheck.validate(document)) != nil)
        #expect((try? TextCheck.validate(Sales_Leads_V1_IngestLeadRequest.with { $0.payloadJson = #"{"a": "\u0000"}"# })) == nil)
    }

    @Test func errorsQuoteOnlyAShortPrefix() {
        let long = String(repeating: "8", count: 20_000)
        let message = "\(quoted: long) is not a phone"
        #expect(message.count < 80)
        #expect(message.hasPrefix("\"88888888"))
        #expect("\(quoted: "a\u{0}b")" == "\"a\\u{0}b\"")
    }
}
