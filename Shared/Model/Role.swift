/// What a user may do. Carried in the token's `roles` claim by these names.
public enum Role: String, Sendable, CaseIterable, Codable {
    case rep
    case manager
    case finance
    case storeClerk = "store_clerk"
    case storeManager = "store_manager"
    case admin
    /// Another service of the platform (event feeds, directory look-ups).
    case service
    /// May see personal data unmasked; every unmasked read is audited.
    case unmaskPII = "pii_unmask"
}
