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
    /// A manager sees their own team's path and every path below it, segment by segment: the
    /// team's own manager included, a path that is a string prefix of another excluded.
    @Suite struct VisibilityTests {
        func lead(_ name: String, phone: String) -> Sales_Leads_V1_CreateLeadRequest {
            .with {
                $0.contactName = name; $0.phone = phone; $0.channel = .api
            }
        }

        func manager(at path: String) -> Caller {
            Caller(tenant: People.tenant, userID: "mgr\(path.replacingOccurrences(of: "/", with: "."))", roles: [.manager], orgPath: path)
        }

        @Test func aTeamsOwnManagerSeesItsLeads() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let created = try await leads.createLead(lead("韩冬", phone: "13566610001"), metadata: try await client.metadata(People.rep)).lead
                let own = try await client.metadata(manager(at: People.rep.orgPath))
                #expect(try await leads.getLead(.with { $0.id = created.id }, metadata: own).id == created.id)
                let listed = try await leads.listLeads(.with { $0.page.pageSize = 200 }, metadata: own).leads.map(\.id)
                #expect(listed.contains(created.id))
            }
        }

        static let outsidePaths = ["/north/n", "/north/n_", "/north/n1/a"]

        @Test(arguments: outsidePaths)
        func aPathThatIsAStringPrefixSeesNothingOfAnother(path: String) async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let rep = Caller(tenant: People.tenant, userID: "n1.rep.\(UInt16.random(in: 0...9999))", roles: [.rep], orgPath: "/north/n1/b")
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                // A number of its own per case: a random one once matched 13566610001 above, and the
                // lead was deduplicated into that rep's.
                let phone = "1357770\(String(format: "%04d", Self.outsidePaths.firstIndex(of: path)! + 1))"
                let created = try await leads.createLead(lead("柏林", phone: phone), metadata: try await client.metadata(rep)).lead
                #expect(created.orgPath == "/north/n1/b")
                let outsider = try await client.metadata(manager(at: path))
                let error = await #expect(throws: RPCError.self) { try await leads.getLead(.with { $0.id = created.id }, metadata: outsider) }
                #expect(error?.code == .notFound)
                let listed = try await leads.listLeads(.with { $0.page.pageSize = 200 }, metadata: outsider).leads.map(\.id)
                #expect(!listed.contains(created.id))
                // The paths that do contain it see it.
                for inside in ["/north/n1", "/north/n1/b", "/north"] {
                    #expect(
                        try await leads.getLead(.with { $0.id = created.id }, metadata: try await client.metadata(manager(at: inside))).id
                            == created.id)
                }
            }
        }
    }
}
