import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit

/// Queues notices in the transaction of the change they tell about, one delivery per channel
/// that reaches the audience; the worker sends them. A notice nobody can receive is logged as
/// skipped with the reason, never sent somewhere less private instead.
public struct Notifier: Sendable {
    let store: NotificationStore
    let senders: NotificationSenders

    public func enqueue(_ notice: Notice, tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws {
        let channels = try await store.channels(tenant: tenant, on: connection).filter(\.enabled)
        try await store.enqueue(senders.plan(notice, channels: channels), tenant: tenant, on: connection, logger: logger)
    }
}

/// The channel plugins the service ships, by kind.
struct NotificationSenders: Sendable {
    let all: [any NotificationChannelSender]

    static func standard() -> NotificationSenders {
        let tokens = AccessTokens()
        return NotificationSenders(all: [
            WeComAppChannel(tokens: tokens), DingTalkWorkChannel(tokens: tokens), DingTalkTodoChannel(tokens: tokens),
            WeComRobotChannel(), DingTalkRobotChannel(), WebhookChannel(),
        ])
    }

    func sender(for kind: Sales_Notifications_V1_ChannelKind) -> (any NotificationChannelSender)? {
        all.first { $0.kind == kind }
    }

    /// Where a notice goes: person channels for a person, team channels of the team (or a team
    /// above it, or tenant-wide) for a team; a personal notice never to a team.
    func plan(_ notice: Notice, channels: [Sales_Notifications_V1_NotificationChannel]) -> [NotificationStore.NewDelivery] {
        var deliveries: [NotificationStore.NewDelivery] = []
        switch notice.audience {
        case .person(let user):
            for channel in channels where sender(for: channel.kind)?.reachesPerson == true {
                deliveries.append(.init(notice: notice, channel: channel.name, recipient: channel.handles[user] ?? user, status: .pending, note: ""))
            }
            if deliveries.isEmpty {
                let why =
                    notice.personal
                    ? "no person channel (WeCom app, DingTalk work notice or to-do) is set up; a personal notice is never sent to a group"
                    : "no person channel (WeCom app, DingTalk work notice or to-do) is set up"
                deliveries.append(.init(notice: notice, channel: "", recipient: user, status: .skipped, note: why))
            }
        case .team(let path):
            guard !notice.personal else {
                return [.init(notice: notice, channel: "", recipient: "", status: .skipped, note: "a personal notice is never sent to a team")]
            }
            for channel in channels
            where sender(for: channel.kind)?.reachesPerson == false
                && (channel.teamPath.isEmpty || OrgPath(channel.teamPath)?.contains(path) == true)
            {
                deliveries.append(.init(notice: notice, channel: channel.name, recipient: "", status: .pending, note: ""))
            }
            if deliveries.isEmpty {
                deliveries.append(
                    .init(
                        notice: notice, channel: "", recipient: "", status: .skipped,
                        note: "no team channel (group robot or webhook) covers \(path)"))
            }
        }
        return deliveries
    }
}
