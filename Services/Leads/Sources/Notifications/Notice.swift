import Foundation

/// Something a person or a team should know now: a reminder, a warning, an escalation.
struct Notice: Sendable, Equatable {
    enum Audience: Sendable, Equatable {
        /// One person, by their user id.
        case person(String)
        /// A team and its managers, by the team's path.
        case team(String)

        var label: String {
            switch self {
            case .person(let user): "person:\(user)"
            case .team(let path): "team:\(path)"
            }
        }
    }

    /// What kind of notice, e.g. "lead_return_warning"; recorded in the delivery log.
    let kind: String
    let audience: Audience
    let title: String
    let text: String
    /// What it is about, e.g. a lead's id.
    let subjectID: String
    /// About one person's own work (their leads, their figures): only ever sent to that person,
    /// never to a group, even when no person channel is set up.
    let personal: Bool
}

/// What a channel is asked to send: the text and, for a person channel, whom to.
struct OutgoingMessage: Sendable {
    let title: String
    let text: String
    /// The person's id in the channel's system; empty for a team channel.
    let recipient: String
    let notice: String
    let subjectID: String
    let tenant: String
}

/// How one attempt went: delivered, worth retrying later, or refused for good.
enum DeliveryResult: Sendable, Equatable {
    case delivered
    case retry(String)
    case failed(String)
}
