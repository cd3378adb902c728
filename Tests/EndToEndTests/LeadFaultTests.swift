import Foundation
import GRPCCore
import Logging
import PostgresNIO
import RulesEngine
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

extension EndToEnd {
    /// Leads created with idempotency keys and retries while the leads executable is killed with
    /// SIGKILL several times: every acknowledged lead is there exactly once, every retried one too.
    @Suite struct LeadFaultTests {
        @Test func killingLeadsMidFlowLosesNoAcknowledgedLeadAndDuplicatesNone() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("fault-leads-\(UInt16.random(in: 0...UInt16.max))")!
            let rep = Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/east/sh")
            let count = 80

            let producer = Task { () -> (acknowledged: [String: String], retries: Int) in
                var acknowledged: [String: String] = [:]  // idempotency key → lead id
                var retries = 0
                for index in 0..<count {
                    let key = "fault-\(index)"
                    let request = Sales_Leads_V1_CreateLeadRequest.with {
                        $0.contactName = "客户\(index)"
                        $0.phone = "1880000" + String(format: "%04d", index)
                        $0.channel = .api
                    }
                    // Retry with the same key until acknowledged, as a well-behaved client does.
                    for attempt in 0..<200 {
                        do {
                            let lead = try await client.with(.leads) { grpc in
                                try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).createLead(
                                    request, metadata: try await client.metadata(rep, idempotencyKey: key))
                            }.lead
                            acknowledged[key] = lead.id
                            break
                        } catch {
                            if attempt == 199 { throw error }
                            retries += 1
                            try await Task.sleep(for: .milliseconds(50))
                        }
                    }
                    try await Task.sleep(for: .milliseconds(20))
                }
                return (acknowledged, retries)
            }
            for _ in 0..<3 {
                try await Task.sleep(for: .milliseconds(400))
                await stack.kill(.leads, signal: SIGKILL)
                #expect(await stack.lastExitStatus(.leads) == 128 + SIGKILL)
                try await stack.start(.leads)
            }
            let (acknowledged, retries) = try await producer.value
            try await stack.waitUntilHealthy(.leads)
            #expect(acknowledged.count == count)
            #expect(retries > 0, "the kills must have interrupted some requests for this test to mean anything")

            let stored = try await client.with(.leads) { grpc in
                try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).listLeads(
                    .with { $0.page = .with { $0.pageSize = 200 } }, metadata: try await client.metadata(rep)
                ).leads
            }
            #expect(stored.count == count, "exactly one lead per acknowledged request")
            #expect(Set(stored.map(\.id)) == Set(acknowledged.values))
            #expect(Set(stored.map(\.contactName)).count == count)
        }

        @Test func figuresCountFirstTouchesByRegionAndHour() async throws {
            let (stack, database, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("figures-\(UInt16.random(in: 0...UInt16.max))")!
            let east = Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/east/sh")
            let north = Caller(tenant: tenant, userID: "sun.li", roles: [.rep], orgPath: "/north/bj")
            let admin = Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq")
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                var touchedLead = ""
                for (index, caller) in [east, east, north].enumerated() {
                    let lead = try await leads.createLead(
                        .with {
                            $0.contactName = "f\(index)"; $0.phone = "1870000" + String(format: "%04d", index); $0.channel = .api
                        }, metadata: try await client.metadata(caller)
                    ).lead
                    if index == 0 { touchedLead = lead.id }
                }
                _ = try await leads.logFollowUp(
                    .with {
                        $0.followUp = .with {
                            $0.leadID = touchedLead; $0.kind = .call; $0.occurredAt = Google_Protobuf_Timestamp(date: Date())
                            $0.summary = "首次电话，约了下周演示"
                        }
                    }, metadata: try await client.metadata(east))
                let window = Sales_Leads_V1_GetLeadFiguresRequest.with {
                    $0.from = Google_Protobuf_Timestamp(date: Date().addingTimeInterval(-3_600))
                    $0.to = Google_Protobuf_Timestamp(date: Date().addingTimeInterval(3_600))
                }
                let figures = try await leads.getLeadFigures(window, metadata: try await client.metadata(admin)).figures
                let byRegion = Dictionary(grouping: figures, by: \.region)
                #expect(byRegion["/east"]?.map(\.leads).reduce(0, +) == 2)
                #expect(byRegion["/east"]?.map(\.touchedWithin48H).reduce(0, +) == 1)
                #expect(byRegion["/north"]?.map(\.touched).reduce(0, +) == 0)

                // A rep sees only their own.
                let own = try await leads.getLeadFigures(window, metadata: try await client.metadata(north)).figures
                #expect(own.map(\.leads).reduce(0, +) == 1)
                let backwards = await #expect(throws: RPCError.self) {
                    try await leads.getLeadFigures(
                        .with {
                            $0.from = window.to; $0.to = window.from
                        }, metadata: try await client.metadata(admin))
                }
                #expect(backwards?.message.hasPrefix("to:") == true)
                // By hour of day in Shanghai: the same leads as if created yesterday at 09:30, 14:10
                // and 09:45, the first touched 30 minutes after it came in.
                let yesterday = WorkCalendar.standard.localDate(of: Date().addingTimeInterval(-86_400))
                let created = try await leads.listLeads(.with { $0.page.pageSize = 10 }, metadata: try await client.metadata(admin)).leads
                    .sorted { $0.contactName < $1.contactName }.map(\.id)
                try await TestEnvironment.withAdminConnection(to: database.url(for: .leads)) { connection in
                    for (id, time) in zip(created, ["09:30", "14:10", "09:45"]) {
                        let at = "\(yesterday) \(time):00+08"
                        _ = try await connection.query(
                            """
                            UPDATE leads.leads SET created_at = \(at)::timestamptz,
                                   first_touch_at = CASE WHEN first_touch_at IS NULL THEN NULL ELSE \(at)::timestamptz + interval '30 minutes' END
                            WHERE id = \(UUID(uuidString: id)!)
                            """, logger: Logger(label: "test"))
                    }
                }
                let day = try await leads.getLeadFigures(
                    .with {
                        $0.from = Google_Protobuf_Timestamp(date: Date().addingTimeInterval(-3 * 86_400))
                        $0.to = Google_Protobuf_Timestamp(date: Date())
                    }, metadata: try await client.metadata(admin)
                ).figures
                let cells = day.map { "\($0.region)@\($0.hourOfDay): \($0.leads) leads, \($0.touched) touched, p50 \(Int($0.firstTouchP50Seconds))s" }
                #expect(
                    cells == [
                        "/east@9: 1 leads, 1 touched, p50 1800s", "/east@14: 1 leads, 0 touched, p50 0s", "/north@9: 1 leads, 0 touched, p50 0s",
                    ],
                    "\(cells)")
            }
        }
    }
}
