/// The fields lead rules (routing, scoring, SLA checkpoints) may read.
public enum LeadField: Int, CatalogFields {
    case source, channel, city, district, industry, budget, employeeCount, tags, inquiry, phoneVerified, gps, grade, createdAt
    /// What the same customer asked in earlier leads, for product-line routing of a returning customer.
    case earlierInquiries

    public static let domain = "lead"

    /// The intake channels of `sales.leads.v1.Channel`, as rules spell them.
    public static let channels = ["web_form", "douyin", "wechat", "meituan", "trade_show", "store_pos", "api"]
    public static let grades = ["A", "B", "C", "D"]

    public var name: String {
        switch self {
        case .source: "source"
        case .channel: "channel"
        case .city: "city"
        case .district: "district"
        case .industry: "industry"
        case .budget: "budget"
        case .employeeCount: "employee_count"
        case .tags: "tags"
        case .inquiry: "inquiry"
        case .phoneVerified: "phone_verified"
        case .gps: "gps"
        case .grade: "grade"
        case .createdAt: "created_at"
        case .earlierInquiries: "earlier_inquiries"
        }
    }

    public var type: FieldType {
        switch self {
        case .source, .city, .district, .industry, .inquiry, .earlierInquiries: .text
        case .channel: .choice(Self.channels)
        case .budget: .money
        case .employeeCount: .number
        case .tags: .list(of: .text)
        case .phoneVerified: .boolean
        case .gps: .geoPoint
        case .grade: .choice(Self.grades)
        case .createdAt: .date
        }
    }

    public var label: String {
        switch self {
        case .source: "来源"
        case .channel: "渠道"
        case .city: "城市"
        case .district: "区县"
        case .industry: "行业"
        case .budget: "预算"
        case .employeeCount: "员工数"
        case .tags: "标签"
        case .inquiry: "咨询内容"
        case .phoneVerified: "手机已验证"
        case .gps: "定位"
        case .grade: "等级"
        case .createdAt: "创建时间"
        case .earlierInquiries: "历史咨询"
        }
    }
}

extension FieldCatalog {
    /// Lead fields: where it came from (`source`: campaign or referrer as text; `channel`: the intake
    /// channel), where it is, what it wants, and what is known about it.
    public static let lead = FieldCatalog(LeadField.self)
}
