import Foundation
import ServiceKit

/// How a sheet's headers map to a deal's parts, in Chinese or English, as CRMs export them
/// (Salesforce-style names and the Maven CRM sample included).
public struct OpportunityColumns: Sendable {
    public enum Target: String, Sendable, CaseIterable {
        case externalID, name, customer, product, owner, orgPath, stage, created, engaged, closed, amount, currency
        case expectedClose, dealType, keyAction, feedback
    }

    static let aliases: [Target: [String]] = [
        .externalID: ["opportunity_id", "external_id", "id", "商机编号", "编号"],
        .name: ["name", "opportunity", "opportunity_name", "商机名称", "商机"],
        .customer: ["account", "customer", "customer_name", "company", "客户", "客户名称", "公司"],
        .product: ["product", "产品"],
        .owner: ["sales_agent", "owner", "owner_id", "负责人", "销售"],
        .orgPath: ["org_path", "team_path", "团队路径"],
        .stage: ["deal_stage", "stage", "阶段", "商机阶段"],
        .created: ["created_at", "created", "created_date", "创建日期", "创建时间"],
        .engaged: ["engage_date", "engaged_at", "接洽日期"],
        .closed: ["close_date", "closed_at", "成交日期", "关闭日期"],
        .amount: ["close_value", "amount", "value", "金额", "商机金额"],
        .currency: ["currency", "币种"],
        .expectedClose: ["expected_close", "expected_close_date", "预计成交日期"],
        .dealType: ["deal_type", "type", "商机类型"],
        .keyAction: ["key_action", "关键动作"],
        .feedback: ["feedback", "customer_feedback", "客户反馈"],
    ]

    public let headers: [String]
    public let index: [Target: Int]
    public let ignored: [String]

    public init(headers: [String]) {
        var index: [Target: Int] = [:]
        var ignored: [String] = []
        for (position, raw) in headers.enumerated() {
            let header = raw.trimmedBlanks
            let lowered = header.lowercased()
            if let target = Self.aliases.first(where: { $0.value.contains(lowered) })?.key, index[target] == nil {
                index[target] = position
            } else if !header.isEmpty {
                ignored.append(header)
            }
        }
        self.headers = headers
        self.index = index
        self.ignored = ignored
    }

    /// Which required columns the header row lacks.
    public var missing: [String] {
        [
            (Target.externalID, "an id (opportunity_id/商机编号)"), (.customer, "a customer (account/客户)"), (.owner, "an owner (sales_agent/负责人)"),
            (.stage, "a stage (deal_stage/阶段)"),
        ]
        .filter { index[$0.0] == nil }.map(\.1)
    }

    public func header(_ target: Target) -> String {
        index[target].map { headers[$0] } ?? target.rawValue
    }

    public func value(_ target: Target, in row: [String]) -> String {
        row.cell(at: index[target]).trimmedBlanks
    }
}
