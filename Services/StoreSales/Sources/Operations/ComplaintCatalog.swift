import Foundation
import SalesProto
import ServiceKit
import SwiftProtobuf

/// A chain's complaint topics: what clerks hear, the words that mean it, and the scenario a store
/// that keeps hearing it is a candidate to change.
struct ComplaintCatalog: Sendable, Codable, Equatable {
    struct Topic: Sendable, Codable, Equatable {
        var topic: String
        var scenario: String
        var keywords: [String]
    }

    static let mostTopics = 100
    static let mostKeywords = 20
    /// A complaint no topic knows is kept as its own topic, cut to this many characters.
    static let topicLength = 50

    var topics: [Topic]

    /// What a chain that set none hears about (a chain with kitchens and fitting rooms alike).
    static let defaults = ComplaintCatalog(topics: [
        Topic(topic: "预制菜加热不便", scenario: "kitchen", keywords: ["加热不便", "不好加热", "没法加热", "不方便加热", "没有微波炉"]),
        Topic(topic: "排队结账太久", scenario: "checkout", keywords: ["排队太久", "结账慢", "等太久", "收银慢"]),
        Topic(topic: "尺码不全", scenario: "fitting", keywords: ["没有尺码", "断码", "尺码不全", "没码"]),
        Topic(topic: "缺货", scenario: "replenishment", keywords: ["缺货", "没货", "断货", "卖完了"]),
        Topic(topic: "停车不便", scenario: "parking", keywords: ["停车难", "没地方停车", "停车贵"]),
    ])

    init(topics: [Topic]) { self.topics = topics }

    init(_ request: Sales_Storesales_V1_SetComplaintTopicsRequest) throws(ServiceError) {
        guard (1...Self.mostTopics).contains(request.topics.count) else {
            throw .invalidArgument(field: "topics", rule: "1 to \(Self.mostTopics) topics (got \(request.topics.count))")
        }
        var topics: [Topic] = []
        for (index, input) in request.topics.enumerated() {
            let field = "topics[\(index)]"
            let topic = try Require.text(input.topic, field: "\(field).topic", maxLength: Self.topicLength)
            guard !topics.contains(where: { $0.topic == topic }) else {
                throw .invalidArgument(field: "\(field).topic", rule: "repeats \(quoted: topic)")
            }
            let scenario = try Require.optionalText(input.scenario, field: "\(field).scenario", maxLength: 50)
            guard input.keywords.count <= Self.mostKeywords else {
                throw .invalidArgument(field: "\(field).keywords", rule: "at most \(Self.mostKeywords) (got \(input.keywords.count))")
            }
            var keywords: [String] = []
            for (position, keyword) in input.keywords.enumerated() {
                let word = try Require.text(keyword, field: "\(field).keywords[\(position)]", maxLength: 50)
                if !keywords.contains(word) { keywords.append(word) }
            }
            topics.append(Topic(topic: topic, scenario: scenario, keywords: keywords))
        }
        self.topics = topics
    }

    /// The topics `complaints` and `transcript` raise, in catalogue order; a complaint no topic
    /// knows becomes a topic of its own words, so the same words three days running still count.
    func topics(complaints: [String], transcript: String) -> [String] {
        var found: [String] = []
        var unmatched: [String] = []
        for complaint in complaints {
            let known = topics.filter { $0.isMentioned(in: complaint) }
            if known.isEmpty { unmatched.append(String(complaint.prefix(Self.topicLength))) }
            for topic in known where !found.contains(topic.topic) { found.append(topic.topic) }
        }
        for topic in topics where !found.contains(topic.topic) && topic.isMentioned(in: transcript) { found.append(topic.topic) }
        for text in unmatched where !found.contains(text) { found.append(text) }
        return found
    }

    func scenario(of topic: String) -> String { topics.first { $0.topic == topic }?.scenario ?? "" }

    func message(defaults: Bool) -> Sales_Storesales_V1_ComplaintTopics {
        .with {
            $0.topics = topics.map { topic in
                .with {
                    $0.topic = topic.topic
                    $0.scenario = topic.scenario
                    $0.keywords = topic.keywords
                }
            }
            $0.defaults = defaults
        }
    }
}

extension ComplaintCatalog.Topic {
    /// Whether the text names the topic or any of its words (case-insensitive for Latin letters).
    func isMentioned(in text: String) -> Bool {
        guard !text.isEmpty else { return false }
        let lowered = text.lowercased()
        return ([topic] + keywords).contains { lowered.contains($0.lowercased()) }
    }
}
