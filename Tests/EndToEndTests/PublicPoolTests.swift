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
    /// 私海/公海: release to the team's pool, claims that race (one wins), caps and the cooldown.
    @Suite struct PublicPoolTests {
        let tenant = TenantID("pool-\(UInt16.random(in: 0...UInt16.max))")!
        var admin: Caller { Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq") }
        func rep(_ id: String, _ path: String = "/east/sh") -> Caller { Caller(tenant: tenant, userID: id, roles: [.rep], orgPath: path) }
        static func mobile() -> String { "137" + String(format: "%08d", Int.random(in: 0..<100_000_000)) }

        func pooledLead(_ leads: Sales_Leads_V1_LeadService.Client<some ClientTransport>, client: StackClient, phone: String = mobile()) async throws
            -> Sales_Leads_V1_Lead
        {
            let lead = try await leads.createLead(
                .with {
                    $0.contactName = "沈佳"; $0.phone = phone; $0.channel = .storePos
                }, metadata: try await client.metadata(rep("owner.a"))
            ).lead
            return try await leads.releaseLead(
                .with {
                    $0.leadID = lead.id; $0.reason = "客户暂无预算，半年后再跟"
                },
                metadata: try await client.metadata(rep("owner.a")))
        }

        @Test func releasedLeadsAreClaimedByOneRepAtATime() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let phone = Self.mobile()
                let pooled = try await pooledLead(leads, client: client, phone: phone)
                #expect(pooled.ownerID.isEmpty)
                #expect(pooled.orgPath == "/east/sh")

                // The team sees it in its pool; another region does not.
                let teamPool = try await leads.listLeads(.with { $0.publicPool = true }, metadata: try await client.metadata(rep("b"))).leads
                #expect(teamPool.map(\.id) == [pooled.id])
                let north = try await leads.listLeads(.with { $0.publicPool = true }, metadata: try await client.metadata(rep("c", "/north/bj")))
                    .leads
                #expect(north.isEmpty)
                let farClaim = await #expect(throws: RPCError.self) {
                    try await leads.claimLead(.with { $0.leadID = pooled.id }, metadata: try await client.metadata(rep("c", "/north/bj")))
                }
                #expect(farClaim?.code == .notFound)

                // Two reps click at once: one wins, the other is told.
                let claimers = ["b", "d", "e", "f"]
                let results = await withTaskGroup(of: Result<Sales_Leads_V1_Lead, RPCError>.self) { group in
                    for id in claimers {
                        group.addTask {
                            do {
                                return .success(
                                    try await client.with(.leads) { grpc in
                                        try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).claimLead(
                                            .with { $0.leadID = pooled.id }, metadata: try await client.metadata(rep(id)))
                                    })
                            } catch let error as RPCError { return .failure(error) } catch {
                                return .failure(RPCError(code: .unknown, message: "\(error)"))
                            }
                        }
                    }
                    return await group.reduce(into: []) { $0.append($1) }
                }
                let winners = results.compactMap { try? $0.get() }
                #expect(winners.count == 1)
                let losers = results.compactMap { if case .failure(let error) = $0 { error } else { nil } }
                #expect(losers.count == claimers.count - 1)
                #expect(losers.allSatisfy { $0.code == .failedPrecondition && $0.message.contains("claimed by another rep first") }, "\(losers)")
                let winner = try #require(winners.first)

                // The customer went with the lead: a repeat lead reaches the new owner.
                let repeatLead = try await leads.createLead(
                    .with {
                        $0.contactName = "沈佳"; $0.phone = phone; $0.channel = .wechat
                    },
                    metadata: try await client.metadata(rep("g"))
                ).lead
                #expect(repeatLead.ownerID == winner.ownerID)

                // The previous owner waits out the cooldown.
                _ = try await leads.releaseLead(
                    .with {
                        $0.leadID = pooled.id; $0.reason = "转交"
                    }, metadata: try await client.metadata(rep(winner.ownerID)))
                let early = await #expect(throws: RPCError.self) {
                    try await leads.claimLead(.with { $0.leadID = pooled.id }, metadata: try await client.metadata(rep("owner.a")))
                }
                #expect(early?.code == .failedPrecondition)
                #expect(early?.message.contains("you may claim it again from") == true, "\(early?.message ?? "")")
            }
        }

        @Test func capsAreEnforcedPerRep() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let adminMetadata = try await client.metadata(admin)
                let bad = await #expect(throws: RPCError.self) {
                    try await leads.setPoolPolicy(.with { $0.policy = .with { $0.dailyClaimCap = -1 } }, metadata: adminMetadata)
                }
                #expect(bad?.message.hasPrefix("policy.daily_claim_cap:") == true)
                _ = try await leads.setPoolPolicy(
                    .with {
                        $0.policy = .with {
                            $0.dailyClaimCap = 2; $0.heldCap = 0; $0.cooldownDays = 7
                        }
                    }, metadata: adminMetadata)
                #expect(try await leads.getPoolPolicy(.init(), metadata: try await client.metadata(rep("h"))).dailyClaimCap == 2)

                var pooled: [Sales_Leads_V1_Lead] = []
                for _ in 0..<3 { pooled.append(try await pooledLead(leads, client: client)) }
                let claimer = try await client.metadata(rep("h"))
                _ = try await leads.claimLead(.with { $0.leadID = pooled[0].id }, metadata: claimer)
                _ = try await leads.claimLead(.with { $0.leadID = pooled[1].id }, metadata: claimer)
                let third = await #expect(throws: RPCError.self) { try await leads.claimLead(.with { $0.leadID = pooled[2].id }, metadata: claimer) }
                #expect(third?.code == .failedPrecondition)
                #expect(third?.message.contains("today's 2 claims") == true)

                _ = try await leads.setPoolPolicy(
                    .with {
                        $0.policy = .with {
                            $0.dailyClaimCap = 0; $0.heldCap = 2; $0.cooldownDays = 7
                        }
                    }, metadata: adminMetadata)
                let held = await #expect(throws: RPCError.self) { try await leads.claimLead(.with { $0.leadID = pooled[2].id }, metadata: claimer) }
                #expect(held?.message.contains("the most allowed is 2") == true, "\(held?.message ?? "")")
                let notAdmin = await #expect(throws: RPCError.self) {
                    try await leads.setPoolPolicy(.with { $0.policy = .init() }, metadata: claimer)
                }
                #expect(notAdmin?.code == .permissionDenied)
            }
        }
    }
}
