import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SalesProto
import SwiftProtobuf

/// The demo tenant's routing as operators would set it up: a city → team mapping table, grading,
/// routing and checkpoint rule sets, the reps' weights and scores, and a duty roster. Loaded after
/// the demo leads (which keep the reps who entered them); a second load leaves existing rule sets.
enum DemoRouting {
    static let cityTeams = [
        "上海": "/east/east-sh", "杭州": "/east/east-hz", "宁波": "/east/east-hz", "广州": "/south/south-gz",
        "深圳": "/south/south-sz", "北京": "/north/north-bj",
    ]

    static let reps: [(user: String, team: String, weight: Int32, capacity: Int32, score: Double)] = [
        ("li.na", "/east/east-sh", 2, 80, 93), ("zhang.wei", "/east/east-sh", 1, 50, 86), ("qian.hong", "/east/east-sh", 1, 20, 90),
        ("liu.yang", "/east/east-hz", 1, 60, 88), ("huang.min", "/south/south-gz", 1, 60, 80), ("zhou.jie", "/south/south-sz", 1, 60, 84),
        ("sun.li", "/north/north-bj", 1, 60, 91), ("ma.chao", "/north/north-bj", 1, 60, 78),
    ]

    static func rule(_ id: String, _ condition: String, _ outcome: String) -> Sales_Common_V1_RuleDefinition {
        .with {
            $0.id = id; $0.conditionJson = condition; $0.outcomeJson = outcome
        }
    }

    static let ruleSets: [(name: String, comment: String, rules: [Sales_Common_V1_RuleDefinition])] = [
        (
            "lead-grading", "预算、意向词与渠道定级",
            [
                rule("budget-500k", #"{">=": [{"var": "budget"}, 500000]}"#, #"{"grade": "A"}"#),
                rule("buying-words", #"{"contains_any": [{"var": "inquiry"}, ["报价", "采购", "招标", "询价"]]}"#, #"{"grade": "B"}"#),
                rule("trade-show", #"{"==": [{"var": "channel"}, "trade_show"]}"#, #"{"grade": "B"}"#),
                rule("rest", "true", #"{"grade": "C"}"#),
            ]
        ),
        (
            "lead-routing", "按城市映射表分到团队；90分以上的销售优先",
            Set(cityTeams.values).sorted().map { team in
                rule(
                    "city-\(team.split(separator: "/").last!)", #"{"==": [{"in_mapping": [{"var": "city"}, "city-team"]}, "\#(team)"]}"#,
                    #"{"team": "\#(team)", "priority_score": 90}"#)
            }
        ),
        (
            "lead-checkpoints", "黄金首触：A级2小时，其余48小时；首触后2个工作小时内填需求筛查",
            [
                rule(
                    "golden-a", #"{"==": [{"var": "grade"}, "A"]}"#,
                    #"{"label": "A级2小时首触", "requirement": "first_touch", "anchor": "created", "hours": 2, "clock": "clock"}"#),
                rule(
                    "golden", #"{"!=": [{"var": "grade"}, "A"]}"#,
                    #"{"label": "黄金48小时首触", "requirement": "first_touch", "anchor": "created", "hours": 48, "clock": "clock"}"#),
            ]
        ),
    ]

    static func load(client: GRPCClient<HTTP2ClientTransport.Posix>, adminToken: String) async throws {
        let metadata: Metadata = ["authorization": "Bearer \(adminToken)"]
        let rules = Sales_Common_V1_RuleSetService.Client(wrapping: client)
        _ = try await rules.putMappingTable(
            .with {
                $0.table = .with {
                    $0.name = "city-team"; $0.entries = cityTeams
                }
            }, metadata: metadata)
        for set in ruleSets {
            let existing = try await rules.listRuleSetVersions(.with { $0.name = set.name }, metadata: metadata).versions
            guard existing.isEmpty else { continue }
            _ = try await rules.saveRuleSet(
                .with {
                    $0.name = set.name; $0.comment = set.comment; $0.rules = set.rules; $0.activate = true
                }, metadata: metadata)
        }
        let desk = Sales_Leads_V1_RoutingDeskService.Client(wrapping: client)
        for rep in reps {
            _ = try await desk.putRoutingRep(
                .with {
                    $0.rep = .with {
                        $0.userID = rep.user; $0.teamPath = rep.team; $0.active = true
                        $0.weight = rep.weight; $0.capacity = rep.capacity; $0.score = rep.score
                    }
                }, metadata: metadata)
        }
        // A rep on duty for each team through the working day, for the next two weeks (never a
        // manager: qian.hong takes round-robin leads as a rep, but a roster refuses her).
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let days = (0..<14).map { offset -> String in
            let date = calendar.date(byAdding: .day, value: offset, to: Date())!
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
        }
        let onDuty = [
            "/east/east-sh": "zhang.wei", "/east/east-hz": "liu.yang", "/south/south-gz": "huang.min",
            "/south/south-sz": "zhou.jie", "/north/north-bj": "sun.li",
        ]
        for (team, user) in onDuty.sorted(by: { $0.key < $1.key }) {
            _ = try await desk.setDutyRoster(
                .with {
                    $0.teamPath = team; $0.firstDay = days.first!; $0.lastDay = days.last!
                    $0.shifts = days.map { day in
                        .with {
                            $0.userID = user; $0.day = day; $0.startHour = 9; $0.endHour = 18
                        }
                    }
                }, metadata: metadata)
        }
    }
}
