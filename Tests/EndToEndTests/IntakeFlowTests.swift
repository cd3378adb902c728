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
    /// Leads from channel payloads over gRPC: repeat deliveries, unusable leads and unknown shapes.
    @Suite struct IntakeFlowTests {
        @Test func channelPayloadsBecomeLeadsOrDeadLetters() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("intake-\(UInt16.random(in: 0...UInt16.max))")!
            let integration = Caller(tenant: tenant, userID: "douyin-bridge", roles: [.admin], orgPath: "/hq")
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let metadata = try await client.metadata(integration)
                let clue =
                    #"{"clue_id": 88001, "name": "吴海", "telephone": "139 1662 0003", "city_name": "上海", "remark": "家用制氧机", "ad_name": "抖音直播-11月"}"#
                let first = try await leads.ingestLead(
                    .with {
                        $0.adapter = "douyin"; $0.payloadJson = clue
                    }, metadata: metadata)
                #expect(first.deadLetterID.isEmpty)
                #expect(first.lead.channel == .douyin)
                #expect(first.lead.campaign == "抖音直播-11月")
                #expect(first.lead.phone.masked == "139****0003")
                // Douyin retries its webhook: the same clue is the same lead.
                let again = try await leads.ingestLead(
                    .with {
                        $0.adapter = "douyin"; $0.payloadJson = clue
                    }, metadata: metadata)
                #expect(again.lead.id == first.lead.id)

                let unusable = await #expect(throws: RPCError.self) {
                    try await leads.ingestLead(
                        .with {
                            $0.adapter = "wechat"; $0.payloadJson = #"{"msg_id": "m-1", "openid": "o-1", "content": "只留言不留电话"}"#
                        }, metadata: metadata)
                }
                #expect(unusable?.code == .invalidArgument)
                #expect(unusable?.message.contains("wechat → phone") == true, "\(unusable?.message ?? "")")

                let foreign = try await leads.ingestLead(
                    .with {
                        $0.adapter = "douyin"; $0.payloadJson = #"{"event": "follow", "user": 42}"#
                    }, metadata: metadata)
                #expect(!foreign.deadLetterID.isEmpty)
                #expect(foreign.deadLetterReason.contains("clue_id"))
                let garbled = try await leads.ingestLead(
                    .with {
                        $0.adapter = "meituan"; $0.payloadJson = "{\"lead_id\": "
                    }, metadata: metadata)
                #expect(!garbled.deadLetterID.isEmpty)
                let kept = try await leads.listDeadLetters(.init(), metadata: metadata).deadLetters
                #expect(Set(kept.map(\.id)) == [foreign.deadLetterID, garbled.deadLetterID])
                #expect(kept.first { $0.id == foreign.deadLetterID }?.payloadJson == #"{"event": "follow", "user": 42}"#)

                let unknownAdapter = await #expect(throws: RPCError.self) {
                    try await leads.ingestLead(
                        .with {
                            $0.adapter = "fax"; $0.payloadJson = "{}"
                        }, metadata: metadata)
                }
                #expect(unknownAdapter?.message.hasPrefix("adapter:") == true)
                let notAdmin = await #expect(throws: RPCError.self) {
                    try await leads.listDeadLetters(.init(), metadata: try await client.metadata(People.rep))
                }
                #expect(notAdmin?.code == .permissionDenied)
            }
        }
    }
}
