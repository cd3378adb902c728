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
    /// A storm of bad calls (bad tokens, control characters, huge values, unknown ids) on the same
    /// HTTP/2 connection as ordinary work: every ordinary call still succeeds. Before errors were
    /// cut short, a huge echoed value overflowed clients' header limits; each such call ended in a
    /// stream reset, and 200 resets in 30 s make the server close the connection with
    /// ENHANCE_YOUR_CALM, failing the good calls in flight.
    @Suite struct BadCallStormTests {
        @Test func badCallsDoNotBreakGoodOnes() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let good = try await client.metadata(People.rep)
            var forged = good
            forged.replaceOrAddString("Bearer not-a-token", forKey: "authorization")
            let huge = String(repeating: "9", count: 3_000)
            let bad: [(Sales_Leads_V1_CreateLeadRequest, Metadata)] = [
                (
                    .with {
                        $0.contactName = "坏"; $0.phone = huge; $0.channel = .api
                    }, good
                ),
                (
                    .with {
                        $0.contactName = "坏"; $0.creditCode = huge; $0.channel = .api
                    }, good
                ),
                (
                    .with {
                        $0.contactName = "坏\u{0}"; $0.phone = "13800001111"; $0.channel = .api
                    }, good
                ),
                (
                    .with {
                        $0.contactName = "坏"; $0.phone = "13800001111"; $0.channel = .api
                    }, forged
                ),
            ]
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let goodFailures = try await withThrowingTaskGroup(of: Bool.self) { group in
                    // The storm: 1,200 bad calls, 24 at a time.
                    group.addTask {
                        var codes: [String: Int] = [:]
                        try await withThrowingTaskGroup(of: RPCError.Code?.self) { storm in
                            for index in 0..<1_200 {
                                if index >= 24, let code = try await storm.next() { codes[code.map { "\($0)" } ?? "ok", default: 0] += 1 }
                                let (request, metadata) = bad[index % bad.count]
                                storm.addTask {
                                    do { _ = try await leads.createLead(request, metadata: metadata); return nil } catch let error as RPCError {
                                        return error.code
                                    }
                                }
                            }
                            for try await code in storm { codes[code.map { "\($0)" } ?? "ok", default: 0] += 1 }
                        }
                        #expect(codes["\(RPCError.Code.invalidArgument)"] == 900, "\(codes)")
                        #expect(codes["\(RPCError.Code.unauthenticated)"] == 300, "\(codes)")
                        return false
                    }
                    // Beside it, ordinary creates and reads, one after another.
                    for worker in 0..<4 {
                        group.addTask {
                            var failed = false
                            for index in 0..<40 {
                                do {
                                    let phone = "1377\(worker)\(String(format: "%06d", Int.random(in: 0..<1_000_000)))"
                                    let lead = try await leads.createLead(
                                        .with {
                                            $0.contactName = "好\(index)"; $0.phone = phone; $0.channel = .api
                                        }, metadata: good
                                    ).lead
                                    _ = try await leads.getLead(.with { $0.id = lead.id }, metadata: good)
                                } catch {
                                    Issue.record("an ordinary call failed during the storm: \(error)")
                                    failed = true
                                }
                            }
                            return failed
                        }
                    }
                    return try await group.reduce(into: 0) { count, failed in if failed { count += 1 } }
                }
                #expect(goodFailures == 0)
            }
        }
    }
}
