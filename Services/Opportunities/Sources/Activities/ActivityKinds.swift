import SalesProto
import SwiftProtobuf

/// Names of activity kinds, deal types and behaviour signals as rules and events read them.
enum ActivityKinds {
    static func name(of kind: Sales_Opportunities_V1_ActivityKind) -> String {
        switch kind {
        case .call: "call"
        case .visit: "visit"
        case .demo: "demo"
        case .proposalSent: "proposal_sent"
        case .proposalOpened: "proposal_opened"
        case .meeting: "meeting"
        case .email: "email"
        case .wechat: "wechat"
        case .task: "task"
        case .unspecified, .UNRECOGNIZED: "unknown"
        }
    }

    static func dealTypeName(_ type: Sales_Opportunities_V1_DealType) -> String {
        switch type {
        case .new: "new"
        case .renewal: "renewal"
        case .channel: "channel"
        case .upsell: "upsell"
        case .unspecified, .UNRECOGNIZED: "new"
        }
    }

    /// The behaviour signals every tenant has; a tenant adds its own (`DefineSignal`). A signal
    /// outside the catalog is refused rather than recorded under a typo.
    static let builtInSignals: [Sales_Opportunities_V1_SignalType] = [
        ("proposal_opened", "客户打开方案"), ("tech_lead_demo", "技术负责人参加演示"),
        ("finance_requested_contract_template", "财务索要合同模板"), ("decision_maker_met", "见到决策人"), ("budget_confirmed", "预算已确认"),
        ("poc_started", "POC 已启动"), ("legal_review", "法务审核"), ("procurement_registered", "采购已立项"), ("price_objection", "价格异议"),
        ("competitor_price_cut", "竞品降价"), ("champion_left", "支持者离职"), ("customer_reply", "客户回复"),
    ].map { key, label in
        .with {
            $0.key = key
            $0.label = label
        }
    }
}
