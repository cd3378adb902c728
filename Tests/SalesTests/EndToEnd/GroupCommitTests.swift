import Foundation
import GRPCCore
import SalesModel
import SalesProto
import ServiceKit
import Testing

extension EndToEnd {
    /// Creates that arrive together are written together (group commit), with every guarantee of
    /// one at a time: one lead per key, repeats answered with the first lead, a reused key with
    /// another request refused, and one customer per mobile even within a batch.
    @Suite struct GroupCommitTests {
        @Test func simultaneousCreatesKeepEveryGuarantee() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("batch-\(UInt16.random(in: 0...UInt16.max))")!
            let rep = Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/east/east-sh")
            let base = Int.random(in: 0..<90_000_000)
            func request(_ n: Int) -> Sales_Leads_V1_CreateLeadRequest {
                // Leads 0 and 1 share a mobile: one customer, the second a repeat.
                .with { $0.contactName = "批量\(n)"; $0.phone = "136" + String(format: "%08d", base + max(n, 1)); $0.channel = .api }
            }
            enum Outcome: Sendable { case lead(Int, Sales_Leads_V1_Lead), refused(Int, RPCError) }
            let outcomes = try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                return try await withThrowingTaskGroup(of: Outcome.self) { group in
                    for n in 0..<48 {
                        group.addTask {
                            // 0–31 are first uses; 32–43 repeat 0–11 exactly; 44–47 reuse 12–15's keys for other requests.
                            let keyOf = n < 32 ? n : n - 32
                            let body = n < 44 ? request(keyOf) : request(100 + n)
                            do {
                                let metadata = try await client.metadata(rep, idempotencyKey: "batch-\(tenant.rawValue)-\(keyOf)")
                                return .lead(n, try await leads.createLead(body, metadata: metadata).lead)
                            } catch let error as RPCError {
                                return .refused(n, error)
                            }
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
            var byRequest: [Int: Sales_Leads_V1_Lead] = [:]
            var refusals: [Int: RPCError] = [:]
            for outcome in outcomes {
                switch outcome {
                case .lead(let n, let lead): byRequest[n] = lead
                case .refused(let n, let error): refusals[n] = error
                }
            }
            let contested = 12..<16
            let uncontested = (0..<44).filter { !contested.contains($0) && !contested.contains($0 - 32) }
            #expect(uncontested.allSatisfy { byRequest[$0] != nil }, "refused: \(refusals)")
            for n in contested {
                // A key used for two different requests: whichever came first is taken, the other refused.
                #expect((byRequest[n] != nil) != (byRequest[n + 32] != nil))
                #expect(refusals[n]?.code == .invalidArgument || refusals[n + 32]?.code == .invalidArgument)
            }
            #expect(refusals.count == 4)
            for n in 32..<44 where !contested.contains(n - 32) {
                #expect(byRequest[n]?.id == byRequest[n - 32]?.id, "a repeat answers with the first lead")
            }
            let first = try #require(byRequest[0]), second = try #require(byRequest[1])
            #expect(first.customerID == second.customerID && first.repeat != second.repeat)

            let listed = try await client.with(.leads) { grpc in
                try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).listLeads(
                    .with { $0.page = .with { $0.pageSize = 200 } }, metadata: try await client.metadata(rep)).leads
            }
            #expect(listed.count == 32, "exactly one lead per key")
        }
    }
}
