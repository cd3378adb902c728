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
    /// Follow-ups that mean something: a visit's five elements, no bare "已联系", and the lead's
    /// first and last touch moved only by real follow-ups, never by a status change.
    @Suite struct FollowUpTests {
        @Test func followUpsAreCheckedAndMoveTheTouchClock() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let metadata = try await client.metadata(People.rep)
                let lead = try await leads.createLead(
                    .with {
                        $0.contactName = "杨帆"; $0.phone = "135" + String(format: "%08d", Int.random(in: 0..<100_000_000)); $0.channel = .wechat
                    }, metadata: metadata
                ).lead
                #expect(!lead.hasFirstTouchAt)

                // A status change is not a touch.
                _ = try await leads.advanceLead(
                    .with {
                        $0.leadID = lead.id; $0.stage = .contacted
                    }, metadata: metadata)
                #expect(try await leads.getLead(.with { $0.id = lead.id }, metadata: metadata).hasFirstTouchAt == false)

                let visitAt = Date().addingTimeInterval(-3_600)
                let visit = Sales_Leads_V1_FollowUp.with {
                    $0.leadID = lead.id
                    $0.kind = .visit
                    $0.occurredAt = Google_Protobuf_Timestamp(date: visitAt)
                    $0.place = "广州中山一院 设备科"
                    $0.decisionMaker = "设备科 李主任"
                    $0.objection = "价格比竞品高 8%"
                    $0.nextCommitment = "周五前发修订报价"
                    $0.nextContactAt = Google_Protobuf_Timestamp(date: Date().addingTimeInterval(3 * 86_400))
                    $0.summary = "演示了超声刀，科室认可，需报价和试用"
                }
                for (field, breakIt) in [
                    ("follow_up.place", { (f: inout Sales_Leads_V1_FollowUp) in f.place = "" }),
                    ("follow_up.decision_maker", { $0.decisionMaker = " " }),
                    ("follow_up.objection", { $0.objection = "" }),
                    ("follow_up.next_commitment", { $0.nextCommitment = "" }),
                    ("follow_up.summary", { $0.summary = "已联系" }),
                    ("follow_up.kind", { $0.kind = .unspecified }),
                    ("follow_up.occurred_at", { $0.occurredAt = Google_Protobuf_Timestamp(date: Date().addingTimeInterval(86_400)) }),
                    ("follow_up.next_contact_at", { $0.nextContactAt = Google_Protobuf_Timestamp(date: visitAt.addingTimeInterval(-60)) }),
                ] as [(String, (inout Sales_Leads_V1_FollowUp) -> Void)] {
                    var broken = visit
                    breakIt(&broken)
                    let error = await #expect(throws: RPCError.self) {
                        try await leads.logFollowUp(.with { $0.followUp = broken }, metadata: metadata)
                    }
                    #expect(error?.code == .invalidArgument, "\(field)")
                    #expect(error?.message.hasPrefix(field + ":") == true, "\(field): \(error?.message ?? "")")
                }

                let logged = try await leads.logFollowUp(.with { $0.followUp = visit }, metadata: metadata)
                #expect(logged.authorID == People.rep.userID)
                let call = try await leads.logFollowUp(
                    .with {
                        $0.followUp = .with {
                            $0.leadID = lead.id; $0.kind = .call; $0.occurredAt = Google_Protobuf_Timestamp(date: Date())
                            $0.summary = "电话确认试用时间：下周二上午"
                        }
                    }, metadata: metadata)
                let touched = try await leads.getLead(.with { $0.id = lead.id }, metadata: metadata)
                #expect(abs(touched.firstTouchAt.date.timeIntervalSince(visitAt)) < 1)
                #expect(abs(touched.lastTouchAt.date.timeIntervalSince(call.occurredAt.date)) < 1)
                let history = try await leads.listFollowUps(.with { $0.leadID = lead.id }, metadata: metadata).followUps
                #expect(history.map(\.id) == [call.id, logged.id])
                #expect(history.last?.decisionMaker == "设备科 李主任")

                let outsider = await #expect(throws: RPCError.self) {
                    try await leads.listFollowUps(.with { $0.leadID = lead.id }, metadata: try await client.metadata(People.otherRep))
                }
                #expect(outsider?.code == .notFound)
            }
        }
    }
}
