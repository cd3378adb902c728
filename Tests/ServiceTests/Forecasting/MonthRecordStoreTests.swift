import Foundation
import SalesModel
import Testing

@testable import ForecastingService

/// The month record in Postgres: one a month per tenant, a live record never replaced, a replay
/// replaced by a later one, and only months ended by the moment asked read back.
@Suite struct MonthRecordStoreTests {
    private static func record(_ month: String, start: Date, forecast: Double, source: MonthRecord.Source) -> MonthRecord {
        MonthRecord(
            month: month, from: start, end: start.addingTimeInterval(30 * 86_400), forecast: forecast, coinVariance: 4, newDealVariance: 1,
            source: source)
    }

    @Test func aLiveRecordStaysAndAReplayGivesWayToTheNext() async throws {
        try await ForecastScene.hosted { scene in
            let store = MonthRecordStore(database: scene.database)
            let tenant = scene.admin.tenant
            let january = Date(timeIntervalSince1970: 1_767_196_800)  // 2026-01-01 00:00 +08:00
            let february = january.addingTimeInterval(31 * 86_400)
            try await store.keep(
                [
                    Self.record("2026-01", start: january, forecast: 100, source: .live),
                    Self.record("2026-02", start: february, forecast: 200, source: .backtest),
                ],
                tenant: tenant)
            try await store.keep(
                [
                    Self.record("2026-01", start: january, forecast: 111, source: .backtest),
                    Self.record("2026-02", start: february, forecast: 222, source: .backtest),
                ],
                tenant: tenant)
            try await store.keep([Self.record("2026-01", start: january, forecast: 123, source: .live)], tenant: tenant)
            let kept = try await store.records(tenant: tenant, endedBy: february.addingTimeInterval(60 * 86_400))
            #expect(kept.map(\.forecast) == [100, 222])
            #expect(kept.map(\.source) == [.live, .backtest])
            #expect(kept.first?.coinVariance == 4 && kept.first?.newDealVariance == 1)

            // A month not ended by the moment is not read; another tenant reads none of these.
            #expect(try await store.records(tenant: tenant, endedBy: february).map(\.month) == ["2026-01"])
            #expect(try await store.records(tenant: scene.stranger.tenant, endedBy: .distantFuture).isEmpty)
        }
    }
}
