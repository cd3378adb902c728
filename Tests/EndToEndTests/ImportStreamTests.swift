import Foundation
import GRPCCore
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import Synchronization
import TestSupport
import Testing

extension EndToEnd {
    /// ImportLeads, the stream `salesctl import leads` uses, driven as a hostile client would: a
    /// bad row is refused alone naming its field, a batch re-sent answers "already imported" with
    /// the same leads, another caller's import key is their own import, a malformed message ends
    /// the stream with what to fix and keeps what was answered before it.
    @Suite struct ImportStreamTests {
        typealias Request = Sales_Leads_V1_ImportLeadsRequest
        typealias Outcome = Sales_Leads_V1_ImportLeadOutcome

        struct Scene {
            let client: StackClient
            let tenant = TenantID("import-stream-\(UInt16.random(in: 0...UInt16.max))")!
            var rep: Caller { Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/east/sh") }
            var otherTeamRep: Caller { Caller(tenant: tenant, userID: "zhao.lei", roles: [.rep], orgPath: "/east/hz") }

            init() async throws {
                let (stack, _, tokens) = try await RunningStack.shared.get()
                client = StackClient(plan: stack.plan, tokens: tokens)
            }

            /// Sends `messages` on one stream and collects every answer (each also to `answered` as it
            /// arrives), or throws the status that ended the stream.
            func importing(
                _ messages: [Request], as caller: Caller, answered: @escaping @Sendable ([Outcome]) -> Void = { _ in }
            ) async throws -> [[Outcome]] {
                let metadata = try await client.metadata(caller)
                return try await client.with(.leads) { grpc in
                    try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).importLeads(
                        metadata: metadata,
                        requestProducer: { writer in
                            for message in messages { try await writer.write(message) }
                        },
                        onResponse: { response in
                            try await response.messages.reduce(into: []) { all, message in
                                answered(message.outcomes)
                                all.append(message.outcomes)
                            }
                        })
                }
            }

            func lead(_ id: String, as caller: Caller) async throws -> Sales_Leads_V1_Lead {
                let metadata = try await client.metadata(caller)
                return try await client.with(.leads) { grpc in
                    try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).getLead(.with { $0.id = id }, metadata: metadata)
                }
            }
        }

        static func row(_ line: Int32, _ name: String, phone: String = randomMobile(), inquiry: String = "") -> Sales_Leads_V1_ImportLeadRow {
            .with {
                $0.line = line
                $0.lead = .with {
                    $0.contactName = name
                    $0.phone = phone
                    $0.channel = .tradeShow
                    $0.inquiry = inquiry
                }
            }
        }

        static func randomMobile() -> String { "139" + String(format: "%08d", Int.random(in: 0..<100_000_000)) }

        static func message(_ key: String, _ rows: [Sales_Leads_V1_ImportLeadRow]) -> Request {
            .with {
                $0.importKey = key
                $0.rows = rows
            }
        }

        @Test func eachBadRowIsRefusedAloneAndTheRestOfItsBatchGoesIn() async throws {
            let scene = try await Scene()
            let phone = Self.randomMobile()
            let batch = Self.message(
                "sheet-\(UUID().uuidString)",
                [
                    Self.row(2, "王建国", phone: phone),
                    Self.row(3, "周\u{0}晓梅"),
                    Self.row(0, "吴海"),
                    Self.row(5, "郑国强", phone: "1381662"),
                    Self.row(6, "孙莉", inquiry: String(repeating: "需", count: 100_000)),
                    Self.row(
                        7, "王建国", phone: "＋８６" + String(String.UnicodeScalarView(phone.unicodeScalars.map { UnicodeScalar($0.value + 0xFEE0)! }))),
                    Self.row(8, "钱多多"),
                ])
            let answers = try await scene.importing([batch], as: scene.rep)
            #expect(answers.count == 1)
            let outcomes = try #require(answers.first)
            #expect(outcomes.map(\.line) == [2, 3, 0, 5, 6, 7, 8], "one outcome per row, in order")
            #expect(outcomes.map(\.leadID.isEmpty) == [false, true, true, true, true, false, false])
            let refused = outcomes.filter(\.leadID.isEmpty)
            #expect(refused.map(\.errorCode) == ["INVALID_ARGUMENT", "INVALID_ARGUMENT", "INVALID_ARGUMENT", "INVALID_ARGUMENT"])
            #expect(refused.map(\.field) == ["contact_name", "line", "phone", "inquiry"])
            #expect(refused[0].reason.contains("NUL"))
            #expect(refused[3].reason.count < 400, "a 100,000-character value is quoted by a short prefix: \(refused[3].reason.count)")

            // Line 7 is line 2's mobile typed in full-width digits: the same customer, a repeat lead.
            let first = try await scene.lead(outcomes[0].leadID, as: scene.rep)
            let repeated = try await scene.lead(outcomes[5].leadID, as: scene.rep)
            #expect(repeated.customerID == first.customerID)
            #expect(!first.repeat && repeated.repeat)
            #expect(first.ownerID == "li.na", "no routing rule: kept by the rep who imported it")
        }

        @Test func aResentBatchIsAlreadyImportedAndAnotherCallersKeyIsTheirOwnImport() async throws {
            let scene = try await Scene()
            let key = "sheet-\(UUID().uuidString)"
            let batch = Self.message(key, [Self.row(2, "高远"), Self.row(3, "罗敏")])
            let first = try await scene.importing([batch], as: scene.rep).flatMap { $0 }
            #expect(first.allSatisfy { !$0.leadID.isEmpty && !$0.alreadyImported })

            let again = try await scene.importing([batch, batch], as: scene.rep).flatMap { $0 }
            #expect(again.map(\.leadID) == first.map(\.leadID) + first.map(\.leadID))
            #expect(again.allSatisfy { $0.alreadyImported })

            // The same key and rows from a rep of another team: their own import, never the first answer.
            let theirs = try await scene.importing([batch], as: scene.otherTeamRep).flatMap { $0 }
            #expect(theirs.allSatisfy { !$0.leadID.isEmpty && !$0.alreadyImported })
            #expect(Set(theirs.map(\.leadID)).isDisjoint(with: first.map(\.leadID)))
            let error = await #expect(throws: RPCError.self) { try await scene.lead(first[0].leadID, as: scene.otherTeamRep) }
            #expect(error?.code == .notFound)
            // The imported lead is the team's: its own manager (at /east/sh itself) reads it, the manager
            // of the string-prefix sibling /east/s does not.
            let ownManager = Caller(tenant: scene.tenant, userID: "zhou.sh", roles: [.manager], orgPath: "/east/sh")
            let prefixManager = Caller(tenant: scene.tenant, userID: "zhou.s", roles: [.manager], orgPath: "/east/s")
            #expect(try await scene.lead(first[0].leadID, as: ownManager).id == first[0].leadID)
            let sibling = await #expect(throws: RPCError.self) { try await scene.lead(first[0].leadID, as: prefixManager) }
            #expect(sibling?.code == .notFound)

            // And from another tenant.
            let stranger = Caller(
                tenant: TenantID("import-other-\(UInt16.random(in: 0...UInt16.max))")!, userID: "li.na", roles: [.rep], orgPath: "/east/sh")
            let elsewhere = try await scene.importing([batch], as: stranger).flatMap { $0 }
            #expect(elsewhere.allSatisfy { !$0.leadID.isEmpty && !$0.alreadyImported })
            #expect(Set(elsewhere.map(\.leadID)).isDisjoint(with: first.map(\.leadID)))
        }

        @Test func aMalformedMessageEndsTheStreamAndKeepsWhatWasAnswered() async throws {
            let scene = try await Scene()
            let key = "sheet-\(UUID().uuidString)"
            let good = Self.message(key, [Self.row(2, "林涛")])
            let cases: [(Request, field: String)] = [
                (Self.message("", [Self.row(3, "陈静")]), "import_key"),
                (Self.message(String(repeating: "k", count: 101), [Self.row(3, "陈静")]), "import_key"),
                (Self.message("key\u{1}", [Self.row(3, "陈静")]), "import_key"),
                (Self.message(key, (3...1_003).map { Self.row(Int32($0), "陈静") }), "rows"),
            ]
            var leads: Set<String> = []
            for (bad, field) in cases {
                let answered = Mutex<[Outcome]>([])
                let error = await #expect(throws: RPCError.self) {
                    try await scene.importing([good, bad], as: scene.rep) { outcomes in answered.withLock { $0 += outcomes } }
                }
                #expect(error?.code == .invalidArgument)
                #expect(error?.message.hasPrefix("\(field):") == true, "\(error?.message ?? "")")
                #expect((error?.message.count ?? .max) < 400)
                // The message before the bad one was answered before the stream ended.
                let outcomes = answered.withLock { $0 }
                #expect(outcomes.count == 1 && !outcomes[0].leadID.isEmpty)
                leads.formUnion(outcomes.map(\.leadID))
            }
            #expect(leads.count == 1, "the good message went in once; every later run found it imported")
        }

        @Test func aCallerWithoutATokenIsRefused() async throws {
            let scene = try await Scene()
            let error = await #expect(throws: RPCError.self) {
                try await scene.client.with(.leads) { grpc in
                    try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).importLeads(
                        requestProducer: { writer in try await writer.write(Self.message("k", [Self.row(2, "林涛")])) },
                        onResponse: { response in try await response.messages.reduce(0) { count, _ in count + 1 } })
                }
            }
            #expect(error?.code == .unauthenticated)
        }
    }
}
