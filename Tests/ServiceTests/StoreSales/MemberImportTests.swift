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

/// The chain's member and product files: keyed, updated in place, a bad row refused alone.
@Suite struct MemberImportTests {
    static func row(_ line: Int32, _ mobile: String, _ name: String = "", birthYear: Int32 = 0, consent: Bool? = nil, at: String = "")
        -> Sales_Storesales_V1_MemberRow
    {
        .with {
            $0.line = line
            $0.mobile = mobile
            $0.name = name
            $0.birthYear = birthYear
            if let consent { $0.consent = consent }
            $0.consentAt = at
        }
    }

    @Test func aMemberFileIsKeyedByMobileAndABadRowIsRefusedAlone() async throws {
        try await StoreScene.hosted { scene in
            let rows = [
                Self.row(2, "13800138000", "张敏", birthYear: 1990, consent: true, at: "2026-03-01"),
                Self.row(3, "1380013800", "短号"),
                Self.row(4, "13900139000", "李\u{0}娜"),
                Self.row(5, "13900139000", "李娜", birthYear: 1850),
                Self.row(6, "13900139000", "李娜", consent: false, at: "2026-03-01"),
                Self.row(7, "１３７ ００１３ ７０００", "全角"),
                Self.row(8, "+86 138-0013-8000", "张敏"),
            ]
            let first = try await scene.members.importMembers(.with { $0.rows = rows }, metadata: try await scene.metadata(scene.manager))
            #expect(first.outcomes.map(\.line) == [2, 3, 4, 5, 6, 7, 8])
            #expect(first.outcomes.map(\.result) == ["created", "", "", "", "", "created", "unchanged"])
            #expect(first.outcomes.map(\.field) == ["", "mobile", "name", "birth_year", "consent_at", "", ""])
            #expect(first.outcomes[2].reason.count < 300, "a NUL is quoted short")
            #expect(first.outcomes[6].id == first.outcomes[0].id, "the same mobile typed another way is the same member")

            // The same file again changes nothing; a later file updates in place and withdraws a consent,
            // and one without a consent column leaves it as it is.
            let again = try await scene.members.importMembers(.with { $0.rows = rows }, metadata: try await scene.metadata(scene.manager))
            #expect(again.outcomes.map(\.result) == ["unchanged", "", "", "", "", "unchanged", "unchanged"])
            let later = try await scene.members.importMembers(
                .with { $0.rows = [Self.row(2, "13800138000", "张敏敏", consent: false)] }, metadata: try await scene.metadata(scene.manager))
            #expect(later.outcomes.map(\.result) == ["updated"])
            let member = try await scene.members.getMember(
                .with { $0.memberID = first.outcomes[0].id }, metadata: try await scene.metadata(scene.clerk))
            #expect(member.name == "张敏敏")
            #expect(member.birthYear == 1990, "a blank cell keeps what is on file")
            #expect(!member.hasConsentAt)
            #expect(member.mobile.masked == "138****8000")
            let given = try await scene.members.importMembers(
                .with { $0.rows = [Self.row(2, "13800138000", consent: true), Self.row(3, "13800138000", "张敏敏")] },
                metadata: try await scene.metadata(scene.manager))
            #expect(given.outcomes.map(\.result) == ["updated", "unchanged"])
            let kept = try await scene.members.getMember(
                .with { $0.memberID = first.outcomes[0].id }, metadata: try await scene.metadata(scene.clerk))
            #expect(kept.hasConsentAt && kept.consentSource == "import")

            // Who may import, and how many rows.
            let clerkError = await #expect(throws: RPCError.self) {
                try await scene.members.importMembers(.with { $0.rows = rows }, metadata: try await scene.metadata(scene.clerk))
            }
            #expect(clerkError?.code == .permissionDenied)
            let empty = await #expect(throws: RPCError.self) {
                try await scene.members.importMembers(.init(), metadata: try await scene.metadata(scene.manager))
            }
            #expect(empty?.message.hasPrefix("rows:") == true)
            // Another chain's import of the same mobile is its own member.
            let foreign = try await scene.members.importMembers(
                .with { $0.rows = [Self.row(2, "13800138000", "别家")] }, metadata: try await scene.metadata(scene.stranger))
            #expect(foreign.outcomes.map(\.result) == ["created"])
            #expect(foreign.outcomes[0].id != first.outcomes[0].id)
        }
    }

    @Test func aProductFileUpdatesByTheSKU() async throws {
        try await StoreScene.hosted { scene in
            let rows = [
                StoreScene.product(2, "SKU-1", "洁面乳", 12_800), StoreScene.product(3, "", "无编号", 100),
                StoreScene.product(4, "SKU-2", "卸妆水", -5),
            ]
            let first = try await scene.receipts.importProducts(.with { $0.rows = rows }, metadata: try await scene.metadata(scene.manager))
            #expect(first.outcomes.map(\.result) == ["created", "", ""])
            #expect(first.outcomes.map(\.field) == ["", "sku", "price.minor_units"])
            let again = try await scene.receipts.importProducts(
                .with { $0.rows = [StoreScene.product(2, "SKU-1", "洁面乳", 12_800), StoreScene.product(3, "SKU-1", "洁面乳 新", 13_800)] },
                metadata: try await scene.metadata(scene.manager))
            #expect(again.outcomes.map(\.result) == ["unchanged", "updated"])
        }
    }
}
