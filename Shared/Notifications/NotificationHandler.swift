import Foundation
import GRPCCore
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// sales.leads.v1.NotificationService: channels and the delivery log, for admins.
struct NotificationHandler: Sales_Notifications_V1_NotificationService.SimpleServiceProtocol {
    let store: NotificationStore
    let senders: NotificationSenders

    func putNotificationChannel(
        request: Sales_Notifications_V1_PutNotificationChannelRequest, context: ServerContext
    ) async throws -> Sales_Notifications_V1_NotificationChannel {
        let caller = try Self.admin()
        let channel = try check(request.channel)
        try await store.put(channel, tenant: caller.tenant, by: caller)
        return Self.withoutSecret(channel)
    }

    func listNotificationChannels(
        request: Sales_Notifications_V1_ListNotificationChannelsRequest, context: ServerContext
    ) async throws -> Sales_Notifications_V1_ListNotificationChannelsResponse {
        let caller = try Self.admin()
        let channels = try await store.channels(tenant: caller.tenant)
        return .with { $0.channels = channels.map(Self.withoutSecret) }
    }

    func listNotificationDeliveries(
        request: Sales_Notifications_V1_ListNotificationDeliveriesRequest, context: ServerContext
    ) async throws -> Sales_Notifications_V1_ListNotificationDeliveriesResponse {
        let caller = try Self.admin()
        let page = try Page(request.page)
        let subject = request.subjectID.isEmpty ? nil : request.subjectID
        let (rows, next) = page.finish(try await store.list(tenant: caller.tenant, subject: subject, page: page), seq: \.seq)
        return .with {
            $0.deliveries = rows.map(\.delivery)
            $0.page = next
        }
    }

    /// What each kind needs, named by field when missing.
    func check(_ channel: Sales_Notifications_V1_NotificationChannel) throws(ServiceError) -> Sales_Notifications_V1_NotificationChannel {
        var channel = channel
        let name = channel.name
        guard (2...40).contains(name.count), name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) else {
            throw .invalidArgument(field: "channel.name", rule: "must be 2 to 40 lowercase letters, digits or '-'; got \(quoted: name)")
        }
        guard let sender = senders.sender(for: channel.kind) else {
            throw .invalidArgument(
                field: "channel.kind", rule: "is required: wecom_app, dingtalk_work, dingtalk_todo, wecom_robot, dingtalk_robot or webhook")
        }
        if sender.reachesPerson {
            guard channel.teamPath.isEmpty else {
                throw .invalidArgument(field: "channel.team_path", rule: "is for team channels; a person channel reaches each person directly")
            }
            if !channel.baseURL.isEmpty { try Self.url(channel.baseURL, field: "channel.base_url") }
            _ = try Require.text(channel.appID, field: "channel.app_id", maxLength: 100)
            _ = try Require.text(channel.secret, field: "channel.secret", maxLength: 200)
            guard channel.agentID > 0 else { throw .invalidArgument(field: "channel.agent_id", rule: "is required: the app's agent id") }
        } else {
            if !channel.teamPath.isEmpty, !OrgPath.isValid(channel.teamPath) {
                throw .invalidArgument(
                    field: "channel.team_path", rule: "must be a team path such as \"/east/east-sh\", or empty for the whole tenant")
            }
            try Self.url(channel.webhookURL, field: "channel.webhook_url")
        }
        channel.handles = channel.handles.filter { !$0.key.isEmpty && !$0.value.isEmpty }
        return channel
    }

    static func url(_ text: String, field: String) throws(ServiceError) {
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host?.isEmpty == false else {
            throw .invalidArgument(field: field, rule: "must be an http(s) URL; got \(quoted: text)")
        }
    }

    static func admin() throws -> Caller {
        try RequestContext.caller(allowedTo: .administer, "managing notification channels and reading their log")
    }

    static func withoutSecret(_ channel: Sales_Notifications_V1_NotificationChannel) -> Sales_Notifications_V1_NotificationChannel {
        var shown = channel
        shown.secret = channel.secret.isEmpty ? "" : "••••"
        return shown
    }
}
