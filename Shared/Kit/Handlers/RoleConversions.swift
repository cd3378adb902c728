import SalesModel
import SalesProto

extension Role {
    /// The role a directory entry names; nil for unspecified or unknown values.
    public init?(_ role: Sales_Gateway_V1_Role) {
        switch role {
        case .rep: self = .rep
        case .manager: self = .manager
        case .finance: self = .finance
        case .storeClerk: self = .storeClerk
        case .storeManager: self = .storeManager
        case .admin: self = .admin
        case .unspecified, .UNRECOGNIZED: return nil
        }
    }
}

extension Sales_Gateway_V1_Role {
    /// The directory's name for a role; nil for roles only tokens carry (service, PII unmask).
    public init?(_ role: Role) {
        switch role {
        case .rep: self = .rep
        case .manager: self = .manager
        case .finance: self = .finance
        case .storeClerk: self = .storeClerk
        case .storeManager: self = .storeManager
        case .admin: self = .admin
        case .service, .unmaskPII: return nil
        }
    }
}
