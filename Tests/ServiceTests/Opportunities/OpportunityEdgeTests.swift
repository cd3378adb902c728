import Foundation
import GRPCCore
import OpportunitiesService
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

/// The classes of hole found in leads, tried on every opportunities RPC this stop added: a
/// team's own manager sees the deal and a string-prefix sibling team does not; another tenant
/// gets NOT_FOUND; another user's replay of a key runs as their own request; NUL, a control
/// character and 100 KB in text fields are INVALID_ARGUMENT naming the field, quoting little.
@Suite struct OpportunityEdgeTests {
    struct Cast {
        let rep, ownManager, prefixManager, stranger: Caller

        init() {
            let tenant = TenantID("edge-\(UInt32.random(in: 0...UInt32.max))")!
            rep = Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/north/n1")
            ownManager = Caller(tenant: tenant, userID: "zhou.n1", roles: [.manager], orgPath: "/north/n1")
            prefixManager = Caller(tenant: tenant, userID: "zhou.n", roles: [.manager], orgPath: "/north/n")
            stranger = Caller(tenant: TenantID("edge-other-\(UInt32.random(in: 0...UInt32.max))")!, userID: "li.na", roles: [.admin], orgPath: "/")
        }
    }

    static func hosted<Result: Sendable>(_ body: @Sendable (StageMoveTests.Clients) async throws -> Result) async throws -> Result {
        try await ServiceHarness.with(.opportunities, migrations: OpportunitiesServer.migrations, build: { try OpportunitiesServer.components($0) }) {
            grpc, tokens in try await body(StageMoveTests.Clients(grpc, tokens: tokens))
        }
    }

    @Test func theTeamsOwnManagerSeesTheDealAPrefixSiblingAndAnotherTenantDoNot() async throws {
        let cast = Cast()
        try await Self.hosted { clients in
            let deal = try await clients.newDeal(by: cast.rep)
            let contact = try await clients.deals.addDealContact(
                .with {
                    $0.opportunityID = deal.id; $0.contact = .with { $0.name = "王主任" }; $0.role = .decisionMaker
                },
                metadata: try await clients.metadata(cast.rep))
            let upload = try await clients.deals.uploadAttachment(
                .with {
                    $0.opportunityID = deal.id; $0.name = "门诊楼.jpg"; $0.kind = "photo"; $0.content = Data("照片".utf8)
                }, metadata: try await clients.metadata(cast.rep))
            let admin = Caller(tenant: cast.rep.tenant, userID: "admin", roles: [.admin], orgPath: "/hq")
            let atom = try await Sales_Opportunities_V1_PlaybookService.Client(wrapping: clients.grpc).savePlaybookAtom(
                .with {
                    $0.atom = .with {
                        $0.objection = "价格太高"; $0.strategies = [.with { $0.text = "算总成本" }]
                    }
                }, metadata: try await clients.metadata(admin))
            let contributions = Sales_Opportunities_V1_ContributionService.Client(wrapping: clients.grpc)
            let playbook = Sales_Opportunities_V1_PlaybookService.Client(wrapping: clients.grpc)
            // Reads: the own manager sees; the sibling whose path is a string prefix and the stranger get NOT_FOUND.
            for (caller, visible) in [(cast.ownManager, true), (cast.prefixManager, false), (cast.stranger, false)] {
                let metadata = try await clients.metadata(caller)
                let reads: [(String, @Sendable () async throws -> Void)] = [
                    ("ListStageHistory", { _ = try await clients.deals.listStageHistory(.with { $0.opportunityID = deal.id }, metadata: metadata) }),
                    ("ListActivities", { _ = try await clients.deals.listActivities(.with { $0.opportunityID = deal.id }, metadata: metadata) }),
                    ("ListDealContacts", { _ = try await clients.deals.listDealContacts(.with { $0.opportunityID = deal.id }, metadata: metadata) }),
                    (
                        "RecordActivity",
                        { _ = try await clients.deals.recordActivity(.with { $0.activity = StageMoveTests.visit(deal.id) }, metadata: metadata) }
                    ),
                    (
                        "AddDealContact",
                        {
                            _ = try await clients.deals.addDealContact(
                                .with {
                                    $0.opportunityID = deal.id; $0.contact = .with { $0.name = "李工" }; $0.role = .user
                                }, metadata: metadata)
                        }
                    ),
                    (
                        "MarkContactLeft",
                        { _ = try await clients.deals.markContactLeft(.with { $0.contactID = contact.contact.id }, metadata: metadata) }
                    ),
                    ("ListDealTeam", { _ = try await contributions.listDealTeam(.with { $0.opportunityID = deal.id }, metadata: metadata) }),
                    (
                        "GetContributionMatrix",
                        { _ = try await contributions.getContributionMatrix(.with { $0.opportunityID = deal.id }, metadata: metadata) }
                    ),
                    (
                        "AddDealTeamMember",
                        {
                            _ = try await contributions.addDealTeamMember(
                                .with {
                                    $0.opportunityID = deal.id; $0.personID = "wu.gong"; $0.orgPath = "/presales"; $0.role = .presales
                                }, metadata: metadata)
                        }
                    ),
                    (
                        "SuggestPlaybook",
                        {
                            _ = try await playbook.suggestPlaybook(
                                .with {
                                    $0.opportunityID = deal.id; $0.objection = "价格太高"
                                }, metadata: metadata)
                        }
                    ),
                    (
                        "UsePlaybookAtom",
                        {
                            _ = try await playbook.usePlaybookAtom(
                                .with {
                                    $0.opportunityID = deal.id; $0.atomID = atom.id
                                }, metadata: metadata)
                        }
                    ),
                    (
                        "ProposePlaybookAtom",
                        {
                            _ = try await playbook.proposePlaybookAtom(
                                .with {
                                    $0.opportunityID = deal.id;
                                    $0.atom = .with {
                                        $0.objection = "交期"; $0.strategies = [.with { $0.text = "分批交付" }]
                                    }
                                }, metadata: metadata)
                        }
                    ),
                    (
                        "UploadAttachment",
                        {
                            _ = try await clients.deals.uploadAttachment(
                                .with {
                                    $0.opportunityID = deal.id; $0.name = "a.jpg"; $0.kind = "photo"; $0.content = Data("x".utf8)
                                }, metadata: metadata)
                        }
                    ),
                    (
                        "GetAttachment",
                        {
                            _ = try await clients.deals.getAttachment(
                                .with {
                                    $0.opportunityID = deal.id; $0.uri = upload.uri
                                }, metadata: metadata)
                        }
                    ),
                ]
                for (name, call) in reads {
                    let error = await refusal { try await call() }
                    if visible {
                        #expect(error == nil, "\(name) by the team's own manager: \(error?.message ?? "")")
                    } else {
                        #expect(
                            error?.code == .notFound,
                            "\(name) by \(caller.userID) at \(caller.orgPath) in \(caller.tenant): \(error?.message ?? "allowed")")
                    }
                }
                // Figures over open deals, read before the own manager's move closes this one.
                let figures = try await clients.deals.getKeyPersonFigures(.init(), metadata: metadata).owners
                let dwell = try await clients.deals.getStageDwell(.init(), metadata: metadata).cells
                #expect(visible ? figures.map(\.ownerID) == ["li.na"] : figures.isEmpty && dwell.isEmpty, "\(caller.userID)")
                // The bulk path: the deal is seen (its gate answers) or reads as missing, item by item.
                let bulk = try await clients.deals.advanceStages(
                    .with {
                        $0.moves = [
                            .with {
                                $0.opportunityID = deal.id; $0.toStage = "需求确认"
                            }
                        ]
                    }, metadata: metadata)
                #expect(
                    bulk.outcomes.first?.refused.code == (visible ? "FAILED_PRECONDITION" : "NOT_FOUND"),
                    "AdvanceStages by \(caller.userID): \(bulk.outcomes.first?.refused.message ?? "")")
                let moved = await refusal {
                    try await clients.advance(deal.id, to: "输单", feedback: "\(caller.userID) 试图移动", by: caller)
                }
                #expect(visible ? moved == nil : moved?.code == .notFound, "AdvanceStage by \(caller.userID): \(moved?.message ?? "moved")")
            }
        }
    }

    @Test func anotherUsersReplayOfAKeyIsTheirOwnRequest() async throws {
        let cast = Cast()
        try await Self.hosted { clients in
            let deal = try await clients.newDeal(by: cast.rep)
            let visit = Sales_Opportunities_V1_RecordActivityRequest.with { $0.activity = StageMoveTests.visit(deal.id) }
            let first = try await clients.deals.recordActivity(visit, metadata: try await clients.metadata(cast.rep, key: "same-key"))
            let other = try await clients.deals.recordActivity(visit, metadata: try await clients.metadata(cast.ownManager, key: "same-key"))
            #expect(other.id != first.id && other.recordedBy == "zhou.n1", "not the rep's stored answer")
            let again = try await clients.deals.recordActivity(visit, metadata: try await clients.metadata(cast.rep, key: "same-key"))
            #expect(again.id == first.id, "the rep's own replay is")

            let move = try await clients.advance(deal.id, to: "需求确认", action: "电话沟通", feedback: "要资料", by: cast.rep, key: "move-key")
            let replayed = await refusal {
                try await clients.advance(deal.id, to: "需求确认", action: "电话沟通", feedback: "要资料", by: cast.ownManager, key: "move-key")
            }
            #expect(
                replayed?.code == .failedPrecondition && replayed?.message.contains("already in") == true,
                "\(replayed?.message ?? "replayed \(move.change.id)")")
            let stranger = await refusal {
                try await clients.advance(deal.id, to: "需求确认", action: "电话沟通", feedback: "要资料", by: cast.stranger, key: "move-key")
            }
            #expect(stranger?.code == .notFound, "another tenant's replay finds nothing")

            // The commands this stop added: a replay by someone who cannot see the deal is their own request, refused.
            let contributions = Sales_Opportunities_V1_ContributionService.Client(wrapping: clients.grpc)
            let member = Sales_Opportunities_V1_AddDealTeamMemberRequest.with {
                $0.opportunityID = deal.id; $0.personID = "wu.gong"; $0.orgPath = "/presales"; $0.role = .presales
            }
            _ = try await contributions.addDealTeamMember(member, metadata: try await clients.metadata(cast.rep, key: "team-key"))
            let upload = Sales_Opportunities_V1_UploadAttachmentRequest.with {
                $0.opportunityID = deal.id; $0.name = "a.jpg"; $0.kind = "photo"; $0.content = Data("照片".utf8)
            }
            let kept = try await clients.deals.uploadAttachment(upload, metadata: try await clients.metadata(cast.rep, key: "upload-key"))
            for caller in [cast.prefixManager, cast.stranger] {
                let team = await refusal {
                    try await contributions.addDealTeamMember(member, metadata: try await clients.metadata(caller, key: "team-key"))
                }
                #expect(team?.code == .notFound, "AddDealTeamMember replayed by \(caller.userID): \(team?.message ?? "the rep's answer")")
                let file = await refusal {
                    try await clients.deals.uploadAttachment(upload, metadata: try await clients.metadata(caller, key: "upload-key"))
                }
                #expect(file?.code == .notFound, "UploadAttachment replayed by \(caller.userID): \(file?.message ?? "the rep's \(kept.uri)")")
            }
            // A bulk update's stored answer (with the moved deal in it) goes back only to the rep.
            let lost = Sales_Opportunities_V1_AdvanceStagesRequest.with {
                $0.moves = [
                    .with {
                        $0.opportunityID = deal.id; $0.toStage = "输单"; $0.feedback = "客户放弃"
                    }
                ]
            }
            let bulk = try await clients.deals.advanceStages(lost, metadata: try await clients.metadata(cast.rep, key: "bulk-key"))
            #expect(bulk.moved == 1)
            for caller in [cast.prefixManager, cast.stranger] {
                let replayed = try await clients.deals.advanceStages(lost, metadata: try await clients.metadata(caller, key: "bulk-key"))
                #expect(
                    replayed.moved == 0 && replayed.outcomes.first?.refused.code == "NOT_FOUND",
                    "AdvanceStages replayed by \(caller.userID): \(replayed.outcomes.first.map { "\($0)" } ?? "")")
            }
            #expect(try await clients.deals.advanceStages(lost, metadata: try await clients.metadata(cast.rep, key: "bulk-key")) == bulk)
        }
    }

    /// Each text field of the requests this stop added, with a value to put in it.
    static let fields: [(String, @Sendable (String, String) -> any SwiftProtobuf.Message)] = [
        (
            "moves[0].to_stage",
            { deal, bad in
                Sales_Opportunities_V1_AdvanceStagesRequest.with {
                    $0.moves = [
                        .with {
                            $0.opportunityID = deal; $0.toStage = bad
                        }
                    ]
                }
            }
        ),
        (
            "moves[1].feedback",
            { deal, bad in
                Sales_Opportunities_V1_AdvanceStagesRequest.with {
                    $0.moves = [
                        .with {
                            $0.opportunityID = deal; $0.toStage = "需求确认"
                        },
                        .with {
                            $0.opportunityID = deal; $0.toStage = "需求确认"; $0.feedback = bad
                        },
                    ]
                }
            }
        ),
        (
            "moves[0].key_action",
            { deal, bad in
                Sales_Opportunities_V1_AdvanceStagesRequest.with {
                    $0.moves = [
                        .with {
                            $0.opportunityID = deal; $0.toStage = "需求确认"; $0.keyAction = bad
                        }
                    ]
                }
            }
        ),
        (
            "moves[0].override_reason",
            { deal, bad in
                Sales_Opportunities_V1_AdvanceStagesRequest.with {
                    $0.moves = [
                        .with {
                            $0.opportunityID = deal; $0.toStage = "需求确认"; $0.overrideReason = bad
                        }
                    ]
                }
            }
        ),
        (
            "moves[0].from_stage",
            { deal, bad in
                Sales_Opportunities_V1_AdvanceStagesRequest.with {
                    $0.moves = [
                        .with {
                            $0.opportunityID = deal; $0.toStage = "需求确认"; $0.fromStage = bad
                        }
                    ]
                }
            }
        ),
        (
            "moves[0].opportunity_id",
            { _, bad in
                Sales_Opportunities_V1_AdvanceStagesRequest.with {
                    $0.moves = [
                        .with {
                            $0.opportunityID = bad; $0.toStage = "需求确认"
                        }
                    ]
                }
            }
        ),
        (
            "to_stage",
            { deal, bad in
                Sales_Opportunities_V1_AdvanceStageRequest.with {
                    $0.opportunityID = deal; $0.toStage = bad
                }
            }
        ),
        (
            "key_action",
            { deal, bad in
                Sales_Opportunities_V1_AdvanceStageRequest.with {
                    $0.opportunityID = deal; $0.toStage = "需求确认"; $0.keyAction = bad
                }
            }
        ),
        (
            "feedback",
            { deal, bad in
                Sales_Opportunities_V1_AdvanceStageRequest.with {
                    $0.opportunityID = deal; $0.toStage = "需求确认"; $0.feedback = bad
                }
            }
        ),
        (
            "override_reason",
            { deal, bad in
                Sales_Opportunities_V1_AdvanceStageRequest.with {
                    $0.opportunityID = deal; $0.toStage = "需求确认"; $0.overrideReason = bad
                }
            }
        ),
        (
            "from_stage",
            { deal, bad in
                Sales_Opportunities_V1_AdvanceStageRequest.with {
                    $0.opportunityID = deal; $0.toStage = "需求确认"; $0.fromStage = bad
                }
            }
        ),
        ("activity.summary", { deal, bad in activity(deal) { $0.summary = bad } }),
        ("activity.place", { deal, bad in activity(deal) { $0.place = bad } }),
        ("activity.decision_maker_met", { deal, bad in activity(deal) { $0.decisionMakerMet = bad } }),
        ("activity.objection", { deal, bad in activity(deal) { $0.objection = bad } }),
        ("activity.next_commitment", { deal, bad in activity(deal) { $0.nextCommitment = bad } }),
        ("activity.attendees[0]", { deal, bad in activity(deal) { $0.attendees = [bad] } }),
        ("activity.signals[0]", { deal, bad in activity(deal) { $0.signals = [bad] } }),
        (
            "activity.attachments[0].name",
            { deal, bad in
                activity(deal) {
                    $0.attachments = [
                        .with {
                            $0.name = bad; $0.kind = "photo"
                        }
                    ]
                }
            }
        ),
        (
            "activity.attachments[0].uri",
            { deal, bad in
                activity(deal) {
                    $0.attachments = [
                        .with {
                            $0.name = "a.jpg"; $0.kind = "photo"; $0.uri = bad
                        }
                    ]
                }
            }
        ),
        ("contact.name", { deal, bad in contact(deal) { $0.name = bad } }),
        (
            "contact.title",
            { deal, bad in
                contact(deal) {
                    $0.name = "王"; $0.title = bad
                }
            }
        ),
        (
            "contact.department",
            { deal, bad in
                contact(deal) {
                    $0.name = "王"; $0.department = bad
                }
            }
        ),
        ("pipeline.name", { _, bad in pipeline { $0.name = bad } }),
        ("pipeline.stages[0].key", { _, bad in pipeline { $0.stages[0].key = bad } }),
        ("pipeline.stages[1].gate.key_actions[0]", { _, bad in pipeline { $0.stages[1].gate.keyActions = [bad] } }),
        ("pipeline.stages[2].gate.requirements[0].description", { _, bad in pipeline { $0.stages[2].gate.requirements[0].description_p = bad } }),
        // Added with contributions, the playbook, imports, evidence files and the signal catalog.
        ("person_id", { deal, bad in member(deal) { $0.personID = bad } }),
        ("org_path", { deal, bad in member(deal) { $0.orgPath = bad } }),
        (
            "statement",
            { deal, bad in
                Sales_Opportunities_V1_ConfirmContributionRequest.with {
                    $0.opportunityID = deal; $0.statement = bad
                }
            }
        ),
        ("atom.objection", { _, bad in atom { $0.objection = bad } }),
        ("atom.customer_type", { _, bad in atom { $0.customerType = bad } }),
        ("atom.stage", { _, bad in atom { $0.stage = bad } }),
        ("atom.strategies[0].text", { _, bad in atom { $0.strategies[0].text = bad } }),
        ("atom.strategies[0].conditions", { _, bad in atom { $0.strategies[0].conditions = bad } }),
        (
            "objection",
            { deal, bad in
                Sales_Opportunities_V1_SuggestPlaybookRequest.with {
                    $0.opportunityID = deal; $0.objection = bad
                }
            }
        ),
        ("name", { deal, bad in upload(deal) { $0.name = bad } }),
        ("kind", { deal, bad in upload(deal) { $0.kind = bad } }),
        ("content_type", { deal, bad in upload(deal) { $0.contentType = bad } }),
        (
            "uri",
            { deal, bad in
                Sales_Opportunities_V1_GetAttachmentRequest.with {
                    $0.opportunityID = deal; $0.uri = bad
                }
            }
        ),
        (
            "signal.key",
            { _, bad in
                Sales_Opportunities_V1_DefineSignalRequest.with {
                    $0.signal = .with {
                        $0.key = bad; $0.label = "x"
                    }
                }
            }
        ),
        (
            "signal.label",
            { _, bad in
                Sales_Opportunities_V1_DefineSignalRequest.with {
                    $0.signal = .with {
                        $0.key = "site_visit"; $0.label = bad
                    }
                }
            }
        ),
        ("external_id", { _, bad in imported { $0.externalID = bad } }),
        ("source", { _, bad in imported { $0.source = bad } }),
        ("opportunity.name", { _, bad in imported { $0.opportunity.name = bad } }),
        ("opportunity.customer_type", { _, bad in imported { $0.opportunity.customerType = bad } }),
        ("history[0].to_stage", { _, bad in imported { $0.history[0].toStage = bad } }),
        ("history[0].feedback", { _, bad in imported { $0.history[0].feedback = bad } }),
    ]

    static func member(_ deal: String, _ change: (inout Sales_Opportunities_V1_AddDealTeamMemberRequest) -> Void)
        -> Sales_Opportunities_V1_AddDealTeamMemberRequest
    {
        var request = Sales_Opportunities_V1_AddDealTeamMemberRequest.with {
            $0.opportunityID = deal; $0.personID = "wu.gong"; $0.orgPath = "/presales"; $0.role = .presales
        }
        change(&request)
        return request
    }

    static func atom(_ change: (inout Sales_Opportunities_V1_PlaybookAtom) -> Void) -> Sales_Opportunities_V1_SavePlaybookAtomRequest {
        var atom = Sales_Opportunities_V1_PlaybookAtom.with {
            $0.objection = "价格太高"; $0.strategies = [.with { $0.text = "算总成本" }]
        }
        change(&atom)
        return .with { $0.atom = atom }
    }

    static func upload(_ deal: String, _ change: (inout Sales_Opportunities_V1_UploadAttachmentRequest) -> Void)
        -> Sales_Opportunities_V1_UploadAttachmentRequest
    {
        var request = Sales_Opportunities_V1_UploadAttachmentRequest.with {
            $0.opportunityID = deal; $0.name = "a.jpg"; $0.kind = "photo"; $0.content = Data("照片".utf8)
        }
        change(&request)
        return request
    }

    static func imported(_ change: (inout Sales_Opportunities_V1_ImportOpportunityRequest) -> Void) -> Sales_Opportunities_V1_ImportOpportunityRequest
    {
        var request = ImportOpportunityTests.request("EDGE-1", history: [("需求确认", 3, "电话沟通", "要资料")])
        change(&request)
        return request
    }

    static func activity(_ deal: String, _ change: (inout Sales_Opportunities_V1_Activity) -> Void) -> Sales_Opportunities_V1_RecordActivityRequest {
        var visit = StageMoveTests.visit(deal)
        change(&visit)
        return .with { $0.activity = visit }
    }

    static func contact(_ deal: String, _ change: (inout Sales_Opportunities_V1_Contact) -> Void) -> Sales_Opportunities_V1_AddDealContactRequest {
        var person = Sales_Opportunities_V1_Contact()
        change(&person)
        return .with {
            $0.opportunityID = deal; $0.contact = person; $0.role = .user
        }
    }

    static func pipeline(_ change: (inout Sales_Opportunities_V1_Pipeline) -> Void) -> Sales_Opportunities_V1_SavePipelineRequest {
        var pipeline = StageMoveTests.medical
        change(&pipeline)
        return .with { $0.pipeline = pipeline }
    }

    @Test func nulControlCharactersAndHugeTextAreRefusedNamingTheField() async throws {
        let cast = Cast()
        try await Self.hosted { clients in
            let deal = try await clients.newDeal(by: cast.rep)
            let admin = Caller(tenant: cast.rep.tenant, userID: "admin", roles: [.admin], orgPath: "/hq")
            let metadata = try await clients.metadata(admin)
            let huge = String(repeating: "长", count: 100_000)
            let contributions = Sales_Opportunities_V1_ContributionService.Client(wrapping: clients.grpc)
            let playbook = Sales_Opportunities_V1_PlaybookService.Client(wrapping: clients.grpc)
            for (field, build) in Self.fields {
                for bad in ["前\u{0}后", "前\u{7}后", huge] {
                    let error = await refusal {
                        switch build(deal.id, bad) {
                        case let request as Sales_Opportunities_V1_AdvanceStageRequest:
                            _ = try await clients.deals.advanceStage(request, metadata: metadata)
                        case let request as Sales_Opportunities_V1_AdvanceStagesRequest:
                            _ = try await clients.deals.advanceStages(request, metadata: metadata)
                        case let request as Sales_Opportunities_V1_RecordActivityRequest:
                            _ = try await clients.deals.recordActivity(request, metadata: metadata)
                        case let request as Sales_Opportunities_V1_AddDealContactRequest:
                            _ = try await clients.deals.addDealContact(request, metadata: metadata)
                        case let request as Sales_Opportunities_V1_SavePipelineRequest:
                            _ = try await clients.pipelines.savePipeline(request, metadata: metadata)
                        case let request as Sales_Opportunities_V1_AddDealTeamMemberRequest:
                            _ = try await contributions.addDealTeamMember(request, metadata: metadata)
                        case let request as Sales_Opportunities_V1_ConfirmContributionRequest:
                            _ = try await contributions.confirmContribution(request, metadata: metadata)
                        case let request as Sales_Opportunities_V1_SavePlaybookAtomRequest:
                            _ = try await playbook.savePlaybookAtom(request, metadata: metadata)
                        case let request as Sales_Opportunities_V1_SuggestPlaybookRequest:
                            _ = try await playbook.suggestPlaybook(request, metadata: metadata)
                        case let request as Sales_Opportunities_V1_UploadAttachmentRequest:
                            _ = try await clients.deals.uploadAttachment(request, metadata: metadata)
                        case let request as Sales_Opportunities_V1_GetAttachmentRequest:
                            _ = try await clients.deals.getAttachment(request, metadata: metadata)
                        case let request as Sales_Opportunities_V1_DefineSignalRequest:
                            _ = try await clients.pipelines.defineSignal(request, metadata: metadata)
                        case let request as Sales_Opportunities_V1_ImportOpportunityRequest:
                            _ = try await clients.deals.importOpportunity(request, metadata: metadata)
                        default:
                            Issue.record("no call for \(field)")
                        }
                    }
                    let what = bad.count > 10 ? "100 KB" : bad.debugDescription
                    #expect(error?.code == .invalidArgument, "\(field) with \(what): \(error.map { "\($0.code)" } ?? "accepted")")
                    #expect(error?.message.hasPrefix(field + ":") == true, "\(field) with \(what): \(error?.message.prefix(120) ?? "")")
                    #expect((error?.message.count ?? 0) < 400, "\(field): the message quotes only a short prefix")
                }
            }
        }
    }
}
