import Foundation
import GRPCCore
import GRPCProtobuf
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

extension EndToEnd {
    /// Text a caller sends is checked at the edge of every service: control characters, invalid
    /// UTF-8 and over-long fields are INVALID_ARGUMENT naming the field, never INTERNAL, and an
    /// error never echoes a huge value back. (CreateLead's fields, one by one, are among
    /// BadInputTests' malformed leads.)
    @Suite struct BadTextTests {
        static let valid = Sales_Leads_V1_CreateLeadRequest.with {
            $0.contactName = "白雪"; $0.phone = "13800001234"; $0.channel = .api
        }

        static func broken(_ breakIt: (inout Sales_Leads_V1_CreateLeadRequest) -> Void) -> Sales_Leads_V1_CreateLeadRequest {
            var request = valid
            breakIt(&request)
            return request
        }

        @Test func everyServiceChecksTextAtTheEdge() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let admin = try await client.metadata(People.admin)
            try await client.with(.gateway) { grpc in
                let directory = Sales_Gateway_V1_DirectoryService.Client(wrapping: grpc)
                let error = await #expect(throws: RPCError.self) { try await directory.getUser(.with { $0.id = "li\u{0}na" }, metadata: admin) }
                #expect(error?.code == .invalidArgument)
                #expect(error?.message.hasPrefix("id:") == true, "\(error?.message ?? "")")
            }
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let error = await #expect(throws: RPCError.self) {
                    try await leads.ingestLead(
                        .with {
                            $0.adapter = "web_form"
                            $0.payloadJson = #"{"submission_id": "nul-1", "fields": {"name": "王\u0000五", "phone": "13800001235"}}"#
                        }, metadata: admin)
                }
                #expect(error?.code == .invalidArgument)
                #expect(error?.message.hasPrefix("payload_json:") == true, "\(error?.message ?? "")")
            }
            try await client.with(.storeSales) { grpc in
                let stores = Sales_Storesales_V1_StoreService.Client(wrapping: grpc)
                let error = await #expect(throws: RPCError.self) {
                    try await stores.createStore(
                        .with {
                            $0.code = "S\u{0}1"; $0.name = "店"
                        }, metadata: admin)
                }
                #expect(error?.code == .invalidArgument)
            }
        }

        /// A 20,000-digit phone and credit code: refused as INVALID_ARGUMENT with a short message
        /// (a whole echo would exceed grpcio's 16 KB header limit and read as RESOURCE_EXHAUSTED).
        @Test(arguments: [2_000, 20_000])
        func hugeValuesAreNotEchoed(length: Int) async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                for breakIt in [
                    { (r: inout Sales_Leads_V1_CreateLeadRequest) in r.phone = String(repeating: "8", count: length) },
                    { $0.creditCode = String(repeating: "9", count: length) },
                ] {
                    var request = Self.valid
                    breakIt(&request)
                    let error = await #expect(throws: RPCError.self) {
                        try await leads.createLead(request, metadata: try await client.metadata(People.rep))
                    }
                    #expect(error?.code == .invalidArgument)
                    #expect((error?.message.count ?? .max) < 300, "\(error?.message.prefix(400) ?? "")")
                }
            }
        }

        /// Bytes that are not UTF-8 in a string field: INVALID_ARGUMENT that says so.
        @Test func invalidUTF8IsInvalidArgument() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            // contact_name (field 1, length-delimited) holding 0xC3 0x28, then a valid phone.
            var bytes: [UInt8] = [0x0A, 0x02, 0xC3, 0x28]
            bytes +=
                try Sales_Leads_V1_CreateLeadRequest.with {
                    $0.phone = "13800001236"; $0.channel = .api
                }.serializedBytes() as [UInt8]
            let error = await #expect(throws: RPCError.self) {
                try await client.with(.leads) { grpc in
                    try await grpc.unary(
                        request: ClientRequest(message: bytes, metadata: try await client.metadata(People.rep)),
                        descriptor: Sales_Leads_V1_LeadService.Method.CreateLead.descriptor,
                        serializer: RawBytes(), deserializer: ProtobufDeserializer<Sales_Leads_V1_CreateLeadResponse>(),
                        options: .defaults
                    ) { try $0.message }
                }
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("UTF-8") == true, "\(error?.message ?? "")")
        }

        /// Full-width digits and separators, as Chinese input methods type them.
        @Test func fullWidthPhoneIsNormalised() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            try await client.with(.leads) { grpc in
                var request = Self.valid
                request.phone = "＋８６ １３８－０００１－２３７９"
                let lead = try await Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                    .createLead(request, metadata: try await client.metadata(People.unmasker)).lead
                #expect(lead.phone.e164 == "+8613800012379")
            }
        }

        /// A rule set under a name the service does not read would be saved and never apply.
        @Test func aRuleSetNameMustBeKnown() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            try await client.with(.leads) { grpc in
                let rules = Sales_Common_V1_RuleSetService.Client(wrapping: grpc)
                for (name, hint) in [("lead-routng", "did you mean lead-routing?"), ("no-such-set", "known: ")] {
                    let error = await #expect(throws: RPCError.self) {
                        try await rules.saveRuleSet(
                            .with {
                                $0.name = name
                                $0.comment = "typo"
                                $0.rules = [
                                    .with {
                                        $0.id = "r1"; $0.conditionJson = "true"; $0.outcomeJson = #"{"team": "/east"}"#
                                    }
                                ]
                            }, metadata: try await client.metadata(People.admin))
                    }
                    #expect(error?.code == .invalidArgument)
                    #expect(error?.message.hasPrefix("name:") == true && error?.message.contains(hint) == true, "\(error?.message ?? "")")
                }
            }
        }
    }
}

/// Sends bytes as they are: for requests no protobuf library would encode.
struct RawBytes: MessageSerializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
}
