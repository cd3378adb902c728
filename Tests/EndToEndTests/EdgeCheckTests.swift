import Foundation
import GRPCCore
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

extension EndToEnd {
    /// Every text field of the RPCs this change added or changed, with NUL, a control character
    /// and 100 KB: INVALID_ARGUMENT naming the field, with a short quote of the value, never INTERNAL.
    @Suite struct EdgeCheckTests {
        enum Bad: String, CaseIterable, Sendable {
            case nul, control, huge
            func apply(_ text: String) -> String {
                switch self {
                case .nul: text + "\u{0}"
                case .control: text + "\u{1B}"
                case .huge: String(repeating: "长", count: 100_000 / 3)
                }
            }
        }

        static func expectRefused(_ field: String, _ bad: Bad, _ call: () async throws -> Void) async {
            let error = await #expect(throws: RPCError.self) { try await call() }
            #expect(error?.code == .invalidArgument, "\(field) \(bad): \(String(describing: error?.code))")
            let message = error?.message ?? ""
            #expect(message.hasPrefix(field + ":"), "\(field) \(bad): \(message.prefix(200))")
            #expect(message.count < 300 && message.contains("\""), "\(field) \(bad): a short quote, not the value: \(message.prefix(300))")
        }

        @Test(arguments: Bad.allCases)
        func gatewayDirectoryAndCalendar(bad: Bad) async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let admin = try await client.metadata(People.admin)
            try await client.with(.gateway) { grpc in
                let directory = Sales_Gateway_V1_DirectoryService.Client(wrapping: grpc)
                await Self.expectRefused("id", bad) { _ = try await directory.getUser(.with { $0.id = bad.apply("li.na") }, metadata: admin) }
                await Self.expectRefused("team_id", bad) {
                    _ = try await directory.listUsers(.with { $0.teamID = bad.apply("east") }, metadata: admin)
                }
                await Self.expectRefused("calendar_json", bad) {
                    _ = try await directory.setWorkCalendar(.with { $0.calendarJson = bad.apply(#"{"holidays": []}"#) }, metadata: admin)
                }
            }
        }

        @Test(arguments: Bad.allCases)
        func leadsRulesAndDesk(bad: Bad) async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let admin = try await client.metadata(People.admin)
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let rules = Sales_Common_V1_RuleSetService.Client(wrapping: grpc)
                let desk = Sales_Leads_V1_RoutingDeskService.Client(wrapping: grpc)
                for field in ["contact_name", "company_name", "city", "inquiry", "district", "industry", "campaign"] {
                    var request = Sales_Leads_V1_CreateLeadRequest.with {
                        $0.contactName = "边界"; $0.phone = "13800005555"; $0.channel = .api
                    }
                    switch field {
                    case "contact_name": request.contactName = bad.apply("边界")
                    case "company_name": request.companyName = bad.apply("公司")
                    case "city": request.city = bad.apply("上海")
                    case "inquiry": request.inquiry = bad.apply("咨询")
                    case "district": request.district = bad.apply("浦东")
                    case "industry": request.industry = bad.apply("医疗")
                    default: request.campaign = bad.apply("双十一")
                    }
                    await Self.expectRefused(field, bad) { _ = try await leads.createLead(request, metadata: admin) }
                }
                await Self.expectRefused("name", bad) {
                    _ = try await rules.saveRuleSet(
                        .with {
                            $0.name = bad.apply("lead-routing"); $0.comment = "x"
                        }, metadata: admin)
                }
                // A JSON document may be longer than a plain field (up to 1 MB); 100 KB of it passes the
                // edge, and the rule compiler names the rule's condition and where the JSON breaks.
                let condition = await #expect(throws: RPCError.self) {
                    _ = try await rules.saveRuleSet(
                        .with {
                            $0.name = "lead-routing"; $0.comment = "x"
                            $0.rules = [
                                .with {
                                    $0.id = "r"; $0.conditionJson = bad.apply("true"); $0.outcomeJson = #"{"team": "/east"}"#
                                }
                            ]
                        }, metadata: admin)
                }
                #expect(condition?.code == .invalidArgument)
                let said = condition?.message ?? ""
                if bad == .huge {
                    #expect(said.contains("rules[0].condition: malformed JSON at line 1") && said.count < 300, "\(said.prefix(300))")
                } else {
                    #expect(said.hasPrefix("rules[0].condition_json:") && said.count < 300 && said.contains("\""), "\(said.prefix(300))")
                }
                await Self.expectRefused("shifts[0].user_id", bad) {
                    _ = try await desk.setDutyRoster(
                        .with {
                            $0.teamPath = "/east/east-sh"; $0.firstDay = TestCalendar.today; $0.lastDay = TestCalendar.today
                            $0.shifts = [
                                .with {
                                    $0.userID = bad.apply("zhang.wei"); $0.day = TestCalendar.today; $0.startHour = 9; $0.endHour = 18
                                }
                            ]
                        }, metadata: admin)
                }
            }
        }
    }
}
