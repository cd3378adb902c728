import Foundation
import SalesModel
import SalesProto

/// The prior win probability of each stage, until the behaviour-weighted model replaces it.
enum StageWeights {
    static func percent(_ stage: Sales_Opportunities_V1_Stage) -> Int64 {
        switch stage {
        case .qualification: 10
        case .needsAnalysis: 25
        case .proposal: 50
        case .negotiation: 75
        case .won: 100
        case .lost, .unspecified, .UNRECOGNIZED: 0
        }
    }
}

/// The forecast period ("2026-12") a moment falls in, in the tenant's zone.
struct ForecastPeriod {
    static let defaultZone = TimeZone(identifier: "Asia/Shanghai")!

    static func containing(_ date: Date, in zone: TimeZone = defaultZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month], from: date)
        let month = parts.month ?? 1
        return "\(parts.year ?? 1970)-\(month < 10 ? "0" : "")\(month)"
    }
}
