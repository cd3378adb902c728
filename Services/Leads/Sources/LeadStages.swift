import SalesProto

/// The order of a lead's stages, and their names in field definitions ("required from qualified on").
enum LeadStages {
    static let ordered: [Sales_Leads_V1_LeadStatus] = [.new, .contacted, .qualified, .converted]

    static func name(_ stage: Sales_Leads_V1_LeadStatus) -> String {
        switch stage {
        case .new: "new"
        case .contacted: "contacted"
        case .qualified: "qualified"
        case .converted: "converted"
        case .unspecified, .UNRECOGNIZED: "unknown"
        }
    }

    static var names: [String] { ordered.map(name) }

    static func rank(_ stage: Sales_Leads_V1_LeadStatus) -> Int? { ordered.firstIndex(of: stage) }

    /// Built-in lead fields: a tenant-defined field may not take one of these keys.
    static let builtInFields: Set<String> = [
        "id", "contact_name", "company_name", "phone", "channel", "source", "campaign", "city", "district", "inquiry",
        "owner_id", "org_path", "status", "stage", "opportunity_id", "created_at", "custom",
    ]
}
