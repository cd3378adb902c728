import Foundation
import GRPCCore
import Logging
import PostgresNIO
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

extension EndToEnd {
    /// Two customers made one, keeping both histories; the merged key finds the survivor after.
    @Suite struct CustomerMergeTests {
        @Test func mergingKeepsBothHistoriesAndTheMergedKeyFindsTheSurvivor() async throws {
            let (stack, database, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("merge-\(UInt16.random(in: 0...UInt16.max))")!
            let admin = Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq")
            let east = Caller(tenant: tenant, userID: "zhao.lei", roles: [.manager], orgPath: "/east")
            let liNa = Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/east/east-sh")
            let sunLi = Caller(tenant: tenant, userID: "sun.li", roles: [.rep], orgPath: "/north/north-bj")
            let code = DemoCompanies.all[4].code.rawValue
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let personal = try await leads.createLead(
                    .with {
                        $0.contactName = "刘校长"; $0.phone = "139" + String(format: "%08d", Int.random(in: 0..<100_000_000)); $0.channel = .wechat
                    }, metadata: try await client.metadata(liNa)
                ).lead
                _ = try await leads.logFollowUp(
                    .with {
                        $0.followUp = .with {
                            $0.leadID = personal.id; $0.kind = .call; $0.summary = "电话沟通了智慧教室方案"
                            $0.occurredAt = .init(date: Date().addingTimeInterval(-60))
                        }
                    }, metadata: try await client.metadata(liNa))
                let company = try await leads.createLead(
                    .with {
                        $0.contactName = "刘校长"; $0.companyName = "北京博远教育科技有限公司"; $0.creditCode = code; $0.channel = .webForm
                    }, metadata: try await client.metadata(sunLi)
                ).lead
                _ = try await leads.syncChat(
                    .with {
                        $0.leadID = company.id; $0.customerConsented = true
                        $0.messages = [
                            .with {
                                $0.from = "customer"; $0.text = "方案发我邮箱"
                            }
                        ]
                    }, metadata: try await client.metadata(sunLi))
                #expect(personal.customerID != company.customerID)

                func merge(_ caller: Caller, key: String? = nil, _ edit: (inout Sales_Leads_V1_MergeCustomersRequest) -> Void = { _ in })
                    async throws -> Sales_Leads_V1_MergeCustomersResponse
                {
                    var request = Sales_Leads_V1_MergeCustomersRequest.with {
                        $0.survivingCustomerID = personal.customerID; $0.mergedCustomerID = company.customerID; $0.reason = "同一位客户：个人手机与学校信用代码"
                    }
                    edit(&request)
                    return try await leads.mergeCustomers(request, metadata: try await client.metadata(caller, idempotencyKey: key))
                }
                func refusal(_ caller: Caller, _ edit: (inout Sales_Leads_V1_MergeCustomersRequest) -> Void = { _ in }) async -> RPCError? {
                    await #expect(throws: RPCError.self) { _ = try await merge(caller, edit) }
                }
                #expect(await refusal(liNa)?.code == .permissionDenied)
                #expect(await refusal(east)?.code == .notFound, "the school's customer is in /north, outside the manager's view")
                #expect(await refusal(admin) { $0.mergedCustomerID = personal.customerID }?.message.hasPrefix("merged_customer_id:") == true)
                #expect(await refusal(admin) { $0.reason = "" }?.message.hasPrefix("reason:") == true)
                #expect(await refusal(admin) { $0.survivingCustomerID = "nope" }?.message.hasPrefix("surviving_customer_id:") == true)
                let stranger = Caller(tenant: TenantID("merge-other")!, userID: "admin", roles: [.admin], orgPath: "/hq")
                #expect(await refusal(stranger)?.code == .notFound)

                let merged = try await merge(admin, key: "merge-\(personal.customerID)")
                #expect(merged.customerID == personal.customerID && merged.movedLeads == 1 && merged.reassignedLeads == 1)
                let retried = try await merge(admin, key: "merge-\(personal.customerID)")
                #expect(retried == merged, "a retried merge answers as the first did")
                #expect(await refusal(admin)?.message.contains("already merged into \(personal.customerID)") == true)

                let moved = try await leads.getLead(.with { $0.id = company.id }, metadata: try await client.metadata(admin))
                #expect(moved.customerID == personal.customerID && moved.ownerID == "li.na" && moved.orgPath == "/east/east-sh")
                #expect(
                    try await leads.listFollowUps(.with { $0.leadID = personal.id }, metadata: try await client.metadata(liNa)).followUps.count == 1)

                // The school's credit code now finds the surviving customer and its owner.
                let again = try await leads.createLead(
                    .with {
                        $0.contactName = "王老师"; $0.companyName = "北京博远教育科技有限公司"; $0.creditCode = code; $0.channel = .api
                    }, metadata: try await client.metadata(admin)
                ).lead
                #expect(again.customerID == personal.customerID && again.repeat && again.ownerID == "li.na")
            }
            let survivor = try await client.with(.leads) { grpc in
                try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).listLeads(.init(), metadata: try await client.metadata(admin))
                    .leads.map(\.customerID)
            }
            #expect(Set(survivor).count == 1)
            let chats = try await Self.scalar(
                "SELECT count(*) FROM leads.chat_archive WHERE customer_id = '\(survivor[0])'", database: database.url(for: .leads))
            #expect(chats == 1, "the school's archived chat moved to the surviving customer")
        }

        static func scalar(_ sql: String, database: DatabaseURL) async throws -> Int64 {
            try await TestEnvironment.withAdminConnection(to: database) { connection in
                let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "test"))
                for try await value in rows.decode(Int64.self) { return value }
                return 0
            }
        }
    }
}
