import Foundation
import Testing

@testable import SalesControl

/// How a bank file's cells become a payment: yuan to fen exactly, dates as the service reads them.
@Suite struct PaymentImportTests {
    @Test func yuanAreReadExactlyToTheFen() {
        #expect(PaymentImport.fen("1234.56") == 123_456)
        #expect(PaymentImport.fen("1,234.5") == 123_450)
        #expect(PaymentImport.fen("¥100") == 10_000)
        #expect(PaymentImport.fen("￥ 0.07") == 7)
        #expect(PaymentImport.fen("RMB3.10") == 310)
        // 0.1 + 0.2 in floating point is 0.30000000000000004: never a float on the way.
        #expect(PaymentImport.fen("92233720368547758.07") == 9_223_372_036_854_775_807)
        for bad in ["", "12.345", "-5", "1e3", "12.", ".5", "一百", "12,34a", "92233720368547758.08", "1 000"] {
            #expect(PaymentImport.fen(bad) == nil, "\(bad)")
        }
    }

    @Test func datesAreWrittenAsTheServiceReadsThem() {
        #expect(PaymentImport.day("2026/3/5") == "2026-03-05")
        #expect(PaymentImport.day("2026.12.01") == "2026-12-01")
        #expect(PaymentImport.day("2026-11-20") == "2026-11-20")
        #expect(PaymentImport.day("3/5/2026") == "3/5/2026", "left for the service to refuse with its reason")
    }
}
