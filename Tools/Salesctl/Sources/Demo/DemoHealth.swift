import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SalesProto
import SwiftProtobuf

/// Customer health in the demo: one customer's health measured, then a major complaint from the
/// service desk (its score falls, its owner gets a risk task); another customer who read the
/// white paper, attended the live stream and had a question resolved with a good NPS. Tickets and
/// touches carry their systems' ids, so a second load changes nothing.
enum DemoHealth {
    static func load(_ deals: [DemoDeals.Deal], adminToken: String, client: GRPCClient<HTTP2ClientTransport.Posix>) async throws {
        let admin: Metadata = ["authorization": "Bearer \(adminToken)"]
        let opportunities = Sales_Opportunities_V1_OpportunityService.Client(wrapping: client)
        var customers: [String] = []
        for deal in deals where customers.count < 2 {
            let customer = try await opportunities.getOpportunity(.with { $0.id = deal.id }, metadata: admin).customerID
            if !customer.isEmpty, !customers.contains(customer) { customers.append(customer) }
        }
        guard customers.count == 2 else { return }
        let health = Sales_Opportunities_V1_CustomerHealthService.Client(wrapping: client)
        let day = 86_400.0
        let now = Date()
        // Measured before the complaint, so the fall shows in the list of falling customers.
        _ = try await health.getCustomerHealth(.with { $0.customerID = customers[0] }, metadata: admin)
        _ = try await health.recordTicket(
            .with {
                $0.ticket = .with {
                    $0.ticketID = "DEMO-TK-1001"; $0.customerID = customers[0]; $0.severity = .major; $0.complaint = true
                    $0.subject = "监护仪频繁误报警，科室投诉，要求上门检修"
                    $0.openedAt = Google_Protobuf_Timestamp(date: now.addingTimeInterval(-2 * day).rounded)
                }
            }, metadata: admin)
        for (id, kind, title, daysAgo) in [
            ("DEMO-MKT-1", "whitepaper_clicked", "2026 智慧医院设备白皮书", 6.0), ("DEMO-MKT-2", "live_stream_attended", "腔镜新品直播", 3),
            ("DEMO-MKT-3", "price_list_downloaded", "耗材价格表", 1),
        ] {
            _ = try await health.recordTouch(
                .with {
                    $0.touch = .with {
                        $0.touchID = id; $0.customerID = customers[1]; $0.kind = kind; $0.title = title
                        $0.occurredAt = Google_Protobuf_Timestamp(date: now.addingTimeInterval(-daysAgo * day).rounded)
                    }
                }, metadata: admin)
        }
        _ = try await health.recordTicket(
            .with {
                $0.ticket = .with {
                    $0.ticketID = "DEMO-TK-1002"; $0.customerID = customers[1]; $0.severity = .minor; $0.subject = "咨询耗材更换周期"
                    $0.openedAt = Google_Protobuf_Timestamp(date: now.addingTimeInterval(-5 * day).rounded)
                    $0.resolvedAt = Google_Protobuf_Timestamp(date: now.addingTimeInterval(-4 * day).rounded)
                    $0.nps = 9
                }
            }, metadata: admin)
    }
}

extension Date {
    /// To the whole day (UTC), so a second demo load sends the same times.
    fileprivate var rounded: Date { Date(timeIntervalSince1970: (timeIntervalSince1970 / 86_400).rounded(.down) * 86_400) }
}
