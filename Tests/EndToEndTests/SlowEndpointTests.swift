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
    /// One tenant's webhook that accepts connections and never answers does not hold up another
    /// tenant's notices: deliveries run side by side, a tenant has a bounded share of them, and the
    /// worker never waits for a round's slowest delivery before starting the next.
    @Suite struct SlowEndpointTests {
        /// A socket that listens and never accepts: connections complete in the kernel's backlog and
        /// every request waits for an answer that never comes.
        final class SilentListener: Sendable {
            let port: Int
            private let socket: Int32

            init() throws {
                let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                address.sin_port = 0
                var length = socklen_t(MemoryLayout<sockaddr_in>.size)
                let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
                guard bound == 0, listen(fd, 64) == 0 else { throw TestEnvironment.Missing(description: "could not listen") }
                _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
                socket = fd
                port = Int(UInt16(bigEndian: address.sin_port))
            }

            deinit { close(socket) }
        }

        @Test func aSilentEndpointOfOneTenantDoesNotDelayAnothers() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let silent = try SilentListener()
            let silentPort = silent.port
            let endpoints = VendorEndpoints()
            try await endpoints.serving { base in
                try await client.with(.leads) { grpc in
                    let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                    let notifications = Sales_Notifications_V1_NotificationService.Client(wrapping: grpc)
                    func tenant(_ name: String, hook: String) async throws -> Metadata {
                        let admin = try await client.metadata(
                            Caller(
                                tenant: TenantID("\(name)-\(UInt32.random(in: 0...UInt32.max))")!,
                                userID: "admin", roles: [.admin], orgPath: "/hq"))
                        _ = try await notifications.putNotificationChannel(
                            .with {
                                $0.channel = .with {
                                    $0.name = "hook"; $0.kind = .webhook; $0.webhookURL = hook; $0.secret = VendorEndpoints.webhookSecret;
                                    $0.enabled = true
                                }
                            }, metadata: admin)
                        _ = try await Sales_Common_V1_RuleSetService.Client(wrapping: grpc).saveRuleSet(
                            .with {
                                $0.name = "lead-routing"; $0.comment = "无人小组"; $0.activate = true
                                $0.rules = [
                                    .with {
                                        $0.id = "empty"; $0.conditionJson = "true"; $0.outcomeJson = #"{"team": "/east/nobody"}"#
                                    }
                                ]
                            }, metadata: admin)
                        return admin
                    }
                    func waitingLead(_ admin: Metadata) async throws -> String {
                        try await leads.createLead(
                            .with {
                                $0.contactName = "等待"; $0.phone = "1338" + String(format: "%07d", Int.random(in: 0..<10_000_000)); $0.channel = .api
                            }, metadata: admin
                        ).lead.id
                    }
                    // Twelve notices into a webhook that never answers (each attempt waits out the read timeout)…
                    let slow = try await tenant("slow", hook: "http://127.0.0.1:\(silentPort)/hook")
                    for _ in 0..<12 { _ = try await waitingLead(slow) }
                    try await Task.sleep(for: .milliseconds(1_500))
                    // …and then one notice of another tenant to an endpoint that answers at once.
                    let quick = try await tenant("quick", hook: "\(base)/hook")
                    let started = ContinuousClock.now
                    let lead = try await waitingLead(quick)
                    _ = try await client.eventually(timeout: .seconds(20)) {
                        try await notifications.listNotificationDeliveries(.with { $0.subjectID = lead }, metadata: quick)
                            .deliveries.first { $0.status == .delivered }
                    }
                    let waited = ContinuousClock.now - started
                    #expect(waited < .seconds(3), "the other tenant's notice waited \(waited)")
                }
            }
            withExtendedLifetime(silent) {}
        }
    }
}
