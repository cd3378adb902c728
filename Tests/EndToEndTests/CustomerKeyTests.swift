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
    /// One customer, one key, one owner: repeat leads attach to the existing customer and owner,
    /// also when two channels submit the same customer at the same moment.
    @Suite struct CustomerKeyTests {
        static func randomMobile() -> String { "139" + String(format: "%08d", Int.random(in: 0..<100_000_000)) }

        @Test func aRepeatLeadGoesToTheCustomersOwner() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let phone = Self.randomMobile()
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let first = try await leads.createLead(
                    .with {
                        $0.contactName = "王建国"; $0.phone = phone; $0.channel = .webForm
                    }, metadata: try await client.metadata(People.rep)
                ).lead
                #expect(!first.repeat)
                #expect(!first.customerID.isEmpty)
                // The same person, typed differently, from another channel, entered by another rep.
                let again = try await leads.createLead(
                    .with {
                        $0.contactName = "王先生"; $0.phone = "+86 " + phone; $0.channel = .douyin; $0.campaign = "抖音直播"
                    }, metadata: try await client.metadata(People.otherRep)
                ).lead
                #expect(again.repeat)
                #expect(again.customerID == first.customerID)
                #expect(again.ownerID == People.rep.userID, "never a second owner for one customer")
                #expect(again.channel == .douyin, "the new source is recorded on the new lead")
                // Both histories stay: the owner sees both leads.
                let owned = try await leads.listLeads(
                    .with { $0.page = .with { $0.pageSize = 200 } }, metadata: try await client.metadata(People.rep)
                ).leads
                #expect(owned.filter { $0.customerID == first.customerID }.count == 2)
            }
        }

        @Test func companiesKeyOnTheCreditCode() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let tenant = TenantID("b2b-\(UInt16.random(in: 0...UInt16.max))")!
                let alice = Caller(tenant: tenant, userID: "alice", roles: [.rep], orgPath: "/a")
                let bob = Caller(tenant: tenant, userID: "bob", roles: [.rep], orgPath: "/b")
                let first = try await leads.createLead(
                    .with {
                        $0.contactName = "采购部"; $0.companyName = "福州某医疗器械公司"; $0.creditCode = "91350100M000100Y43"; $0.channel = .tradeShow
                    }, metadata: try await client.metadata(alice)
                ).lead
                #expect(first.phone.masked.isEmpty, "a company lead may come without a mobile")
                let second = try await leads.createLead(
                    .with {
                        $0.contactName = "设备科"; $0.companyName = "福州某医疗器械公司"; $0.creditCode = "91350100m000100y43"
                        $0.phone = Self.randomMobile(); $0.channel = .api
                    }, metadata: try await client.metadata(bob)
                ).lead
                #expect(second.customerID == first.customerID)
                #expect(second.ownerID == "alice")

                let badCode = await #expect(throws: RPCError.self) {
                    try await leads.createLead(
                        .with {
                            $0.contactName = "x"; $0.creditCode = "91350100M000100Y44"; $0.channel = .api
                        }, metadata: try await client.metadata(alice))
                }
                #expect(badCode?.code == .invalidArgument)
                #expect(badCode?.message.hasPrefix("credit_code:") == true)
                let neither = await #expect(throws: RPCError.self) {
                    try await leads.createLead(
                        .with {
                            $0.contactName = "x"; $0.channel = .api
                        }, metadata: try await client.metadata(alice))
                }
                #expect(neither?.message.contains("unless credit_code") == true)
            }
        }

        @Test func simultaneousSubmitsFromTwoChannelsMakeOneCustomer() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let phone = Self.randomMobile()
            let submitters = [People.rep, People.otherRep, People.rep, People.otherRep, People.manager, People.admin]
            let created = try await withThrowingTaskGroup(of: Sales_Leads_V1_Lead.self) { group in
                for (index, caller) in submitters.enumerated() {
                    group.addTask {
                        try await client.with(.leads) { grpc in
                            try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).createLead(
                                .with {
                                    $0.contactName = "并发客户"; $0.phone = phone; $0.channel = index.isMultiple(of: 2) ? .wechat : .meituan
                                }, metadata: try await client.metadata(caller)
                            ).lead
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(created.map(\.customerID)).count == 1)
            #expect(created.filter { !$0.repeat }.count == 1, "exactly one lead made the customer")
            // A lead that first waited in a pool moves with its customer when a later one is routed
            // to a rep: once all are in, every lead of the customer has the one owner.
            let settled = try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                var owners: Set<String> = []
                for lead in created {
                    owners.insert(try await leads.getLead(.with { $0.id = lead.id }, metadata: try await client.metadata(People.admin)).ownerID)
                }
                return owners
            }
            #expect(settled.count == 1, "\(settled)")
        }
    }
}
