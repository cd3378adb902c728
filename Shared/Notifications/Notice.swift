import Foundation

/// Something a person or a team should know now: a reminder, a warning, an escalation.
public struct Notice: Sendable, Equatable {
    public enum Audience: Sendable, Equatable {
        /// One person, by their user id.
        case person(String)
        /// A team and its managers, by the team's path.
        case team(String)

        public var label: String {
            switch self {
            case .person(let user): "person:\(user)"
            case .team(let path): "team:\(path)"
            }
        }
    }

    /// What kind of notice, e.g. "lead_return_warning"; recorded in the delivery log.
    public let kind: String
    public let audience: Audience
    public let title: String
    public let text: String
    /// What it is about, e.g. a lead's id.
    public let subjectID: String
    /// About one person's own work (their leads, their figures): only ever sent to that person,
    /// never to a group, even when no person channel is set up.
    public let personal: Bool

    public init(kind: String, audience: Audience, title: String, text: String, subjectID: String, personal: Bool) {
        self.kind = kind
        self.audience = audience
        self.title = title
        self.text = text
        self.subjectID = subjectID
        self.personal = personal
    }
}

/// What a channel is asked to send: the text and, for a person channel, whom to.
public struct OutgoingMessage: Sendable {
    public let title: String
    public let text: String
    /// The person's id in the channel's system; empty for a team channel.
    public let recipient: String
    public let notice: String
    public let subjectID: String
    public let tenant: String

    public init(title: String, text: String, recipient: String, notice: String, subjectID: String, tenant: String) {
        self.title = title
        self.text = text
        self.recipient = recipient
        self.notice = notice
        self.subjectID = subjectID
        self.tenant = tenant
    }
}

/// How one attempt went: delivered, worth retrying later, or refused for good.
public enum DeliveryResult: Sendable, Equatable {
    case delivered
    case retry(String)
    case failed(String)
}
