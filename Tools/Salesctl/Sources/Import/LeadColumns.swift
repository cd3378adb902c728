import Foundation
import SalesProto
import ServiceKit

/// How a sheet's headers map to lead fields, in Chinese or English, as sales teams name them.
public struct LeadColumns: Sendable {
    public enum Target: Sendable, Equatable {
        case contactName, companyName, phone, creditCode, channel, campaign, city, inquiry
        case custom(key: String, type: Sales_Common_V1_FieldType)
    }

    static let aliases: [Target: [String]] = [
        .contactName: ["姓名", "联系人", "客户姓名", "contact_name", "contact", "name"],
        .companyName: ["公司", "单位", "公司名称", "客户名称", "company_name", "company"],
        .phone: ["手机", "手机号", "手机号码", "电话", "联系电话", "phone", "mobile"],
        .creditCode: ["统一社会信用代码", "信用代码", "税号", "credit_code", "tax_id"],
        .channel: ["渠道", "来源渠道", "channel"],
        .campaign: ["活动", "来源", "推广活动", "campaign", "source"],
        .city: ["城市", "所在城市", "city"],
        .inquiry: ["需求", "核心需求", "咨询内容", "备注", "inquiry", "need", "notes"],
    ]

    /// Column index → target; headers matching nothing are listed in `ignored`.
    public let targets: [Int: Target]
    public let headers: [String]
    public let ignored: [String]

    /// `fields` are the tenant's lead fields: a header equal to a field's key or label fills it.
    public init(headers: [String], fields: [Sales_Common_V1_FieldDefinition]) {
        var targets: [Int: Target] = [:]
        var ignored: [String] = []
        for (index, raw) in headers.enumerated() {
            let header = raw.trimmedBlanks
            let lowered = header.lowercased()
            if let builtIn = Self.aliases.first(where: { $0.value.contains(lowered) || $0.value.contains(header) })?.key {
                targets[index] = builtIn
            } else if let field = fields.first(where: { $0.key == lowered || $0.label == header }) {
                targets[index] = .custom(key: field.key, type: field.type)
            } else if !header.isEmpty {
                ignored.append(header)
            }
        }
        self.targets = targets
        self.headers = headers
        self.ignored = ignored
    }

    public var missesContactAndKey: Bool {
        !targets.values.contains(.contactName) || !(targets.values.contains(.phone) || targets.values.contains(.creditCode))
    }

    /// The column a request field came from ("phone" → "手机"), for error reports.
    public func column(for field: String) -> String? {
        let target: Target? =
            switch field {
            case "contact_name": .contactName
            case "company_name": .companyName
            case "phone": .phone
            case "credit_code": .creditCode
            case "channel": .channel
            case "campaign": .campaign
            case "city": .city
            case "inquiry": .inquiry
            default: targets.values.first { if case .custom(let key, _) = $0 { "custom_fields.\(key)" == field } else { false } }
            }
        guard let target, let index = targets.first(where: { $0.value == target })?.key else { return nil }
        return headers[index]
    }

    public static let channels: [String: Sales_Leads_V1_Channel] = [
        "官网": .webForm, "官网表单": .webForm, "表单": .webForm, "web_form": .webForm, "h5": .webForm,
        "抖音": .douyin, "douyin": .douyin, "微信": .wechat, "公众号": .wechat, "wechat": .wechat,
        "美团": .meituan, "meituan": .meituan, "展会": .tradeShow, "trade_show": .tradeShow,
        "门店": .storePos, "store_pos": .storePos, "api": .api, "接口": .api,
    ]
}

extension LeadColumns.Target: Hashable {}
