import SalesProto
import SwiftProtobuf
import Testing

@testable import SalesNotifications

/// Which channels a notice goes to, and the retry schedule: a person's notice to person
/// channels only, a team's to the robots and webhooks that cover the team, a personal notice
/// never to a group; what cannot be delivered is logged as skipped with the reason.
@Suite struct NotificationPlanTests {
    static let senders = NotificationSenders.standard()

    static func channel(_ name: String, _ kind: Sales_Notifications_V1_ChannelKind, team: String = "") -> Sales_Notifications_V1_NotificationChannel {
        .with {
            $0.name = name
            $0.kind = kind
            $0.teamPath = team
            $0.enabled = true
            if name == "wecom" { $0.handles = ["li.na": "LiNa"] }
        }
    }

    static let channels = [
        channel("wecom", .wecomApp), channel("todo", .dingtalkTodo),
        channel("east-robot", .wecomRobot, team: "/east"), channel("north-n-robot", .dingtalkRobot, team: "/north/n"),
        channel("all-hook", .webhook),
    ]

    static func notice(_ audience: Notice.Audience, personal: Bool = false) -> Notice {
        Notice(kind: "test", audience: audience, title: "t", text: "x", subjectID: "s", personal: personal)
    }

    @Test func aPersonsNoticeGoesToEveryPersonChannelUnderTheirHandle() {
        let plan = Self.senders.plan(Self.notice(.person("li.na"), personal: true), channels: Self.channels)
        #expect(plan.map(\.channel) == ["wecom", "todo"])
        #expect(plan.map(\.recipient) == ["LiNa", "li.na"])
        #expect(plan.allSatisfy { $0.status == .pending })
    }

    @Test func aTeamsNoticeGoesToTheChannelsCoveringItAndNoOther() {
        #expect(Self.senders.plan(Self.notice(.team("/east/east-sh")), channels: Self.channels).map(\.channel) == ["east-robot", "all-hook"])
        #expect(Self.senders.plan(Self.notice(.team("/north/n")), channels: Self.channels).map(\.channel) == ["north-n-robot", "all-hook"])
        // A string prefix is not a sub-team.
        #expect(Self.senders.plan(Self.notice(.team("/north/n1")), channels: Self.channels).map(\.channel) == ["all-hook"])
    }

    @Test func whatNobodyCanReceiveIsSkippedWithTheReasonNeverSentElsewhere() {
        let teamOnly = Self.channels.filter { !["wecom", "todo"].contains($0.name) }
        let personal = Self.senders.plan(Self.notice(.person("li.na"), personal: true), channels: teamOnly)
        #expect(personal.count == 1)
        #expect(personal[0].status == .skipped)
        #expect(personal[0].note.contains("a personal notice is never sent to a group"))

        let toTeam = Self.senders.plan(Self.notice(.team("/east"), personal: true), channels: Self.channels)
        #expect(toTeam.map(\.status) == [.skipped])
        #expect(toTeam[0].note == "a personal notice is never sent to a team")

        let uncovered = Self.senders.plan(Self.notice(.team("/west")), channels: Self.channels.filter { $0.name != "all-hook" })
        #expect(uncovered.map(\.note) == ["no team channel (group robot or webhook) covers /west"])
    }

    @Test func failuresAreRetriedOnAGrowingScheduleThenGivenUp() {
        #expect(
            (1...6).map(NotificationWorker.pause(afterAttempt:)) == [.seconds(2), .seconds(10), .seconds(50), .seconds(250), .seconds(1_250), nil])
    }
}
