import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import RulesEngine
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

extension EndToEnd {
    /// Team outcomes of the routing rules through the routing desk: weighted round robin over the
    /// reps who can take a lead, priority by score, the duty roster, then the pool with an alert.
    @Suite struct RoutingDeskFlowTests {
        static func phone() -> String { "137" + String(format: "%08d", Int.random(in: 0..<100_000_000)) }

        static func rule(_ id: String, _ condition: String, _ outcome: String) -> Sales_Common_V1_RuleDefinition {
            .with {
                $0.id = id; $0.conditionJson = condition; $0.outcomeJson = outcome
            }
        }

        static func today() -> String { TestCalendar.today }

        @Test func teamLeadsGoByWeightSkippingTheUnavailableThenDutyThenPool() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("desk-\(UInt16.random(in: 0...UInt16.max))")!
            let admin = Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq")
            let manager = Caller(tenant: tenant, userID: "zhao.lei", roles: [.manager], orgPath: "/east")
            let bridge = Caller(tenant: tenant, userID: "web-bridge", roles: [.admin], orgPath: "/hq")
            let chen = Caller(tenant: tenant, userID: "chen.hao", roles: [.rep], orgPath: "/east/east-sh")
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let rules = Sales_Common_V1_RuleSetService.Client(wrapping: grpc)
                let desk = Sales_Leads_V1_RoutingDeskService.Client(wrapping: grpc)
                let managerMetadata = try await client.metadata(manager)
                let bridgeMetadata = try await client.metadata(bridge)
                func put(
                    _ user: String, team: String = "/east/east-sh", weight: Int32 = 1, active: Bool = true,
                    capacity: Int32 = 0, score: Double = 0, leaveToday: Bool = false
                ) async throws {
                    _ = try await desk.putRoutingRep(
                        .with {
                            $0.rep = .with {
                                $0.userID = user; $0.teamPath = team; $0.weight = weight; $0.active = active
                                $0.capacity = capacity; $0.score = score
                                if leaveToday {
                                    $0.leaves = [
                                        .with {
                                            $0.firstDay = Self.today(); $0.lastDay = Self.today()
                                        }
                                    ]
                                }
                            }
                        }, metadata: managerMetadata)
                }
                func lead(_ city: String) async throws -> Sales_Leads_V1_Lead {
                    try await leads.createLead(
                        .with {
                            $0.contactName = "客户"; $0.phone = Self.phone(); $0.channel = .webForm; $0.city = city
                        },
                        metadata: bridgeMetadata
                    ).lead
                }

                // chen.hao already holds one lead he entered himself: at his capacity of 1.
                _ = try await leads.createLead(
                    .with {
                        $0.contactName = "自拓"; $0.phone = Self.phone(); $0.channel = .api
                    },
                    metadata: try await client.metadata(chen))
                try await put("li.na", weight: 2)
                try await put("zhang.wei", weight: 1)
                try await put("wang.fang", active: false)
                try await put("zhou.min", leaveToday: true)
                try await put("chen.hao", capacity: 1)
                try await put("sun.li", team: "/east/east-nb", leaveToday: true)
                let badOutcome = await #expect(throws: RPCError.self) {
                    try await rules.saveRuleSet(
                        .with {
                            $0.name = "lead-routing"; $0.comment = "typo"; $0.activate = true
                            $0.rules = [Self.rule("sh", "true", #"{"team": "east-sh", "priority_score": 90}"#)]
                        }, metadata: try await client.metadata(admin))
                }
                #expect(
                    badOutcome?.message.contains("rules[0].outcome: outcome.team must be a team path") == true, "\(String(describing: badOutcome))")
                _ = try await rules.saveRuleSet(
                    .with {
                        $0.name = "lead-routing"; $0.comment = "按团队轮转"; $0.activate = true
                        $0.rules = [
                            Self.rule("sh", #"{"==": [{"var": "city"}, "上海"]}"#, #"{"team": "/east/east-sh"}"#),
                            Self.rule("hz-priority", #"{"==": [{"var": "city"}, "杭州"]}"#, #"{"team": "/east/east-sh", "priority_score": 90}"#),
                            Self.rule("named", #"{"==": [{"var": "city"}, "苏州"]}"#, #"{"owner": "zhou.min", "org_path": "/east/east-sh"}"#),
                            Self.rule("nb", #"{"==": [{"var": "city"}, "宁波"]}"#, #"{"team": "/east/east-nb"}"#),
                        ]
                    }, metadata: try await client.metadata(admin))

                var owners: [String: Int] = [:]
                for _ in 0..<6 {
                    let routed = try await lead("上海")
                    owners[routed.ownerID, default: 0] += 1
                    #expect(
                        routed.assignmentReason.contains("lead-routing v1 rule sh: /east/east-sh, weighted round robin"), "\(routed.assignmentReason)"
                    )
                }
                #expect(owners == ["li.na": 4, "zhang.wei": 2], "weight 2 takes twice weight 1; inactive, on leave and full reps get none")

                // A score of 90 or more picks first.
                try await put("zhang.wei", weight: 1, score: 95)
                let priority = try await lead("杭州")
                #expect(priority.ownerID == "zhang.wei")
                #expect(priority.assignmentReason.contains("first pick for a score of 90 or more"), "\(priority.assignmentReason)")

                // A rule naming a rep on leave goes to the team instead, and says so.
                let named = try await lead("苏州")
                #expect(["li.na", "zhang.wei"].contains(named.ownerID))
                #expect(named.assignmentReason.contains("named zhou.min on leave"), "\(named.assignmentReason)")

                // Nobody in 宁波's team can take it: whoever is on duty now does, in working time;
                // outside it (the weekend, a holiday, the evening) the roster does not count.
                _ = try await desk.setDutyRoster(
                    .with {
                        $0.teamPath = "/east/east-nb"; $0.firstDay = Self.today(); $0.lastDay = Self.today()
                        $0.shifts = [
                            .with {
                                $0.userID = "qian.duty"; $0.day = Self.today(); $0.startHour = 0; $0.endHour = 24
                            }
                        ]
                    }, metadata: managerMetadata)
                let offDuty = try TestCalendar.calendar.notWorking(at: Date())
                let duty = try await lead("宁波")
                #expect(duty.assignmentReason.contains("sun.li on leave"), "\(duty.assignmentReason)")
                if let offDuty {
                    #expect(duty.ownerID.isEmpty && duty.assignmentReason.contains("\(offDuty): nobody on duty"), "\(duty.assignmentReason)")
                } else {
                    #expect(duty.ownerID == "qian.duty" && duty.assignmentReason.contains("on duty now: qian.duty"), "\(duty.assignmentReason)")
                }

                // Nobody on duty either: the team's pool, and its manager is alerted.
                _ = try await desk.setDutyRoster(
                    .with {
                        $0.teamPath = "/east/east-nb"; $0.firstDay = Self.today(); $0.lastDay = Self.today()
                    }, metadata: managerMetadata)
                let waiting = try await lead("宁波")
                #expect(waiting.ownerID.isEmpty && waiting.orgPath == "/east/east-nb")
                // Outside working time the reason says so instead of "now" (the check is the same).
                let nobody =
                    offDuty.map { "\($0): nobody on duty: public pool, manager alerted" } ?? "nobody on duty now: public pool, manager alerted"
                #expect(waiting.assignmentReason.contains(nobody), "\(waiting.assignmentReason)")
                let alert = try await client.eventually {
                    try await client.events(of: "sales.leads.v1.LeadAwaitingOwner", tenant: tenant, on: grpc)
                        .first { $0.aggregateID == waiting.id }
                }
                let payload = try Sales_Leads_V1_LeadAwaitingOwner(jsonString: alert.payloadJson)
                #expect(payload.teamPath == "/east/east-nb" && payload.reason.contains("sun.li on leave"))

                // The desk's own view: counts and leave.
                let reps = try await desk.listRoutingReps(.with { $0.teamPath = "/east/east-sh" }, metadata: managerMetadata).reps
                let byID = Dictionary(uniqueKeysWithValues: reps.map { ($0.userID, $0) })
                #expect(byID["li.na"]?.weight == 2)
                #expect(byID["chen.hao"]?.openLeads == 1 && byID["chen.hao"]?.assignedTotal == 0)
                #expect(byID["zhou.min"]?.leaves.first?.firstDay == Self.today())
                #expect((byID["li.na"]?.assignedTotal ?? 0) + (byID["zhang.wei"]?.assignedTotal ?? 0) == 8)
            }
        }

        /// Thirty creates at once racing for one team's desk: every hand-out sees the one before
        /// it, so weights 2 and 1 split them exactly 20 and 10.
        @Test func simultaneousCreatesSplitExactlyByWeight() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("wrr-\(UInt32.random(in: 0...UInt32.max))")!
            let admin = try await client.metadata(Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq"))
            try await client.with(.leads) { grpc in
                let desk = Sales_Leads_V1_RoutingDeskService.Client(wrapping: grpc)
                for (user, weight) in [("heavy", Int32(2)), ("light", Int32(1))] {
                    _ = try await desk.putRoutingRep(
                        .with {
                            $0.rep = .with {
                                $0.userID = user; $0.teamPath = "/east/east-wrr"; $0.active = true; $0.weight = weight
                            }
                        }, metadata: admin)
                }
                _ = try await Sales_Common_V1_RuleSetService.Client(wrapping: grpc).saveRuleSet(
                    .with {
                        $0.name = "lead-routing"; $0.comment = "加权轮转"; $0.activate = true
                        $0.rules = [Self.rule("wrr", "true", #"{"team": "/east/east-wrr"}"#)]
                    }, metadata: admin)
                let owners = try await withThrowingTaskGroup(of: String.self) { group in
                    for index in 0..<30 {
                        group.addTask {
                            try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).createLead(
                                .with {
                                    $0.contactName = "轮转\(index)"; $0.phone = Self.phone(); $0.channel = .webForm
                                }, metadata: admin
                            ).lead.ownerID
                        }
                    }
                    return try await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
                }
                #expect(owners == ["heavy": 20, "light": 10], "\(owners)")
            }
        }

        @Test func aCapHoldsHoweverManyLeadsArriveAtOnce() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("cap-\(UInt16.random(in: 0...UInt16.max))")!
            let admin = Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq")
            let manager = Caller(tenant: tenant, userID: "zhao.lei", roles: [.manager], orgPath: "/east")
            let bridge = Caller(tenant: tenant, userID: "web-bridge", roles: [.admin], orgPath: "/hq")
            try await client.with(.leads) { grpc in
                let desk = Sales_Leads_V1_RoutingDeskService.Client(wrapping: grpc)
                let managerMetadata = try await client.metadata(manager)
                _ = try await desk.putRoutingRep(
                    .with {
                        $0.rep = .with {
                            $0.userID = "cap.rep"; $0.teamPath = "/east/east-cap"; $0.active = true; $0.capacity = 3
                        }
                    }, metadata: managerMetadata)
                // cap.rep is on duty too: the roster is no way around the cap.
                _ = try await desk.setDutyRoster(
                    .with {
                        $0.teamPath = "/east/east-cap"; $0.firstDay = Self.today(); $0.lastDay = Self.today()
                        $0.shifts = [
                            .with {
                                $0.userID = "cap.rep"; $0.day = Self.today(); $0.startHour = 0; $0.endHour = 24
                            }
                        ]
                    }, metadata: managerMetadata)
                _ = try await Sales_Common_V1_RuleSetService.Client(wrapping: grpc).saveRuleSet(
                    .with {
                        $0.name = "lead-routing"; $0.comment = "一人小组"; $0.activate = true
                        $0.rules = [Self.rule("cap", "true", #"{"team": "/east/east-cap"}"#)]
                    }, metadata: try await client.metadata(admin))

                // Twenty at once, half on this connection and half on their own: batched and not.
                let bridgeMetadata = try await client.metadata(bridge)
                let owners = try await withThrowingTaskGroup(of: String.self) { group in
                    for index in 0..<20 {
                        group.addTask {
                            let create: Sales_Leads_V1_CreateLeadRequest = .with {
                                $0.contactName = "并发\(index)"; $0.phone = Self.phone(); $0.channel = .webForm
                            }
                            if index.isMultiple(of: 2) {
                                return try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).createLead(create, metadata: bridgeMetadata).lead
                                    .ownerID
                            }
                            return try await client.with(.leads) { own in
                                try await Sales_Leads_V1_LeadService.Client(wrapping: own).createLead(create, metadata: bridgeMetadata).lead.ownerID
                            }
                        }
                    }
                    return try await group.reduce(into: [String]()) { $0.append($1) }
                }
                #expect(owners.filter { $0 == "cap.rep" }.count == 3, "\(owners)")
                #expect(owners.filter(\.isEmpty).count == 17, "the rest wait in the team's pool")
                let rep = try await desk.listRoutingReps(.with { $0.teamPath = "/east/east-cap" }, metadata: managerMetadata).reps.first
                #expect(rep?.openLeads == 3 && rep?.assignedTotal == 3, "\(String(describing: rep))")
            }
        }

        @Test func aTeamManagerIsRefusedOnTheDutyRoster() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("deskmgr-\(UInt16.random(in: 0...UInt16.max))")!
            let adminMetadata = try await client.metadata(Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq"))
            // qian.hong manages 上海一组 and is a rep in it too, as in the demo.
            try await client.with(.gateway) { grpc in
                let directory = Sales_Gateway_V1_DirectoryService.Client(wrapping: grpc)
                let region = try await directory.createTeam(
                    .with {
                        $0.id = "east"; $0.name = "华东大区"
                    }, metadata: adminMetadata)
                let team = try await directory.createTeam(
                    .with {
                        $0.id = "east-sh"; $0.name = "上海一组"; $0.parentID = region.id
                    }, metadata: adminMetadata)
                let people: [(String, [Sales_Gateway_V1_Role])] = [("qian.hong", [.manager, .rep]), ("li.na", [.rep])]
                for (id, roles) in people {
                    _ = try await directory.createUser(
                        .with {
                            $0.id = id; $0.displayName = id; $0.teamID = team.id; $0.roles = roles
                        }, metadata: adminMetadata)
                }
                _ = try await directory.setTeamManager(
                    .with {
                        $0.teamID = team.id; $0.managerID = "qian.hong"
                    }, metadata: adminMetadata)
            }
            try await client.with(.leads) { grpc in
                let desk = Sales_Leads_V1_RoutingDeskService.Client(wrapping: grpc)
                func roster(_ users: [String]) -> Sales_Leads_V1_SetDutyRosterRequest {
                    .with {
                        $0.teamPath = "/east/east-sh"; $0.firstDay = Self.today(); $0.lastDay = Self.today()
                        $0.shifts = users.map { user in
                            .with {
                                $0.userID = user; $0.day = Self.today(); $0.startHour = 0; $0.endHour = 24
                            }
                        }
                    }
                }
                let refused = await #expect(throws: RPCError.self) {
                    try await desk.setDutyRoster(roster(["li.na", "qian.hong"]), metadata: adminMetadata)
                }
                #expect(refused?.code == .failedPrecondition, "\(String(describing: refused))")
                #expect(refused?.message.hasPrefix("shifts[1].user_id: qian.hong manages a team") == true, "\(String(describing: refused))")
                #expect(
                    try await desk.getDutyRoster(
                        .with {
                            $0.teamPath = "/east/east-sh"; $0.firstDay = Self.today(); $0.lastDay = Self.today()
                        }, metadata: adminMetadata
                    ).shifts.isEmpty, "nothing of a refused roster is kept")
                let saved = try await desk.setDutyRoster(roster(["li.na"]), metadata: adminMetadata)
                #expect(saved.shifts.map(\.userID) == ["li.na"])
            }
        }

        @Test func aReturningCustomerInThePoolIsRoutedAfreshByWhatItAskedBefore() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("again-\(UInt16.random(in: 0...UInt16.max))")!
            let admin = Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq")
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let rules = Sales_Common_V1_RuleSetService.Client(wrapping: grpc)
                let adminMetadata = try await client.metadata(admin)
                let phone = Self.phone()
                let first = try await leads.createLead(
                    .with {
                        $0.contactName = "宋医生"; $0.phone = phone; $0.channel = .wechat; $0.inquiry = "想了解CT设备的报价"
                    }, metadata: adminMetadata
                ).lead
                #expect(first.ownerID.isEmpty, "no rule yet and nobody at /hq: the pool")

                _ = try await rules.saveRuleSet(
                    .with {
                        $0.name = "lead-routing"; $0.comment = "影像设备产品线"; $0.activate = true
                        $0.rules = [
                            Self.rule(
                                "imaging", #"{"contains_any": [{"cat": [{"var": "inquiry"}, " ", {"var": "earlier_inquiries"}]}, ["CT", "MRI"]]}"#,
                                #"{"owner": "ct.rep", "org_path": "/east/imaging"}"#)
                        ]
                    }, metadata: adminMetadata)
                let again = try await leads.createLead(
                    .with {
                        $0.contactName = "宋医生"; $0.phone = phone; $0.channel = .webForm; $0.inquiry = "上次问的那个再发一下资料"
                    }, metadata: adminMetadata
                ).lead
                #expect(again.repeat && again.customerID == first.customerID)
                #expect(again.ownerID == "ct.rep" && again.orgPath == "/east/imaging")
                #expect(
                    again.assignmentReason.hasPrefix("returning customer from the public pool: lead-routing v1 rule imaging"),
                    "\(again.assignmentReason)")

                // Now the customer has an owner: a third lead stays with them, whatever the rules say.
                let third = try await leads.createLead(
                    .with {
                        $0.contactName = "宋医生"; $0.phone = phone; $0.channel = .api; $0.inquiry = "MRI"
                    }, metadata: adminMetadata
                ).lead
                #expect(third.ownerID == "ct.rep" && third.assignmentReason == "repeat customer: stays with its owner")
            }
        }

        @Test func theDeskIsForTheTeamsManagersAndChecksWhatItIsGiven() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("deskbad-\(UInt16.random(in: 0...UInt16.max))")!
            let manager = Caller(tenant: tenant, userID: "zhao.lei", roles: [.manager], orgPath: "/east")
            let southManager = Caller(tenant: tenant, userID: "chen.jing", roles: [.manager], orgPath: "/south")
            let rep = Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/east/east-sh")
            let stranger = Caller(tenant: TenantID("deskother")!, userID: "admin", roles: [.admin], orgPath: "/hq")
            try await client.with(.leads) { grpc in
                let desk = Sales_Leads_V1_RoutingDeskService.Client(wrapping: grpc)
                func refused(_ caller: Caller, _ rep: Sales_Leads_V1_RoutingRep) async throws -> RPCError? {
                    let metadata = try await client.metadata(caller)
                    return await #expect(throws: RPCError.self) {
                        try await desk.putRoutingRep(.with { $0.rep = rep }, metadata: metadata)
                    }
                }
                let good = Sales_Leads_V1_RoutingRep.with {
                    $0.userID = "li.na"; $0.teamPath = "/east/east-sh"; $0.active = true
                }
                #expect(try await refused(rep, good)?.code == .permissionDenied)
                #expect(try await refused(southManager, good)?.code == .permissionDenied)
                var heavy = good; heavy.weight = 200
                #expect(try await refused(manager, heavy)?.message.hasPrefix("rep.weight:") == true)
                var badLeave = good; badLeave.leaves = [.with { $0.firstDay = "2026/12/01" }]
                #expect(try await refused(manager, badLeave)?.message.hasPrefix("rep.leaves[0].first_day:") == true)
                var backwards = good;
                backwards.leaves = [
                    .with {
                        $0.firstDay = "2026-12-05"; $0.lastDay = "2026-12-01"
                    }
                ]
                #expect(try await refused(manager, backwards)?.message.hasPrefix("rep.leaves[0].last_day:") == true)
                var noTeam = good; noTeam.teamPath = "east"
                #expect(try await refused(manager, noTeam)?.message.hasPrefix("rep.team_path:") == true)

                let stored = try await desk.putRoutingRep(.with { $0.rep = good }, metadata: try await client.metadata(manager))
                #expect(stored.weight == 1, "an unset weight is 1")

                let outside = await #expect(throws: RPCError.self) {
                    try await desk.setDutyRoster(
                        .with {
                            $0.teamPath = "/east/east-sh"; $0.firstDay = "2026-12-01"; $0.lastDay = "2026-12-07"
                            $0.shifts = [
                                .with {
                                    $0.userID = "li.na"; $0.day = "2026-12-09"; $0.startHour = 9; $0.endHour = 18
                                }
                            ]
                        }, metadata: try await client.metadata(manager))
                }
                #expect(outside?.message.hasPrefix("shifts[0].day:") == true)
                let hours = await #expect(throws: RPCError.self) {
                    try await desk.setDutyRoster(
                        .with {
                            $0.teamPath = "/east/east-sh"; $0.firstDay = "2026-12-01"; $0.lastDay = "2026-12-07"
                            $0.shifts = [
                                .with {
                                    $0.userID = "li.na"; $0.day = "2026-12-02"; $0.startHour = 18; $0.endHour = 9
                                }
                            ]
                        }, metadata: try await client.metadata(manager))
                }
                #expect(hours?.message.hasPrefix("shifts[0].end_hour:") == true)
                let tooLong = await #expect(throws: RPCError.self) {
                    try await desk.getDutyRoster(
                        .with {
                            $0.teamPath = "/east/east-sh"; $0.firstDay = "2026-01-01"; $0.lastDay = "2026-12-31"
                        },
                        metadata: try await client.metadata(manager))
                }
                #expect(tooLong?.message.hasPrefix("last_day:") == true)

                let otherTenant = try await desk.listRoutingReps(.init(), metadata: try await client.metadata(stranger)).reps
                #expect(otherTenant.isEmpty, "another tenant's desk is not visible")
            }
        }
    }
}
