/// How many rows an import call takes, as its proto documents: the service refuses more, and a
/// client sizes its batches by the same constant, so the two cannot drift apart.
extension Sales_Opportunities_V1_ImportPaymentsRequest {
    public static let mostRows = 1_000
}

extension Sales_Storesales_V1_ImportMembersRequest {
    public static let mostRows = 1_000
}
