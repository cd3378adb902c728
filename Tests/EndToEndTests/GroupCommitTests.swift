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
                .with {
                    $0.contactName = "批量\(n)"; $0.phone = "136" + String(format: "%08d", base + max(n, 1)); $0.channel = .api
                }
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
                    .with { $0.page = .with { $0.pageSize = 200 } }, metadata: try await client.metadata(rep)
                ).leads
            }
            #expect(listed.count == 32, "exactly one lead per key")
        }

        /// A batch is one statement for leads of any tenants: each row keeps its own values (absent
        /// ones stay absent, tags with quotes, commas and braces intact), and one mobile in two
        /// tenants is two customers.
        @Test func leadsOfTwoTenantsWrittenTogetherKeepTheirOwnValues() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let suffix = UInt16.random(in: 0...UInt16.max)
            let reps = ["a", "b"].map { Caller(tenant: TenantID("rows-\($0)-\(suffix)")!, userID: "li.na", roles: [.rep], orgPath: "/east/east-sh") }
            let base = Int.random(in: 0..<90_000_000)
            func request(_ n: Int) -> Sales_Leads_V1_CreateLeadRequest {
                .with {
                    $0.contactName = "行\(n)"
                    $0.phone = "135" + String(format: "%08d", base + n)
                    $0.channel = .api
                    guard n % 2 == 0 else { return }
                    $0.district = "浦东"
                    $0.budget = .with {
                        $0.minorUnits = 1_000_000 + Int64(n); $0.currency = "CNY"
                    }
                    $0.employeeCount = Int32(10 + n)
                    $0.tags = ["医疗", #"say "hi""#, "a,b", "{x}", #"back\slash"#, "NULL"]
                    $0.location = .with {
                        $0.latitude = 31.2 + Double(n) / 1000; $0.longitude = 121.5
                    }
                }
            }
            let created = try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                return try await withThrowingTaskGroup(of: (Int, Int, Sales_Leads_V1_Lead).self) { group in
                    for (t, rep) in reps.enumerated() {
                        for n in 0..<12 {
                            group.addTask { (t, n, try await leads.createLead(request(n), metadata: try await client.metadata(rep)).lead) }
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
            #expect(created.count == 24)
            for (_, n, lead) in created {
                let sent = request(n)
                #expect(lead.contactName == sent.contactName && lead.district == sent.district && lead.tags == sent.tags)
                #expect(lead.hasBudget == sent.hasBudget && lead.budget.minorUnits == sent.budget.minorUnits)
                #expect(lead.employeeCount == sent.employeeCount && lead.hasLocation == sent.hasLocation)
                #expect(lead.location.latitude == sent.location.latitude, "a coordinate survives exactly")
                #expect(!lead.repeat)
            }
            let customers = Set(created.map(\.2.customerID))
            #expect(customers.count == 24, "one mobile in two tenants is two customers")
        }
    }
}
