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
    /// A request id sent by the client is the one the next service logs: ConvertLead's call to
    /// opportunities carries it. The conversion's key is taken beforehand, so opportunities
    /// refuses the call and logs it (ordinary calls log at debug level only).
    @Suite struct RequestIDTests {
        @Test func theRequestIDTravelsToTheServiceCalled() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let requestID = "trace-\(UUID().uuidString.lowercased())"
            let lead = try await client.with(.leads) { grpc in
                try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).createLead(
                    .with {
                        $0.contactName = "追踪"; $0.phone = "1371664" + String(format: "%04d", Int.random(in: 0..<10_000)); $0.channel = .api
                    }, metadata: try await client.metadata(People.rep)
                ).lead
            }
            try await client.with(.opportunities) { grpc in
                var metadata = try await client.metadata(People.admin, idempotencyKey: "lead-convert:\(lead.id)")
                metadata.addString("tenant", forKey: "idempotency-scope")
                _ = try await Sales_Opportunities_V1_OpportunityService.Client(wrapping: grpc).createOpportunity(
                    .with {
                        $0.name = "占用"; $0.customerName = "占用"
                        $0.amount = .with {
                            $0.minorUnits = 100; $0.currency = "CNY"
                        }
                        $0.expectedClose = Google_Protobuf_Timestamp(date: Date().addingTimeInterval(86_400))
                    }, metadata: metadata)
            }
            await #expect(throws: RPCError.self) {
                try await client.with(.leads) { grpc in
                    var metadata = try await client.metadata(People.rep)
                    metadata.addString(requestID, forKey: "x-request-id")
                    return try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).convertLead(
                        .with {
                            $0.leadID = lead.id
                            $0.opportunityName = "追踪商机"
                            $0.expectedAmount = .with {
                                $0.minorUnits = 5_000_000; $0.currency = "CNY"
                            }
                            $0.expectedClose = Google_Protobuf_Timestamp(date: Date().addingTimeInterval(86_400 * 20))
                        }, metadata: metadata)
                }
            }
            let log = try await client.eventually {
                let text = try String(contentsOfFile: stack.plan.logDirectory + "/opportunities.log", encoding: .utf8)
                return text.contains(requestID) ? text : nil
            }
            let line = log.split(separator: "\n").first { $0.contains(requestID) }.map(String.init) ?? ""
            #expect(line.contains("CreateOpportunity"), "\(line)")
        }
    }
}
