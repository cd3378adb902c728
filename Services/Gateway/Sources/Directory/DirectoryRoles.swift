import SalesModel
import SalesProto

/// The directory's roles as the API names them and as tokens carry them.
enum DirectoryRoles {
    static func model(_ role: Sales_Gateway_V1_Role) -> Role? {
        switch role {
        case .rep: .rep
        case .manager: .manager
        case .finance: .finance
        case .storeClerk: .storeClerk
        case .storeManager: .storeManager
        case .admin: .admin
        case .unspecified, .UNRECOGNIZED: nil
        }
    }

    static func api(_ role: Role) -> Sales_Gateway_V1_Role? {
        switch role {
        case .rep: .rep
        case .manager: .manager
        case .finance: .finance
        case .storeClerk: .storeClerk
        case .storeManager: .storeManager
        case .admin: .admin
        case .service, .unmaskPII: nil
        }
    }
}
