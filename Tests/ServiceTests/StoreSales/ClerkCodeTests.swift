import Foundation
import GRPCCore
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

@testable import StoreSalesService

/// The clerk's QR: a scan makes or finds the member and attributes them; forged, foreign and
/// expired codes are refused, each saying why.
@Suite struct ClerkCodeTests {
    @Test func aScanMakesTheMemberOnceAndKeepsTheFirstClerk() async throws {
        try await StoreScene.hosted { scene in
            let store = try await scene.openStore()
            let code = try await scene.members.issueClerkCode(.init(), metadata: try await scene.metadata(scene.clerk))
            #expect(code.payload.utf8.count <= 30, "fits a WeCom state tag")
            #expect(code.storeID == store.id)
            #expect(code.expiresAt.date > Date().addingTimeInterval(9 * 60))

            let first = try await scene.scan("138 0013 8000", of: scene.clerk)
            #expect(first.newMember)
            #expect(first.member.mobile.masked == "138****8000")
            #expect(first.member.mobile.e164.isEmpty, "masked for a caller without the unmask permission")
            #expect(first.member.firstClerkID == code.clerkID)
            #expect(first.member.consentSource == "scan at SH-001")

            // The same customer, typed another way, at another clerk: the same member, the first clerk kept.
            let again = try await scene.scan("+86 13800138000", of: scene.otherClerk, consent: false)
            #expect(!again.newMember)
            #expect(again.member.id == first.member.id)
            #expect(again.member.firstClerkID == first.member.firstClerkID)
            #expect(again.member.lastClerkID == again.clerkID)
            #expect(again.member.visits == 2)
            #expect(again.member.hasConsentAt, "a scan without the tick does not withdraw a consent given")

            let unmasked = try await scene.members.getMember(
                .with { $0.memberID = first.member.id }, metadata: try await scene.metadata(scene.unmasker))
            #expect(unmasked.mobile.e164 == "+8613800138000")
            let events = try await scene.database.query(
                "SELECT count(*) FROM outbox WHERE event_type LIKE '%MemberScanned' AND aggregate_id = \(first.member.id)")
            for try await count in events.decode(Int64.self) { #expect(count == 2) }
        }
    }

    @Test func aForgedForeignOrExpiredCodeIsRefusedWithItsReason() async throws {
        try await StoreScene.hosted { scene in
            _ = try await scene.openStore()
            let code = try await scene.members.issueClerkCode(.init(), metadata: try await scene.metadata(scene.clerk)).payload
            func scan(_ payload: String, as caller: Caller) async -> RPCError? {
                await #expect(throws: RPCError.self) {
                    try await scene.members.scanClerkCode(
                        .with {
                            $0.code = payload
                            $0.mobile = "13900139000"
                        }, metadata: try await scene.metadata(caller))
                }
            }
            // One character of the seal changed; the clerk number changed; a longer life written in.
            var forged = Array(code)
            forged[forged.count - 1] = forged.last == "a" ? "b" : "a"
            let parts = code.split(separator: ".")
            let otherClerk = "\(String(Int64(parts[0], radix: 36)! + 1, radix: 36)).\(parts[1]).\(parts[2])"
            let longer = "\(parts[0]).\(String(Int64(parts[1], radix: 36)! + 600, radix: 36)).\(parts[2])"
            for payload in [String(forged), otherClerk, longer] {
                let error = await scan(payload, as: scene.admin)
                #expect(error?.code == .invalidArgument)
                #expect(error?.message.hasPrefix("code: does not verify") == true, "\(error?.message ?? "")")
            }
            // A genuine code of this chain, scanned through another chain's mini-program.
            let foreign = await scan(code, as: scene.stranger)
            #expect(foreign?.code == .invalidArgument)
            for junk in ["", "hello", "1.2", String(repeating: "a", count: 40), "zz.zz.\u{0}aaaaaaaaa"] {
                #expect(await scan(junk, as: scene.admin)?.code == .invalidArgument, "\(junk)")
            }
            // A code issued 11 minutes ago under the same secret has run out.
            let clerkSeq = Int64(parts[0], radix: 36)!
            let signer = ClerkCodeSigner(secret: TestEnvironment.jwtSecret, lifetimeMinutes: 10)
            let stale = signer.issue(clerkSeq: clerkSeq, tenant: scene.clerk.tenant, now: Date().addingTimeInterval(-11 * 60)).payload
            let expired = await scan(stale, as: scene.admin)
            #expect(expired?.code == .failedPrecondition)
            #expect(expired?.message.contains("expired") == true)
            #expect(expired?.message.contains("fresh one") == true)
            // Nothing of the refused scans made a member.
            let rows = try await scene.database.query("SELECT count(*) FROM members WHERE tenant_id = \(scene.admin.tenant.rawValue)")
            for try await count in rows.decode(Int64.self) { #expect(count == 0) }
        }
    }

    @Test func onlyAClerkIssuesCodesAndTakesNotes() async throws {
        try await StoreScene.hosted { scene in
            _ = try await scene.openStore()
            let error = await #expect(throws: RPCError.self) {
                try await scene.members.issueClerkCode(.init(), metadata: try await scene.metadata(scene.manager))
            }
            #expect(error?.code == .permissionDenied)
            let member = try await scene.scan("13700137000", of: scene.clerk).member
            let note = try await scene.members.addMemberNote(
                .with {
                    $0.memberID = member.id
                    $0.rating = 4
                    $0.needs = "敏感肌，想要温和的洁面"
                    $0.media = [
                        .with {
                            $0.kind = "voice"
                            $0.ref = "att-1"
                            $0.seconds = 42
                        },
                        .with {
                            $0.kind = "photo"
                            $0.ref = "att-2"
                        },
                    ]
                }, metadata: try await scene.metadata(scene.clerk))
            #expect(note.media.count == 2)
            let opened = try await scene.members.getMember(.with { $0.memberID = member.id }, metadata: try await scene.metadata(scene.otherClerk))
            #expect(opened.notes.map(\.needs) == ["敏感肌，想要温和的洁面"])
            #expect(opened.notes.first?.media.first?.seconds == 42)

            let bad: [(Sales_Storesales_V1_AddMemberNoteRequest, String)] = [
                (
                    .with {
                        $0.memberID = member.id; $0.rating = 6
                    }, "rating"
                ),
                (
                    .with {
                        $0.memberID = member.id; $0.rating = 3;
                        $0.media = [
                            .with {
                                $0.kind = "video"; $0.ref = "x"
                            }
                        ]
                    }, "media[0].kind"
                ),
                (
                    .with {
                        $0.memberID = member.id; $0.rating = 3;
                        $0.media = [
                            .with {
                                $0.kind = "voice"; $0.ref = "x"
                            }
                        ]
                    }, "media[0].seconds"
                ),
                (
                    .with {
                        $0.memberID = member.id; $0.rating = 3; $0.needs = String(repeating: "长", count: 501)
                    }, "needs"
                ),
                (
                    .with {
                        $0.memberID = member.id; $0.rating = 3; $0.needs = "a\u{0}b"
                    }, "needs"
                ),
            ]
            for (request, field) in bad {
                let error = await #expect(throws: RPCError.self) {
                    try await scene.members.addMemberNote(request, metadata: try await scene.metadata(scene.clerk))
                }
                #expect(error?.code == .invalidArgument)
                #expect(error?.message.hasPrefix("\(field):") == true, "\(error?.message ?? "")")
            }
            // Another chain's clerk does not reach this chain's member.
            let foreign = await #expect(throws: RPCError.self) {
                try await scene.members.getMember(.with { $0.memberID = member.id }, metadata: try await scene.metadata(scene.stranger))
            }
            #expect(foreign?.code == .notFound)
        }
    }
}
