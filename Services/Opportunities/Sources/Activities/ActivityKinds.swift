import SalesProto

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

    /// The behaviour signals forecasting reads. A tenant catalog that adds its own is the next step;
    /// until then an unknown signal is refused rather than recorded under a typo.
    static let signals: [String] = [
        "proposal_opened", "tech_lead_demo", "finance_requested_contract_template", "decision_maker_met", "budget_confirmed",
        "poc_started", "legal_review", "procurement_registered", "price_objection", "competitor_price_cut", "champion_left",
        "customer_reply",
    ]
}
