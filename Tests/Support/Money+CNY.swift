import SalesProto

extension Sales_Common_V1_Money {
    /// `fen` in yuan (CNY), the currency of the test tenants.
    package static func cny(_ fen: Int64) -> Self {
        var money = Self()
        money.minorUnits = fen
        money.currency = "CNY"
        return money
    }
}
