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
    /// Malformed requests, missing and bad tokens, other tenants' ids: each gets a precise code
    /// and a message that names what to fix, and nothing is stored.
    @Suite struct BadInputTests {
        @Test(arguments: [
            (
                Sales_Leads_V1_CreateLeadRequest.with {
                    $0.phone = "13800000000"; $0.channel = .api
                }, "contact_name"
            ),
            (
                .with {
                    $0.contactName = "张三"; $0.channel = .api
                }, "phone"
            ),
            (
                .with {
                    $0.contactName = "张三"; $0.phone = "12345"; $0.channel = .api
                }, "phone"
            ),
            (
                .with {
                    $0.contactName = "张三"; $0.phone = "+1 415 555 0100"; $0.channel = .api
                }, "phone"
            ),
            (
                .with {
                    $0.contactName = "张三"; $0.phone = "13800000000"
                }, "channel"
            ),
            (
                .with {
                    $0.contactName = "张三"; $0.phone = "13800000000"; $0.channel = .UNRECOGNIZED(42)
                }, "channel"
            ),
            (
                .with {
                    $0.contactName = String(repeating: "长", count: 101); $0.phone = "13800000000"; $0.channel = .api
                }, "contact_name"
            ),
            // The edge check every service's requests pass: control characters and lengths, by path.
            (BadTextTests.broken { $0.contactName = "张\u{0}三" }, "contact_name"),
            (BadTextTests.broken { $0.district = "浦东\u{1}" }, "district"),
            (BadTextTests.broken { $0.tags = ["ok", "bad\u{7F}"] }, "tags[1]"),
            (BadTextTests.broken { $0.inquiry = "需要\u{85}报价" }, "inquiry"),
            (BadTextTests.broken { $0.inquiry = String(repeating: "长", count: TextCheck.fieldLimit + 1) }, "inquiry"),
            (BadTextTests.broken { $0.customFields["note"] = .with { $0.text = "a\u{0}b" } }, "custom_fields[note].text"),
        ])
        func malformedLeadIsRefusedNamingTheField(request: Sales_Leads_V1_CreateLeadRequest, field: String) async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let error = await #expect(throws: RPCError.self) {
                try await client.with(.leads) { grpc in
                    try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).createLead(request, metadata: try await client.metadata(People.rep))
                }
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.hasPrefix(field + ":") == true, "\(error?.message ?? "")")
        }

        @Test func malformedConversionIsRefusedNamingTheField() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let metadata = try await client.metadata(People.rep)
                let lead = try await leads.createLead(
                    .with {
                        $0.contactName = "冯涛"; $0.phone = "15026620006"; $0.channel = .api
                    }, metadata: metadata
                ).lead
                let valid = Sales_Leads_V1_ConvertLeadRequest.with {
                    $0.leadID = lead.id
                    $0.opportunityName = "呼吸机"
                    $0.expectedAmount = .with {
                        $0.minorUnits = 54_000_000; $0.currency = "CNY"
                    }
                    $0.expectedClose = Google_Protobuf_Timestamp(date: Date().addingTimeInterval(86_400))
                }
                let cases: [(String, (inout Sales_Leads_V1_ConvertLeadRequest) -> Void)] = [
                    ("lead_id", { $0.leadID = "not-a-uuid" }),
                    ("opportunity_name", { $0.opportunityName = "  " }),
                    ("expected_amount", { $0.clearExpectedAmount() }),
                    ("expected_amount.minor_units", { $0.expectedAmount.minorUnits = -5 }),
                    ("expected_amount.currency", { $0.expectedAmount.currency = "yuan" }),
                    ("expected_close", { $0.clearExpectedClose() }),
                ]
                for (field, breakIt) in cases {
                    var request = valid
                    breakIt(&request)
                    let error = await #expect(throws: RPCError.self) { try await leads.convertLead(request, metadata: metadata) }
                    #expect(error?.code == .invalidArgument, "\(field)")
                    #expect(error?.message.hasPrefix(field + ":") == true, "\(field): \(error?.message ?? "")")
                }
                // None of the refused attempts converted it.
                #expect(try await leads.getLead(.with { $0.id = lead.id }, metadata: metadata).status == .new)
            }
        }

        @Test func callsWithoutAValidTokenAreUnauthenticated() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let expired = try await tokens.sign(People.rep, lifetime: .seconds(60), now: Date().addingTimeInterval(-3600))
            let forged = try await TokenAuthority(secret: "another-secret-that-is-long-enough-0000").sign(People.rep)
            let cases: [(Metadata, String)] = [
                ([:], "missing authorization"),
                (["authorization": "Bearer \(expired)"], "expired"),
                (["authorization": "Bearer \(forged)"], "signature"),
                (["authorization": "Bearer not.a.jwt"], "not valid"),
                (["authorization": "Basic dXNlcjpwYXNz"], "Bearer"),
            ]
            for (metadata, phrase) in cases {
                let error = await #expect(throws: RPCError.self) {
                    try await client.with(.leads) { grpc in
                        try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).listLeads(.init(), metadata: metadata)
                    }
                }
                #expect(error?.code == .unauthenticated, "\(phrase)")
                #expect(error?.message.contains(phrase) == true, "\(phrase): \(error?.message ?? "")")
            }
        }

        @Test func recordsOutOfScopeReadAsNotFound() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let lead = try await leads.createLead(
                    .with {
                        $0.contactName = "蒋文"; $0.phone = "13706620007"; $0.channel = .webForm
                    }, metadata: try await client.metadata(People.rep)
                ).lead

                for outsider in [People.stranger, People.otherRep] {
                    let error = await #expect(throws: RPCError.self) {
                        try await leads.getLead(.with { $0.id = lead.id }, metadata: try await client.metadata(outsider))
                    }
                    #expect(error?.code == .notFound, "\(outsider.userID)@\(outsider.tenant)")
                    let listed = try await leads.listLeads(.init(), metadata: try await client.metadata(outsider)).leads
                    #expect(!listed.contains { $0.id == lead.id })
                }
                // The rep's manager sees it through the org tree; an admin of the tenant too.
                for insider in [People.manager, People.admin] {
                    let seen = try await leads.getLead(.with { $0.id = lead.id }, metadata: try await client.metadata(insider))
                    #expect(seen.id == lead.id)
                }
            }
        }

        @Test func pageTokensAndSizesAreChecked() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let metadata = try await client.metadata(People.manager)
                for (page, field) in [
                    (Sales_Common_V1_PageRequest.with { $0.pageSize = 201 }, "page.page_size"),
                    (.with { $0.pageToken = "garbage" }, "page.page_token"),
                ] {
                    let error = await #expect(throws: RPCError.self) { try await leads.listLeads(.with { $0.page = page }, metadata: metadata) }
                    #expect(error?.code == .invalidArgument)
                    #expect(error?.message.hasPrefix(field) == true)
                }
                // Walking pages of one visits every lead once.
                var seen: [String] = []
                var token = ""
                repeat {
                    let response = try await leads.listLeads(
                        .with {
                            $0.page = .with {
                                $0.pageSize = 1; $0.pageToken = token
                            }
                        }, metadata: metadata)
                    seen += response.leads.map(\.id)
                    token = response.page.nextPageToken
                } while !token.isEmpty
                let all = try await leads.listLeads(.with { $0.page = .with { $0.pageSize = 200 } }, metadata: metadata).leads.map(\.id)
                #expect(seen == all)
                #expect(Set(seen).count == seen.count)
            }
        }

        @Test func eventFeedIsOnlyForServices() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let error = await #expect(throws: RPCError.self) {
                try await client.with(.opportunities) { grpc in
                    try await Sales_Common_V1_EventFeed.Client(wrapping: grpc).subscribe(
                        .init(), metadata: try await client.metadata(People.admin)
                    ) { response in
                        for try await _ in response.messages {}
                    }
                }
            }
            #expect(error?.code == .permissionDenied)
        }
    }
}
