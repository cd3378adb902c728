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
    /// For the calls whose scope this change rewrote: the record's own path sees it, a sibling
    /// whose path is a string prefix of it (/north/nn vs /north/nn1) does not, and another tenant
    /// gets nothing.
    @Suite struct PrefixSiblingTests {
        static func tenant() -> TenantID { TenantID("sib-\(UInt32.random(in: 0...UInt32.max))")! }

        @Test func listUsersOfATeamLeavesOutItsStringPrefixSibling() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = Self.tenant()
            let admin = try await client.metadata(Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/"))
            try await client.with(.gateway) { grpc in
                let directory = Sales_Gateway_V1_DirectoryService.Client(wrapping: grpc)
                _ = try await directory.createTeam(
                    .with {
                        $0.id = "north"; $0.name = "华北"
                    }, metadata: admin)
                for team in ["nn", "nn1"] {
                    _ = try await directory.createTeam(
                        .with {
                            $0.id = team; $0.name = team; $0.parentID = "north"
                        }, metadata: admin)
                    _ = try await directory.createUser(
                        .with {
                            $0.id = "rep-\(team)"; $0.displayName = team; $0.teamID = team; $0.roles = [.rep]
                        }, metadata: admin)
                }
                let own = try await directory.listUsers(.with { $0.teamID = "nn" }, metadata: admin).users.map(\.id)
                #expect(own == ["rep-nn"], "/north/nn lists its own, not /north/nn1's: \(own)")
                let parent = try await directory.listUsers(.with { $0.teamID = "north" }, metadata: admin).users.map(\.id)
                #expect(parent == ["rep-nn", "rep-nn1"])
                let stranger = try await client.metadata(Caller(tenant: Self.tenant(), userID: "admin", roles: [.admin], orgPath: "/"))
                let error = await #expect(throws: RPCError.self) { try await directory.getUser(.with { $0.id = "rep-nn" }, metadata: stranger) }
                #expect(error?.code == .notFound)
            }
        }

        @Test func aPoolIsClaimedFromItsOwnPathNotFromAStringPrefixSibling() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = Self.tenant()
            func rep(_ path: String) async throws -> Metadata {
                try await client.metadata(
                    Caller(tenant: tenant, userID: "rep\(path.replacingOccurrences(of: "/", with: "."))", roles: [.rep], orgPath: path))
            }
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let lead = try await leads.createLead(
                    .with {
                        $0.contactName = "公海"; $0.phone = "1363" + String(format: "%07d", Int.random(in: 0..<10_000_000)); $0.channel = .api
                    }, metadata: try await rep("/north/nn1")
                ).lead
                _ = try await leads.releaseLead(
                    .with {
                        $0.leadID = lead.id; $0.reason = "客户暂无预算，放回公海"
                    }, metadata: try await rep("/north/nn1"))
                for outsider in [
                    try await rep("/north/nn"), try await client.metadata(Caller(tenant: Self.tenant(), userID: "x", roles: [.admin], orgPath: "/")),
                ] {
                    let pool = try await leads.listLeads(
                        .with {
                            $0.publicPool = true; $0.page.pageSize = 200
                        }, metadata: outsider
                    ).leads.map(\.id)
                    #expect(!pool.contains(lead.id))
                    let claim = await #expect(throws: RPCError.self) { try await leads.claimLead(.with { $0.leadID = lead.id }, metadata: outsider) }
                    #expect(claim?.code == .notFound)
                }
                let claimed = try await leads.claimLead(.with { $0.leadID = lead.id }, metadata: try await rep("/north/nn1/a"))
                #expect(claimed.ownerID == "rep.north.nn1.a", "a rep below the pool's team claims it")
            }
        }

        @Test func aTenantsCalendarIsItsOwn() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let mine = try await client.metadata(Caller(tenant: Self.tenant(), userID: "admin", roles: [.admin], orgPath: "/"))
            let theirs = try await client.metadata(Caller(tenant: Self.tenant(), userID: "admin", roles: [.admin], orgPath: "/"))
            try await client.with(.gateway) { grpc in
                let directory = Sales_Gateway_V1_DirectoryService.Client(wrapping: grpc)
                _ = try await directory.setWorkCalendar(.with { $0.calendarJson = #"{"holidays": ["2027-10-01"]}"# }, metadata: mine)
                let other = try await directory.getWorkCalendar(.init(), metadata: theirs)
                #expect(!other.tenantDefined && !other.calendarJson.contains("2027-10-01"))
            }
        }
    }
}
