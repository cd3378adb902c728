import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SalesProto
import SwiftProtobuf

/// The demo's playbook atoms, and a deal brought over from the tenant's old CRM that has sat in
/// 需求确认 for weeks: the stale-deal sweep flags it and reminds its owner.
public enum DemoPlaybook {
    public static let atoms: [(type: String, objection: String, stage: String, strategies: [(String, String, String)])] = [
        (
            "三甲医院", "价格太高", "商务谈判",
            [
                ("算五年总成本：耗材、维保、停机时间一起比", "客户拿竞品单价比较", "比较从单价转到总成本"),
                ("拆分付款：首付 30%，验收后 40%，一年后 30%", "预算卡在当年", "当年预算内签约"),
            ]
        ),
        ("*", "耗材价格", "*", [("给出三年耗材锁价承诺", "担心后续耗材涨价", "消除长期成本顾虑")]),
        ("*", "预算要到明年", "*", [("先签意向、明年一季度执行，锁定今年价格", "预算流程已启动", "不让竞品进场")]),
        ("*", "已有竞品在用", "*", [("安排同级医院科主任交流使用体会", "客户对现有设备有抱怨", "找到切换理由")]),
        (
            "*", "竞品降价", "*",
            [
                ("算五年总成本：降价后的耗材与维保价格一并比较", "竞品只降设备单价", "比较回到总成本"),
                ("申请限时价格保护，承诺同配置不高于竞品报价", "客户认可我方方案", "不让价格成为唯一理由"),
            ]
        ),
    ]

    static func load(tokens: [String: String], client: GRPCClient<HTTP2ClientTransport.Posix>) async throws {
        guard let admin = tokens["admin"] else { return }
        let playbook = Sales_Opportunities_V1_PlaybookService.Client(wrapping: client)
        for (index, atom) in atoms.enumerated() {
            _ = try await playbook.savePlaybookAtom(
                .with {
                    $0.atom = .with {
                        $0.customerType = atom.type
                        $0.objection = atom.objection
                        $0.stage = atom.stage
                        $0.strategies = atom.strategies.map { text, conditions, effect in
                            .with {
                                $0.text = text
                                $0.conditions = conditions
                                $0.expectedEffect = effect
                            }
                        }
                    }
                }, metadata: ["authorization": "Bearer \(admin)", "idempotency-key": "demo-atom-\(index)"])
        }
        let deals = Sales_Opportunities_V1_OpportunityService.Client(wrapping: client)
        let day: TimeInterval = 86_400
        let start = Date().addingTimeInterval(-30 * day)
        _ = try await deals.importOpportunity(
            .with {
                $0.externalID = "LEGACY-2026-017"
                $0.source = "旧 CRM 导出"
                $0.opportunity = .with {
                    $0.name = "华山医院 · 监护仪更新"
                    $0.customerName = "复旦大学附属华山医院"
                    $0.customerType = "三甲医院"
                    $0.ownerID = "zhang.wei"
                    $0.ownerOrgPath = "/east/east-sh"
                    $0.amount = .with {
                        $0.minorUnits = 46_000_000
                        $0.currency = "CNY"
                    }
                    $0.expectedClose = Google_Protobuf_Timestamp(date: Date().addingTimeInterval(45 * day))
                }
                $0.createdAt = Google_Protobuf_Timestamp(date: start)
                $0.history = [
                    .with {
                        $0.toStage = "需求确认"
                        $0.changedAt = Google_Protobuf_Timestamp(date: start.addingTimeInterval(10 * day))
                        $0.keyAction = "电话沟通"
                        $0.feedback = "要配置清单"
                        $0.changedBy = "zhang.wei"
                    }
                ]
            }, metadata: ["authorization": "Bearer \(admin)"])
        _ = try await deals.sweepStaleDeals(.init(), metadata: ["authorization": "Bearer \(admin)"])
    }
}
