import Foundation
import GRPCCore
import OpportunitiesService
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

/// The signal catalog is the tenant's: the built-in twelve and the signals it adds, without code;
/// an activity's signal outside it is refused, and another tenant's signals are not this one's.
@Suite struct SignalCatalogTests {
    @Test func aTenantAddsASignalAndActivitiesUseIt() async throws {
        let people = StageMoveTests.People()
        let otherAdmin = Caller(tenant: TenantID("signals-\(UInt32.random(in: 0...UInt32.max))")!, userID: "admin", roles: [.admin], orgPath: "/")
        try await StageMoveTests().hosted { clients in
            let admin = try await clients.metadata(people.admin)
            let rep = try await clients.metadata(people.rep)
            let before = try await clients.pipelines.listSignals(.init(), metadata: rep).signals
            #expect(before.count == 12 && before.allSatisfy { $0.definedBy.isEmpty && !$0.label.isEmpty })

            let defined = try await clients.pipelines.defineSignal(
                .with {
                    $0.signal = .with {
                        $0.key = "tender_published"
                        $0.label = "招标公告发布"
                        $0.description_p = "客户在政府采购网发布了招标公告"
                    }
                }, metadata: admin)
            #expect(defined.definedBy == "admin")
            #expect(try await clients.pipelines.listSignals(.init(), metadata: rep).signals.last?.key == "tender_published")

            let deal = try await clients.newDeal(by: people.rep)
            let recorded = try await clients.visit(deal.id, by: people.rep, signals: ["tender_published", "budget_confirmed"])
            #expect(recorded.signals == ["tender_published", "budget_confirmed"])
            let typo = await refusal { try await clients.visit(deal.id, by: people.rep, signals: ["tender_publish"]) }
            #expect(
                typo?.code == .invalidArgument
                    && typo?.message.hasPrefix("activity.signals[0]: \"tender_publish\" is not in the tenant's signal catalog") == true)

            // Another tenant has only the built-in twelve.
            let elsewhere = try await clients.pipelines.listSignals(.init(), metadata: try await clients.metadata(otherAdmin)).signals
            #expect(!elsewhere.contains { $0.key == "tender_published" })

            let cases: [(Sales_Opportunities_V1_SignalType, String)] = [
                (
                    .with {
                        $0.key = "Tender"; $0.label = "x"
                    }, "signal.key"
                ),
                (
                    .with {
                        $0.key = "t"; $0.label = "x"
                    }, "signal.key"
                ),
                (
                    .with {
                        $0.key = "budget_confirmed"; $0.label = "预算"
                    }, "signal.key"
                ),
                (
                    .with {
                        $0.key = "site_visit"; $0.label = " "
                    }, "signal.label"
                ),
                (
                    .with {
                        $0.key = "site_visit"; $0.label = String(repeating: "长", count: 41)
                    }, "signal.label"
                ),
            ]
            for (signal, field) in cases {
                let refused = await refusal { try await clients.pipelines.defineSignal(.with { $0.signal = signal }, metadata: admin) }
                #expect(refused?.code == .invalidArgument && refused?.message.hasPrefix(field) == true, "\(field): \(refused?.message ?? "")")
            }
            let byRep = await refusal {
                try await clients.pipelines.defineSignal(
                    .with {
                        $0.signal = .with {
                            $0.key = "site_visit"; $0.label = "现场"
                        }
                    }, metadata: rep)
            }
            #expect(byRep?.code == .permissionDenied)
        }
    }
}
