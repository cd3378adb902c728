import SalesProto

/// Which value actions an activity shows, and what each is worth by default. An activity's own
/// `value_action` wins; otherwise the recorder's role on the deal, the activity's signals and its
/// kind decide, so a rep never ticks a box by hand to be credited.
enum ValueActions {
    typealias Action = Sales_Opportunities_V1_ValueAction
    typealias Role = Sales_Opportunities_V1_ContributorRole

    static let all: [Action] = [
        .leadReferral, .needsDiagnosis, .solutionDesign, .pocSupport, .contractNegotiation, .delivery, .renewalPush,
    ]

    /// The weights a tenant starts with; they add up to 100.
    static let defaultWeights: [Action: Int32] = [
        .contractNegotiation: 35, .pocSupport: 25, .leadReferral: 15, .needsDiagnosis: 10, .solutionDesign: 10, .delivery: 3,
        .renewalPush: 2,
    ]

    static let pocSignals: Set<String> = ["poc_started", "tech_lead_demo"]
    static let negotiationSignals: Set<String> = [
        "legal_review", "finance_requested_contract_template", "procurement_registered", "price_objection", "competitor_price_cut",
        "budget_confirmed",
    ]

    static func actions(
        of activity: Sales_Opportunities_V1_Activity, recorderRole role: Role, dealType: Sales_Opportunities_V1_DealType
    ) -> [Action] {
        if activity.valueAction != .unspecified { return [activity.valueAction] }
        let renewing = dealType == .renewal || dealType == .upsell
        switch role {
        case .implementation: return [.delivery]
        case .service: return [renewing ? .renewalPush : .delivery]
        default: break
        }
        var actions: [Action] = []
        let signals = Set(activity.signals)
        if !signals.isDisjoint(with: pocSignals) || activity.kind == .demo { actions.append(.pocSupport) }
        if !signals.isDisjoint(with: negotiationSignals) { actions.append(.contractNegotiation) }
        if activity.kind == .proposalSent { actions.append(.solutionDesign) }
        guard actions.isEmpty else { return actions }
        switch activity.kind {
        case .visit, .meeting: return [renewing ? .renewalPush : .needsDiagnosis]
        case .call, .email, .wechat: return renewing ? [.renewalPush] : []
        default: return []
        }
    }

    static func name(_ action: Action) -> String {
        switch action {
        case .leadReferral: "lead_referral"
        case .needsDiagnosis: "needs_diagnosis"
        case .solutionDesign: "solution_design"
        case .pocSupport: "poc_support"
        case .contractNegotiation: "contract_negotiation"
        case .delivery: "delivery"
        case .renewalPush: "renewal_push"
        case .unspecified, .UNRECOGNIZED: "unknown"
        }
    }
}

extension ValueActions {
    static func chineseName(_ action: Action) -> String {
        switch action {
        case .leadReferral: "线索引荐"
        case .needsDiagnosis: "需求诊断"
        case .solutionDesign: "方案设计"
        case .pocSupport: "POC 支持"
        case .contractNegotiation: "合同谈判"
        case .delivery: "交付"
        case .renewalPush: "续约推动"
        case .unspecified, .UNRECOGNIZED: "其他"
        }
    }
}
