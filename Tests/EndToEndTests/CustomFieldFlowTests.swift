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
    /// "Add a 术式确认单 attachment field, required from the qualified stage on" — over gRPC, no release.
    @Suite struct CustomFieldFlowTests {
        @Test func aFieldRequiredFromAStageIsEnforcedOnEveryPath() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            // A tenant of its own: definitions are per tenant.
            let tenant = TenantID("fields-\(UInt16.random(in: 0...UInt16.max))")!
            let admin = Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq")
            let rep = Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/east/sh")
            let form = Sales_Common_V1_FieldValue.with {
                $0.attachment = .with {
                    $0.name = "术式确认单.pdf"; $0.url = "s3://forms/1.pdf"; $0.sha256 = String(repeating: "b", count: 64); $0.sizeBytes = 2048
                }
            }
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let defined = try await leads.defineLeadField(
                    .with {
                        $0.definition = .with {
                            $0.key = "surgery_form"; $0.label = "术式确认单"; $0.type = .attachment; $0.requiredFromStage = "qualified"
                        }
                    }, metadata: try await client.metadata(admin))
                #expect(defined.version == 1)
                #expect(defined.recordType == "lead")
                _ = try await leads.defineLeadField(
                    .with {
                        $0.definition = .with {
                            $0.key = "hospital_tier"; $0.label = "医院等级"; $0.type = .choice; $0.choices = ["三甲", "二甲"]
                        }
                    }, metadata: try await client.metadata(admin))
                let notAdmin = await #expect(throws: RPCError.self) {
                    try await leads.defineLeadField(.with { $0.definition = defined }, metadata: try await client.metadata(rep))
                }
                #expect(notAdmin?.code == .permissionDenied)
                let listed = try await leads.listLeadFields(.init(), metadata: try await client.metadata(rep))
                #expect(listed.fields.map(\.key) == ["hospital_tier", "surgery_form"])

                let metadata = try await client.metadata(rep)
                let lead = try await leads.createLead(
                    .with {
                        $0.contactName = "蒋文"; $0.phone = "13706620007"; $0.channel = .webForm
                        $0.customFields = ["hospital_tier": .with { $0.choice = "三甲" }]
                    }, metadata: metadata
                ).lead
                #expect(lead.customFields["hospital_tier"]?.choice == "三甲")

                let badChoice = await #expect(throws: RPCError.self) {
                    try await leads.createLead(
                        .with {
                            $0.contactName = "x"; $0.phone = "13706620008"; $0.channel = .api
                            $0.customFields = ["hospital_tier": .with { $0.choice = "社区" }]
                        }, metadata: metadata)
                }
                #expect(badChoice?.code == .invalidArgument)
                #expect(badChoice?.message.hasPrefix("custom_fields.hospital_tier:") == true)

                // Contacted needs nothing; qualified needs the form.
                _ = try await leads.advanceLead(
                    .with {
                        $0.leadID = lead.id; $0.stage = .contacted
                    }, metadata: metadata)
                let refused = await #expect(throws: RPCError.self) {
                    try await leads.advanceLead(
                        .with {
                            $0.leadID = lead.id; $0.stage = .qualified
                        }, metadata: metadata)
                }
                #expect(refused?.code == .failedPrecondition)
                #expect(refused?.message.contains("术式确认单 (custom_fields.surgery_form)") == true, "\(refused?.message ?? "")")
                #expect(try await leads.getLead(.with { $0.id = lead.id }, metadata: metadata).status == .contacted)

                let qualified = try await leads.advanceLead(
                    .with {
                        $0.leadID = lead.id; $0.stage = .qualified; $0.customFields = ["surgery_form": form]
                    }, metadata: metadata)
                #expect(qualified.status == .qualified)
                #expect(qualified.customFields["surgery_form"] == form)

                // Once required, it cannot be cleared; backwards moves are refused.
                let cleared = await #expect(throws: RPCError.self) {
                    try await leads.updateLeadFields(
                        .with {
                            $0.leadID = lead.id; $0.customFields = ["surgery_form": .init()]
                        }, metadata: metadata)
                }
                #expect(cleared?.code == .failedPrecondition)
                let backwards = await #expect(throws: RPCError.self) {
                    try await leads.advanceLead(
                        .with {
                            $0.leadID = lead.id; $0.stage = .contacted
                        }, metadata: metadata)
                }
                #expect(backwards?.code == .failedPrecondition)

                // Another tenant neither sees these definitions nor is bound by them.
                let elsewhere = try await leads.listLeadFields(.init(), metadata: try await client.metadata(People.rep))
                #expect(!elsewhere.fields.contains { $0.key == "surgery_form" })
            }
        }
    }
}
