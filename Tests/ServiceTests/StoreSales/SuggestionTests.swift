import Foundation
import GRPCCore
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import StoreSalesService
import SwiftProtobuf
import TestSupport
import Testing

/// Three suggestions when a clerk opens a member, each with why, from de-identified data.
@Suite struct SuggestionTests {
    @Test func theDaysKeywordsWhatOthersBoughtAndTheAgeBandEachGiveOne() async throws {
        try await StoreScene.hosted { scene in
            _ = try await scene.openStore()
            _ = try await scene.receipts.importProducts(
                .with {
                    $0.rows = [
                        StoreScene.product(2, "P-BP", "电子血压计", 29_900), StoreScene.product(3, "P-MASK", "补水面膜", 5_900),
                        StoreScene.product(4, "P-STRIP", "血糖试纸", 8_900),
                    ]
                }, metadata: try await scene.metadata(scene.manager))
            let members = try await scene.members.importMembers(
                .with {
                    $0.rows = [
                        MemberImportTests.row(2, "13800000001", "目标", birthYear: 1958), MemberImportTests.row(3, "13800000002", "甲", birthYear: 1990),
                        MemberImportTests.row(4, "13800000003", "乙", birthYear: 1992), MemberImportTests.row(5, "13800000004", "丙", birthYear: 1955),
                        MemberImportTests.row(6, "13800000005", "新人"),
                    ]
                }, metadata: try await scene.metadata(scene.manager))
            let target = members.outcomes[0].id
            var number = 0
            func buy(_ mobile: String, _ skus: [String]) async throws {
                number += 1
                _ = try await scene.record(StoreScene.receipt("S-\(number)", member: mobile, items: skus.map { ($0, 1, 1_000, 0) }))
            }
            try await buy("13800000001", ["SKU-REMOVER"])
            try await buy("13800000002", ["SKU-REMOVER", "SKU-CLEANSER"])
            try await buy("13800000003", ["SKU-REMOVER"])
            try await buy("13800000003", ["SKU-CLEANSER"])
            try await buy("13800000004", ["P-BP"])
            for _ in 0..<3 { try await buy("", ["P-STRIP"]) }

            let suggested = try await scene.members.suggestForMember(
                .with {
                    $0.memberID = target
                    $0.keywords = ["面膜"]
                }, metadata: try await scene.metadata(scene.clerk)
            ).suggestions
            #expect(suggested.map(\.sku) == ["P-MASK", "SKU-CLEANSER", "P-BP"])
            #expect(suggested.map(\.source) == ["keyword", "bought_together", "age_band"])
            #expect(suggested[0].why.contains("面膜") && suggested[0].name == "补水面膜")
            #expect(suggested[1].why.contains("卸妆水") && suggested[1].why.contains("2 位会员") && suggested[1].why.hasSuffix("「洁面乳」"))
            #expect(suggested[2].why.contains("50后"))
            #expect(suggested.allSatisfy { !$0.why.contains("目标") && !$0.why.contains("138") }, "no name or mobile in a reason")

            // A new member with no history, age or keyword: the chain's best sellers.
            let newcomer = try await scene.members.suggestForMember(
                .with { $0.memberID = members.outcomes[4].id }, metadata: try await scene.metadata(scene.clerk)
            ).suggestions
            #expect(newcomer.first?.sku == "P-STRIP" && newcomer.allSatisfy { $0.source == "bestseller" })
            // A keyword that is a LIKE wildcard matches itself only.
            let wildcard = try await scene.members.suggestForMember(
                .with {
                    $0.memberID = target
                    $0.keywords = ["%", "_"]
                }, metadata: try await scene.metadata(scene.clerk)
            ).suggestions
            #expect(!wildcard.contains { $0.source == "keyword" })
        }
    }

    @Test func badAsksAreRefused() async throws {
        try await StoreScene.hosted { scene in
            _ = try await scene.openStore()
            let member = try await scene.scan("13800138000", of: scene.clerk).member
            let cases: [(Sales_Storesales_V1_SuggestForMemberRequest, Caller, RPCError.Code, String)] = [
                (
                    .with {
                        $0.memberID = member.id; $0.keywords = Array(repeating: "血压", count: 11)
                    }, scene.clerk, .invalidArgument, "keywords"
                ),
                (
                    .with {
                        $0.memberID = member.id; $0.keywords = [String(repeating: "长", count: 21)]
                    }, scene.clerk, .invalidArgument, "keywords[0]"
                ),
                (
                    .with {
                        $0.memberID = member.id; $0.keywords = [" "]
                    }, scene.clerk, .invalidArgument, "keywords[0]"
                ),
                (.with { $0.memberID = "x" }, scene.clerk, .invalidArgument, "member_id"),
                (.with { $0.memberID = UUID().uuidString }, scene.clerk, .notFound, ""),
                (.with { $0.memberID = member.id }, scene.stranger, .notFound, ""),
                (
                    .with { $0.memberID = member.id }, Caller(tenant: scene.clerk.tenant, userID: "rep", roles: [.rep], orgPath: "/"),
                    .permissionDenied, ""
                ),
            ]
            for (request, caller, code, field) in cases {
                let error = await #expect(throws: RPCError.self) {
                    try await scene.members.suggestForMember(request, metadata: try await scene.metadata(caller))
                }
                #expect(error?.code == code, "\(field)")
                if !field.isEmpty { #expect(error?.message.hasPrefix("\(field):") == true, "\(error?.message ?? "")") }
            }
        }
    }
}
