import Foundation
import GRPCCore
import OpportunitiesService
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

/// The file ERP: signing a contract places its sales order, and the payments the ERP exports come
/// back as the contract's payments, each once, with every line that cannot be posted named.
@Suite struct ErpLinkTests {
    typealias Scene = ReceivableTests.Scene

    static func folder(_ tenant: TenantID, _ kind: String) -> URL {
        QuoteTests.erpFolder.appendingPathComponent(tenant.rawValue).appendingPathComponent(kind)
    }

    static func drop(_ lines: [String], as name: String, for tenant: TenantID) throws {
        let payments = folder(tenant, "payments")
        try FileManager.default.createDirectory(at: payments, withIntermediateDirectories: true)
        try (lines.joined(separator: "\n") + "\n").write(to: payments.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    static func payment(_ order: String, _ fen: String, reference: String, on day: String = "2026-11-20") -> String {
        #"{"order_id": "\#(order)", "reference": "\#(reference)", "amount_fen": \#(fen), "currency": "CNY", "received_on": "\#(day)"}"#
    }

    func sync(_ scene: Scene, as caller: Caller? = nil) async throws -> Sales_Opportunities_V1_SyncErpResponse {
        try await scene.receivables.syncErp(.init(), metadata: try await scene.clients.metadata(caller ?? scene.finance))
    }

    @Test func signingPlacesTheOrderAndTheErpsPaymentsComeBackOnceEach() async throws {
        try await ReceivableTests.hosted { scene in
            let tenant = scene.cast.rep.tenant
            let signed = try await scene.sign(try await scene.submitted())
            #expect(signed.erpOrderID.hasPrefix("SO") && signed.erpOrderID.count == 14 && signed.erpError.isEmpty, "\(signed)")
            let written = try Data(contentsOf: Self.folder(tenant, "orders").appendingPathComponent("\(signed.id).json"))
            let order = try #require(try JSONSerialization.jsonObject(with: written) as? [String: Any])
            #expect(order["order_id"] as? String == signed.erpOrderID && order["total_fen"] as? Int == 10_000)
            #expect((order["instalments"] as? [[String: Any]])?.compactMap { $0["amount_fen"] as? Int } == [3_333, 3_333, 3_334])

            // The same bank reference may come by the API first: the ERP's copy is then recorded already.
            _ = try await scene.pay(signed.id, 1_000, reference: "BANK-0")
            let order1 = signed.erpOrderID
            try Self.drop(
                [
                    Self.payment(order1, "3333", reference: "BANK-1"),
                    "",
                    "{not json",
                    Self.payment("SO-NOT-OURS", "100", reference: "BANK-2"),
                    Self.payment(order1, "12.5", reference: "BANK-3"),
                    Self.payment(order1, "500", reference: "BANK-\\u0000"),
                    Self.payment(order1, "500", reference: "BANK-4", on: "2099-01-01"),
                    Self.payment(order1, "1000", reference: "BANK-0"),
                    Self.payment(order1, "2000", reference: "BANK-5"),
                ], as: "export-1130.jsonl", for: tenant)
            let first = try await sync(scene)
            #expect(first.ordersPlaced == 0 && first.ordersWaiting == 0, "placed at signing")
            #expect(first.paymentsRead == 8 && first.paymentsRecorded == 2 && first.paymentsAlreadyRecorded == 1, "\(first)")
            #expect(first.refused.map(\.line) == [3, 4, 5, 6, 7], "\(first.refused)")
            #expect(first.refused[0].reason.contains("export-1130.jsonl line 3") && first.refused[0].reason.contains("not a JSON object"))
            #expect(first.refused[1].errorCode == "NOT_FOUND" && first.refused[1].reason.contains("SO-NOT-OURS"))
            #expect(first.refused[2].field == "amount_fen" && first.refused[2].reason.contains("whole number of fen"))
            #expect(first.refused[3].field == "reference", "a NUL in the reference: \(first.refused[3])")
            #expect(first.refused[4].field == "received_on" && first.refused[4].reason.contains("after today"))

            let account = try await scene.account(signed.id)
            #expect(account.paid.minorUnits == 1_000 + 3_333 + 2_000 && account.outstanding.minorUnits == 10_000 - 6_333)
            #expect(account.payments.filter { $0.source == "erp" }.map(\.reference).sorted() == ["BANK-1", "BANK-5"])
            #expect(try await ReceivableTests.events("PaymentReceived", of: signed.id, in: scene.database).count == 3)

            // Read again: nothing new. A line appended later is read alone; the same payment again is already there.
            let again = try await sync(scene)
            #expect(again.paymentsRead == 0 && again.paymentsRecorded == 0)
            let appended = Self.folder(tenant, "payments").appendingPathComponent("export-1130.jsonl")
            let handle = try FileHandle(forWritingTo: appended)
            try handle.seekToEnd()
            try handle.write(contentsOf: Data((Self.payment(order1, "3333", reference: "BANK-1") + "\n").utf8))
            try handle.close()
            let later = try await sync(scene)
            #expect(later.paymentsRead == 1 && later.paymentsAlreadyRecorded == 1 && later.refused.isEmpty)
            #expect(try await scene.account(signed.id).paid.minorUnits == 6_333)

            let link = try await scene.receivables.getErpLink(.init(), metadata: try await scene.clients.metadata(scene.finance))
            #expect(link.kind == "file" && link.cursor == "export-1130.jsonl:10" && link.paymentsRecorded == 2 && link.lastError.isEmpty)

            // The rep neither syncs nor reads the link; another tenant's sync never reaches this one's orders.
            let rep = await refusal { try await sync(scene, as: scene.cast.rep) }
            #expect(rep?.code == .permissionDenied)
            try Self.drop([Self.payment(order1, "100", reference: "X-1")], as: "a.jsonl", for: scene.cast.stranger.tenant)
            let stranger = try await sync(scene, as: scene.cast.stranger)
            #expect(stranger.paymentsRecorded == 0 && stranger.refused.first?.errorCode == "NOT_FOUND")
            let strangerLink = try await scene.receivables.getErpLink(.init(), metadata: try await scene.clients.metadata(scene.cast.stranger))
            #expect(strangerLink.lastError.contains("1 payment could not be posted; the first: a.jsonl line 1"))
            #expect(try await scene.account(signed.id).paid.minorUnits == 6_333)
        }
    }

    /// Text the ERP exports is checked as a caller's text is: a control character or 100 KB in a
    /// field refuses that line, naming the field with a short quote of the value. Only finance and
    /// admins sync: a manager of the contract's own team is refused too.
    @Test func badTextInTheExportIsRefusedNamingItsFieldAndOnlyFinanceSyncs() async throws {
        try await ReceivableTests.hosted { scene in
            let signed = try await scene.sign(try await scene.submitted())
            try Self.drop(
                [
                    Self.payment("SO\\u0007X", "100", reference: "BANK-BEL"),
                    Self.payment(signed.erpOrderID, "100", reference: String(repeating: "长", count: 100_000)),
                    Self.payment(signed.erpOrderID, "100", reference: "BANK-OK"),
                ], as: "text.jsonl", for: scene.cast.rep.tenant)
            let answer = try await sync(scene)
            #expect(answer.paymentsRecorded == 1 && answer.refused.map(\.field) == ["order_id", "reference"], "\(answer.refused)")
            #expect(answer.refused.allSatisfy { $0.errorCode == "INVALID_ARGUMENT" && $0.reason.contains("got \"") && $0.reason.count < 400 })
            #expect(try await scene.account(signed.id).paid.minorUnits == 100)

            for caller in [scene.cast.ownManager, scene.cast.prefixManager, scene.cast.rep] {
                let synced = await refusal { try await sync(scene, as: caller) }
                #expect(synced?.code == .permissionDenied, "\(caller.userID)")
                let read = await refusal {
                    try await scene.receivables.getErpLink(.init(), metadata: try await scene.clients.metadata(caller))
                }
                #expect(read?.code == .permissionDenied, "\(caller.userID)")
            }
            // Another tenant's admin reads their own link: none of this tenant's orders or payments.
            let other = try await scene.receivables.getErpLink(.init(), metadata: try await scene.clients.metadata(scene.cast.stranger))
            #expect(other.ordersWaiting == 0 && other.paymentsRecorded == 0 && other.cursor.isEmpty)
        }
    }

    @Test func anErpThatCannotBeWrittenDelaysTheOrderNotTheSignature() async throws {
        try await ReceivableTests.hosted { scene in
            let tenant = scene.cast.rep.tenant
            // A file where the tenant's folder should be: the ERP cannot take the order.
            let blocker = QuoteTests.erpFolder.appendingPathComponent(tenant.rawValue)
            try FileManager.default.createDirectory(at: QuoteTests.erpFolder, withIntermediateDirectories: true)
            try Data("in the way".utf8).write(to: blocker)
            let signed = try await scene.sign(try await scene.submitted())
            #expect(signed.state == .signed && signed.erpOrderID.isEmpty && signed.erpError.contains("could not write"), "\(signed)")
            let waiting = try await scene.receivables.getErpLink(.init(), metadata: try await scene.clients.metadata(scene.finance))
            #expect(waiting.ordersWaiting == 1)
            let refused = try await sync(scene)
            #expect(refused.ordersPlaced == 0 && refused.ordersWaiting == 1)

            try FileManager.default.removeItem(at: blocker)
            let synced = try await sync(scene)
            #expect(synced.ordersPlaced == 1 && synced.ordersWaiting == 0)
            let contract = try await scene.contracts.getContract(
                .with { $0.id = signed.id }, metadata: try await scene.clients.metadata(scene.cast.rep))
            let written = try Data(contentsOf: Self.folder(tenant, "orders").appendingPathComponent("\(signed.id).json"))
            let order = try #require(try JSONSerialization.jsonObject(with: written) as? [String: Any])
            #expect(contract.erpOrderID.hasPrefix("SO") && order["order_id"] as? String == contract.erpOrderID && contract.erpError.isEmpty)
        }
    }
}
