import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SalesProto
import SwiftProtobuf

/// The demo's deals carried through the built-in pipeline the way reps would: activities with
/// their signals, each move through its stage's gate with a key action and the customer's words,
/// so the demo shows deals in every stage, with history and evidence, one lost and one brought to
/// 商务谈判 to be won by signing its contract (`DemoContracts`). The deeper deals have a presales
/// engineer on their team whose demo earns a part of the contribution matrix; the won deal's parts
/// are confirmed by both.
enum DemoDeals {
    /// How far each converted deal goes, in conversion order (4: won by its contract).
    static let depths = [3, 2, 1, 4, 0, -1, 1, 2]

    struct Deal: Sendable {
        let id: String
        let token: String
    }

    static let presales = "wu.gong"

    static func progress(_ deals: [Deal], tokens: [String: String], client: GRPCClient<HTTP2ClientTransport.Posix>) async throws {
        let opportunities = Sales_Opportunities_V1_OpportunityService.Client(wrapping: client)
        let contributions = Sales_Opportunities_V1_ContributionService.Client(wrapping: client)
        let presalesToken = tokens[presales] ?? ""
        for (index, deal) in deals.enumerated() {
            let depth = depths[index % depths.count]
            func metadata(_ step: String) -> Metadata {
                ["authorization": "Bearer \(deal.token)", "idempotency-key": "demo-deal-\(index)-\(step)"]
            }
            func advance(_ stage: String, _ action: String, _ feedback: String, evidence: [String] = []) async throws {
                do {
                    _ = try await opportunities.advanceStage(
                        .with {
                            $0.opportunityID = deal.id
                            $0.toStage = stage
                            $0.keyAction = action
                            $0.feedback = feedback
                            $0.evidenceIds = evidence
                        }, metadata: metadata("to-\(stage)"))
                } catch let error as RPCError where error.code == .failedPrecondition && error.message.contains("already in") {}
            }
            guard depth != 0 else { continue }
            try await advance("需求确认", "电话沟通", "对腔镜系统有兴趣，要资料")
            if depth < 0 {
                try await advance("输单", "", "预算取消，明年再议")
                continue
            }
            guard depth >= 2 else { continue }
            // The decision chain: the department head decides, the engineer evaluates.
            let head = try await opportunities.addDealContact(
                .with {
                    $0.opportunityID = deal.id
                    $0.contact = .with {
                        $0.name = "王主任"; $0.title = "设备科主任"; $0.department = "设备科"
                    }
                    $0.role = .decisionMaker
                }, metadata: metadata("contact-head"))
            _ = try await opportunities.addDealContact(
                .with {
                    $0.opportunityID = deal.id
                    $0.contact = .with {
                        $0.name = "李工"; $0.title = "工程师"; $0.department = "设备科"
                    }
                    $0.role = .technicalEvaluator
                }, metadata: metadata("contact-engineer"))
            // A second load finds the visit recorded (its time differs from day to day, so no key could replay it).
            let recorded = try await opportunities.listActivities(
                .with { $0.opportunityID = deal.id }, metadata: ["authorization": "Bearer \(deal.token)"]
            ).activities
            let visit: Sales_Opportunities_V1_Activity
            if let earlier = recorded.first(where: { $0.kind == .visit }) {
                visit = earlier
            } else {
                visit = try await opportunities.recordActivity(
                    .with {
                        $0.activity = .with {
                            $0.opportunityID = deal.id
                            $0.kind = .visit
                            $0.occurredAt = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: -2 * 86_400))
                            $0.summary = "拜访设备科和临床科室，演示资料，了解采购流程"
                            $0.place = "客户设备科"
                            $0.latitude = 31.2116
                            $0.longitude = 121.4689
                            $0.decisionMakerMet = depth >= 3 ? "设备科王主任" : "未见到（秘书接待）"
                            $0.objection = "担心耗材价格"
                            $0.nextCommitment = "一周内发方案"
                            $0.signals = depth >= 3 ? ["decision_maker_met", "budget_confirmed"] : ["customer_reply"]
                            if depth >= 3 { $0.contactIds = [head.contact.id] }
                        }
                    }, metadata: ["authorization": "Bearer \(deal.token)"])
            }
            try await advance("方案报价", "发送方案", "要三家比价", evidence: [visit.id])
            guard depth >= 3 else { continue }
            try await advance("商务谈判", "处理异议", "耗材价格可再谈", evidence: [visit.id])
            // The presales engineer joins and runs the demo: their part of the matrix, from that record.
            _ = try await contributions.addDealTeamMember(
                .with {
                    $0.opportunityID = deal.id
                    $0.personID = presales
                    $0.orgPath = "/presales"
                    $0.role = .presales
                }, metadata: metadata("team-presales"))
            let asPresales: Metadata = ["authorization": "Bearer \(presalesToken)"]
            let demos = try await opportunities.listActivities(.with { $0.opportunityID = deal.id }, metadata: asPresales).activities
            if !demos.contains(where: { $0.kind == .demo }) {
                _ = try await opportunities.recordActivity(
                    .with {
                        $0.activity = .with {
                            $0.opportunityID = deal.id
                            $0.kind = .demo
                            $0.occurredAt = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: -86_400))
                            $0.summary = "腔镜系统现场演示，临床科室试用两台"
                            $0.attendees = ["technical_evaluator:李工", "user:普外科张医生"]
                            $0.signals = ["tech_lead_demo", "poc_started"]
                        }
                    }, metadata: asPresales)
            }
        }
    }

    /// The won deal's rep and presales engineer each confirm their part of the frozen matrix.
    static func confirmContributions(of deal: Deal, tokens: [String: String], client: GRPCClient<HTTP2ClientTransport.Posix>) async throws {
        let contributions = Sales_Opportunities_V1_ContributionService.Client(wrapping: client)
        for (person, token, statement) in [
            ("rep", deal.token, "跑了三次设备科，谈下耗材价格"), ("presales", tokens[presales] ?? "", "做了现场演示和两周试用"),
        ] {
            _ = try await contributions.confirmContribution(
                .with {
                    $0.opportunityID = deal.id
                    $0.statement = statement
                }, metadata: ["authorization": "Bearer \(token)", "idempotency-key": "demo-deal-\(deal.id)-confirm-\(person)"])
        }
    }
}
