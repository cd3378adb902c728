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
    /// Reminders and escalations through the channel plugins, over real HTTP to endpoints that
    /// answer as WeCom and DingTalk do: a person's notices to the person only, a team's to its
    /// robots and webhooks, retries with backoff, and the delivery log.
    @Suite struct NotificationTests {
        static func phone() -> String { "133" + String(format: "%08d", Int.random(in: 0..<100_000_000)) }

        @Test func noticesReachThePersonOrTheTeamWithRetriesAndALog() async throws {
            let (stack, database, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("notify-\(UInt16.random(in: 0...UInt16.max))")!
            let admin = Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq")
            let rep = Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/east/east-sh")
            let endpoints = VendorEndpoints()
            try await endpoints.serving { base in
                try await client.with(.leads) { grpc in
                    let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                    let notifications = Sales_Notifications_V1_NotificationService.Client(wrapping: grpc)
                    let rules = Sales_Common_V1_RuleSetService.Client(wrapping: grpc)
                    let adminMetadata = try await client.metadata(admin)
                    let channels: [Sales_Notifications_V1_NotificationChannel] = [
                        .with {
                            $0.name = "wecom"; $0.kind = .wecomApp; $0.baseURL = base; $0.appID = "ww-corp"; $0.secret = "corp-secret"
                            $0.agentID = 1_000_002; $0.handles = ["li.na": "LiNa"]; $0.enabled = true
                        },
                        .with {
                            $0.name = "dingtalk"; $0.kind = .dingtalkWork; $0.baseURL = base; $0.appID = "ding-key"; $0.secret = "ding-secret"
                            $0.agentID = 99; $0.enabled = true
                        },
                        .with {
                            $0.name = "ding-todo"; $0.kind = .dingtalkTodo; $0.baseURL = base; $0.appID = "ding-key"; $0.secret = "ding-secret"
                            $0.agentID = 99; $0.handles = ["li.na": "union-lina"]; $0.enabled = true
                        },
                        .with {
                            $0.name = "nb-robot"; $0.kind = .wecomRobot; $0.teamPath = "/east/east-nb"; $0.webhookURL = "\(base)/robot/wecom?key=k1"
                            $0.enabled = true
                        },
                        .with {
                            $0.name = "east-ding"; $0.kind = .dingtalkRobot; $0.teamPath = "/east"
                            $0.webhookURL = "\(base)/robot/dingtalk?access_token=t1"; $0.secret = VendorEndpoints.dingTalkRobotSecret;
                            $0.enabled = true
                        },
                        .with {
                            $0.name = "bi-hook"; $0.kind = .webhook; $0.webhookURL = "\(base)/hook"; $0.secret = VendorEndpoints.webhookSecret
                            $0.enabled = true
                        },
                        .with {
                            $0.name = "south-hook"; $0.kind = .webhook; $0.teamPath = "/south"; $0.webhookURL = "\(base)/hook-broken";
                            $0.enabled = true
                        },
                    ]
                    for channel in channels {
                        let stored = try await notifications.putNotificationChannel(.with { $0.channel = channel }, metadata: adminMetadata)
                        #expect(stored.secret.isEmpty || stored.secret == "••••", "secrets are not returned")
                    }
                    // At rest, the settings are sealed: no secret or access token in the table.
                    let rows = try await TestEnvironment.withAdminConnection(to: database.url(for: .leads)) { connection in
                        try await connection.query(
                            "SELECT config FROM leads.notification_channels WHERE tenant_id = \(tenant.rawValue)", logger: Logger(label: "test")
                        ).collect().map { try $0.decode(String.self) }
                    }
                    #expect(rows.count == channels.count)
                    #expect(rows.allSatisfy { $0.hasPrefix("sealed:v1:") && !$0.contains("secret") && !$0.contains("access_token") }, "\(rows)")
                    _ = try await rules.saveRuleSet(
                        .with {
                            $0.name = "lead-routing"; $0.comment = "宁波、深圳"; $0.activate = true
                            $0.rules = [
                                .with {
                                    $0.id = "nb"; $0.conditionJson = #"{"==": [{"var": "city"}, "宁波"]}"#;
                                    $0.outcomeJson = #"{"team": "/east/east-nb"}"#
                                },
                                .with {
                                    $0.id = "sz"; $0.conditionJson = #"{"==": [{"var": "city"}, "深圳"]}"#; $0.outcomeJson = #"{"team": "/south/sz"}"#
                                },
                            ]
                        }, metadata: adminMetadata)

                    // A team notice: nobody in 宁波's team can take the lead.
                    let waiting = try await leads.createLead(
                        .with {
                            $0.contactName = "陈先生"; $0.phone = Self.phone(); $0.channel = .douyin; $0.city = "宁波"
                        },
                        metadata: adminMetadata
                    ).lead
                    // A personal notice: li.na's untouched lead is about to return to the pool.
                    _ = try await leads.setPoolPolicy(
                        .with {
                            $0.policy = .with {
                                $0.returnAfterBusinessDays = 5; $0.warnBusinessDaysBefore = 2; $0.cooldownDays = 7
                            }
                        }, metadata: adminMetadata)
                    let hers = try await leads.createLead(
                        .with {
                            $0.contactName = "黄女士"; $0.phone = Self.phone(); $0.channel = .api
                        },
                        metadata: try await client.metadata(rep)
                    ).lead
                    try await PoolReturnTests().age(hers.id, days: PoolReturnTests.daysSpanning(workdays: 3), database: database.url(for: .leads))
                    #expect(try await leads.sweepPublicPool(.init(), metadata: adminMetadata).warned == 1)
                    // A team notice whose only channel refuses it.
                    let south = try await leads.createLead(
                        .with {
                            $0.contactName = "何先生"; $0.phone = Self.phone(); $0.channel = .api; $0.city = "深圳"
                        },
                        metadata: adminMetadata
                    ).lead

                    func log(_ subject: String) async throws -> [Sales_Notifications_V1_NotificationDelivery] {
                        try await notifications.listNotificationDeliveries(.with { $0.subjectID = subject }, metadata: adminMetadata).deliveries
                    }
                    let team = try await client.eventually(timeout: .seconds(40)) { () -> [Sales_Notifications_V1_NotificationDelivery]? in
                        let deliveries = try await log(waiting.id)
                        return deliveries.count == 3 && deliveries.allSatisfy({ $0.status == .delivered }) ? deliveries : nil
                    }
                    #expect(
                        Set(team.map(\.channel)) == ["nb-robot", "east-ding", "bi-hook"], "the team's robots, the region's, and the tenant-wide hook")
                    #expect(team.allSatisfy { $0.audience == "team:/east/east-nb" && $0.notice == "lead_awaiting_owner" })
                    // Said in Chinese throughout: no English routing detail in the notice.
                    #expect(
                        team.allSatisfy {
                            $0.text.contains("无人")
                                && $0.text.replacingOccurrences(of: "/east/east-nb", with: "").range(of: "[A-Za-z]{4,}", options: .regularExpression)
                                    == nil
                        },
                        "\(team.map(\.text))")
                    #expect(team.first { $0.channel == "nb-robot" }?.attempts == 2, "the robot's 503 was retried")
                    #expect(team.first { $0.channel == "east-ding" }?.attempts == 1, "the DingTalk signature held")
                    // Checked on what the robot received, too: DingTalk's timestamp and sign, recomputed here.
                    let dingCalls = await endpoints.calls(to: "/robot/dingtalk")
                    #expect(!dingCalls.isEmpty && dingCalls.allSatisfy(VendorEndpoints.dingTalkSignatureHolds))
                    #expect(
                        dingCalls.allSatisfy { abs((Double($0.query["timestamp"] ?? "") ?? 0) / 1000 - Date().timeIntervalSince1970) < 120 },
                        "the timestamp is now, in milliseconds")

                    let personal = try await client.eventually(timeout: .seconds(30)) { () -> [Sales_Notifications_V1_NotificationDelivery]? in
                        let deliveries = try await log(hers.id)
                        return deliveries.count == 3 && deliveries.allSatisfy({ $0.status == .delivered }) ? deliveries : nil
                    }
                    #expect(Set(personal.map(\.channel)) == ["wecom", "dingtalk", "ding-todo"], "a personal notice goes to person channels only")
                    #expect(personal.allSatisfy { $0.audience == "person:li.na" && $0.title == "线索即将退回公海" })

                    let refused = try await client.eventually { () -> Sales_Notifications_V1_NotificationDelivery? in
                        try await log(south.id).first { $0.status == .failed }
                    }
                    #expect(refused.channel == "south-hook" && refused.attempts == 1 && refused.lastError.hasPrefix("HTTP 400"), "\(refused)")

                    // What the endpoints received.
                    let wecom = await endpoints.calls(to: "/cgi-bin/message/send")
                    #expect(wecom.count == 1 && wecom.first?.body["touser"] == "LiNa" && wecom.first?.query["access_token"] == "wecom-token")
                    #expect(await endpoints.calls(to: "/cgi-bin/gettoken").first?.query["corpsecret"] == "corp-secret")
                    let ding = await endpoints.calls(to: "/topapi/message/corpconversation/asyncsend_v2")
                    #expect(ding.count == 1 && ding.first?.body["userid_list"] == "li.na")
                    let todo = await endpoints.calls(to: "/v1.0/todo/users/union-lina/tasks")
                    #expect(todo.count == 1 && todo.first?.body["subject"] == "线索即将退回公海" && todo.first?.query["operatorId"] == "union-lina")
                    let robot = await endpoints.calls(to: "/robot/wecom")
                    #expect(robot.count == 2 && robot.allSatisfy { $0.rawBody.contains("新线索无人接手") })
                    #expect(robot.allSatisfy { !$0.rawBody.contains("黄女士") }, "li.na's own lead never reaches a group")
                    #expect(await endpoints.calls(to: "/hook").allSatisfy(VendorEndpoints.webhookSignatureHolds))
                }
            }
        }

        @Test func aPersonalNoticeWithNoPersonChannelIsSkippedNotSentToAGroup() async throws {
            let (stack, database, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("notify2-\(UInt16.random(in: 0...UInt16.max))")!
            let admin = Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq")
            let rep = Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/east/east-sh")
            let endpoints = VendorEndpoints()
            try await endpoints.serving { base in
                try await client.with(.leads) { grpc in
                    let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                    let notifications = Sales_Notifications_V1_NotificationService.Client(wrapping: grpc)
                    let adminMetadata = try await client.metadata(admin)
                    _ = try await notifications.putNotificationChannel(
                        .with {
                            $0.channel = .with {
                                $0.name = "everyone"; $0.kind = .webhook; $0.webhookURL = "\(base)/hook"
                                $0.secret = VendorEndpoints.webhookSecret; $0.enabled = true
                            }
                        }, metadata: adminMetadata)
                    _ = try await leads.setPoolPolicy(
                        .with {
                            $0.policy = .with {
                                $0.returnAfterBusinessDays = 5; $0.warnBusinessDaysBefore = 2; $0.cooldownDays = 7
                            }
                        }, metadata: adminMetadata)
                    let hers = try await leads.createLead(
                        .with {
                            $0.contactName = "黄女士"; $0.phone = Self.phone(); $0.channel = .api
                        },
                        metadata: try await client.metadata(rep)
                    ).lead
                    try await PoolReturnTests().age(hers.id, days: PoolReturnTests.daysSpanning(workdays: 3), database: database.url(for: .leads))
                    _ = try await leads.sweepPublicPool(.init(), metadata: adminMetadata)
                    let log = try await notifications.listNotificationDeliveries(.with { $0.subjectID = hers.id }, metadata: adminMetadata).deliveries
                    #expect(log.count == 1 && log.first?.status == .skipped)
                    #expect(log.first?.lastError.contains("never sent to a group") == true)
                    try await Task.sleep(for: .seconds(2))
                    #expect(await endpoints.calls(to: "/hook").isEmpty)
                }
            }
        }

        @Test func channelsAreCheckedAndForAdmins() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            try await client.with(.leads) { grpc in
                let notifications = Sales_Notifications_V1_NotificationService.Client(wrapping: grpc)
                func refused(_ caller: Caller, _ channel: Sales_Notifications_V1_NotificationChannel) async -> RPCError? {
                    await #expect(throws: RPCError.self) {
                        try await notifications.putNotificationChannel(.with { $0.channel = channel }, metadata: try await client.metadata(caller))
                    }
                }
                let hook = Sales_Notifications_V1_NotificationChannel.with {
                    $0.name = "hook"; $0.kind = .webhook; $0.webhookURL = "https://example.com/h"
                }
                #expect(await refused(People.rep, hook)?.code == .permissionDenied)
                var badName = hook; badName.name = "Hook One"
                #expect(await refused(People.admin, badName)?.message.hasPrefix("channel.name:") == true)
                var noURL = hook; noURL.webhookURL = "ftp://example.com"
                #expect(await refused(People.admin, noURL)?.message.hasPrefix("channel.webhook_url:") == true)
                var noKind = hook; noKind.kind = .unspecified
                #expect(await refused(People.admin, noKind)?.message.hasPrefix("channel.kind:") == true)
                let app = Sales_Notifications_V1_NotificationChannel.with {
                    $0.name = "wecom"; $0.kind = .wecomApp; $0.appID = "corp"; $0.secret = "s"
                }
                #expect(await refused(People.admin, app)?.message.hasPrefix("channel.agent_id:") == true)
                var teamApp = app; teamApp.agentID = 1; teamApp.teamPath = "/east"
                #expect(await refused(People.admin, teamApp)?.message.hasPrefix("channel.team_path:") == true)
                let listed = await #expect(throws: RPCError.self) {
                    try await notifications.listNotificationDeliveries(.init(), metadata: try await client.metadata(People.manager))
                }
                #expect(listed?.code == .permissionDenied)
            }
        }

        /// An endpoint that keeps failing: retried after 2 s, then on the schedule, and given up
        /// after the sixth attempt, each attempt in the log.
        @Test func aFailingEndpointIsRetriedOnScheduleThenGivenUp() async throws {
            let (stack, database, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("busy-\(UInt32.random(in: 0...UInt32.max))")!
            let admin = try await client.metadata(Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq"))
            let endpoints = VendorEndpoints()
            try await endpoints.serving { base in
                try await client.with(.leads) { grpc in
                    let notifications = Sales_Notifications_V1_NotificationService.Client(wrapping: grpc)
                    _ = try await notifications.putNotificationChannel(
                        .with {
                            $0.channel = .with {
                                $0.name = "busy"; $0.kind = .webhook; $0.webhookURL = "\(base)/hook-busy"; $0.enabled = true
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
                    let lead = try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).createLead(
                        .with {
                            $0.contactName = "重试"; $0.phone = Self.phone(); $0.channel = .api
                        }, metadata: admin
                    ).lead
                    func delivery() async throws -> Sales_Notifications_V1_NotificationDelivery? {
                        try await notifications.listNotificationDeliveries(.with { $0.subjectID = lead.id }, metadata: admin).deliveries.first
                    }
                    // Counted when leased, recorded when answered: wait for the answer.
                    let first = try await client.eventually {
                        try await delivery().flatMap { $0.attempts == 1 && !$0.lastError.isEmpty ? $0 : nil }
                    }
                    #expect(first.status == .pending && first.lastError.contains("HTTP 503"), "\(first)")
                    let pause = first.nextAttemptAt.date.timeIntervalSince(first.createdAt.date)
                    #expect((1.5...5).contains(pause), "the first retry is due about 2 s after the first attempt: \(pause)")
                    // As if four more attempts had failed: the sixth is the last.
                    try await TestEnvironment.withAdminConnection(to: database.url(for: .leads)) { connection in
                        _ = try await connection.query(
                            "UPDATE leads.notification_deliveries SET attempts = 5, next_attempt_at = now() WHERE subject_id = \(lead.id)",
                            logger: Logger(label: "test"))
                    }
                    let last = try await client.eventually { try await delivery().flatMap { $0.status == .failed ? $0 : nil } }
                    #expect(last.attempts == 6 && last.lastError.contains("HTTP 503"), "\(last)")
                    try await Task.sleep(for: .seconds(3))
                    #expect(try await delivery()?.attempts == 6, "given up: not tried again")
                    #expect(await endpoints.calls(to: "/hook-busy").count == 2)
                }
            }
        }
    }
}
