import Foundation
import GRPCCore
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

extension EndToEnd {
    /// Issue 12, point 2 (and point 3's payments from the ERP), over real gRPC against the
    /// opportunities executable and its file ERP: signing places the sales order, and the payments
    /// the ERP exports come back as the contract's payments, each once whichever way it came, with
    /// every line that cannot be posted named by file and line.
    @Suite struct ErpLinkFlowTests {
        let cast = QuoteToCashCast("erp")

        static func payment(_ order: String, _ fen: String, reference: String, on day: String = LocalDays.fromToday(-1)) -> String {
            #"{"order_id": "\#(order)", "reference": "\#(reference)", "amount_fen": \#(fen), "currency": "CNY", "received_on": "\#(day)"}"#
        }

        @Test func signingPlacesTheOrderAndTheErpsPaymentsComeBackOnce() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let erp = URL(fileURLWithPath: try #require(stack.plan.erpDirectory))
            try await client.with(.opportunities) { grpc in
                let desk = QuoteToCashDesk(client: client, grpc: grpc, rep: cast.rep)
                let receivables = desk.receivables
                let asFinance = try await client.metadata(cast.finance)
                let deal = try await desk.negotiatingDeal("内镜中心设备", customer: "中山医院", amount: 10_000)
                let quote = try await desk.accept(try await desk.quote(deal, fen: 10_000, plan: [(3_333, 0), (3_333, 30), (3_334, 60)]))
                let signed = try await desk.signedContract(quote, signing: LocalDays.fromToday(-10))

                // The order, as the ERP reads it from its folder: the contract's total and instalments.
                #expect(signed.erpOrderID.hasPrefix("SO") && signed.erpError.isEmpty, "\(signed)")
                let orders = erp.appendingPathComponent(cast.tenant.rawValue).appendingPathComponent("orders")
                let written = try Data(contentsOf: orders.appendingPathComponent("\(signed.id).json"))
                let order = try #require(try JSONSerialization.jsonObject(with: written) as? [String: Any])
                #expect(order["order_id"] as? String == signed.erpOrderID && order["total_fen"] as? Int == 10_000)
                #expect((order["instalments"] as? [[String: Any]])?.compactMap { $0["amount_fen"] as? Int } == [3_333, 3_333, 3_334])

                // The bank's reference came by the API first; the ERP's export has it again, and bad lines.
                let bank = "BANK-\(UInt32.random(in: 0...UInt32.max))"
                _ = try await receivables.recordPayment(
                    .with {
                        $0.contractID = signed.id; $0.reference = bank + "-0"; $0.amount = .cny(1_000); $0.receivedOn = LocalDays.fromToday(-2)
                    }, metadata: asFinance)
                let payments = erp.appendingPathComponent(cast.tenant.rawValue).appendingPathComponent("payments")
                try FileManager.default.createDirectory(at: payments, withIntermediateDirectories: true)
                let lines = [
                    Self.payment(signed.erpOrderID, "3333", reference: bank + "-1"),
                    "{not json",
                    Self.payment("SO-NOT-OURS", "100", reference: bank + "-2"),
                    Self.payment(signed.erpOrderID, "12.5", reference: bank + "-3"),
                    Self.payment(signed.erpOrderID, "500", reference: bank + "-4", on: LocalDays.fromToday(30)),
                    Self.payment(signed.erpOrderID, "1000", reference: bank + "-0", on: LocalDays.fromToday(-2)),
                ]
                let export = payments.appendingPathComponent("export.jsonl")
                try (lines.joined(separator: "\n") + "\n").write(to: export, atomically: true, encoding: .utf8)
                let first = try await receivables.syncErp(.init(), metadata: asFinance)
                #expect(first.paymentsRead == 6 && first.paymentsRecorded == 1 && first.paymentsAlreadyRecorded == 1, "\(first)")
                #expect(first.refused.map(\.line) == [2, 3, 4, 5], "\(first.refused)")
                #expect(first.refused[0].reason.contains("export.jsonl line 2") && first.refused[0].reason.contains("not a JSON object"))
                #expect(first.refused[1].errorCode == "NOT_FOUND" && first.refused[1].reason.contains("SO-NOT-OURS"))
                #expect(first.refused[2].field == "amount_fen" && first.refused[2].reason.contains("whole number of fen"))
                #expect(first.refused[3].field == "received_on" && first.refused[3].reason.contains("after today"))
                let account = try await receivables.getContractAccount(.with { $0.contractID = signed.id }, metadata: asFinance)
                #expect(account.paid.minorUnits == 4_333 && account.outstanding.minorUnits == 5_667)
                #expect(account.payments.filter { $0.source == "erp" }.map(\.reference) == [bank + "-1"])

                // Read again: nothing new; a line appended later is read alone.
                #expect(try await receivables.syncErp(.init(), metadata: asFinance).paymentsRead == 0)
                let handle = try FileHandle(forWritingTo: export)
                try handle.seekToEnd()
                try handle.write(contentsOf: Data((Self.payment(signed.erpOrderID, "2000", reference: bank + "-5") + "\n").utf8))
                try handle.close()
                let later = try await receivables.syncErp(.init(), metadata: asFinance)
                #expect(later.paymentsRead == 1 && later.paymentsRecorded == 1 && later.refused.isEmpty, "\(later)")
                let link = try await receivables.getErpLink(.init(), metadata: asFinance)
                #expect(link.kind == "file" && link.cursor == "export.jsonl:7" && link.paymentsRecorded == 2, "\(link)")
                #expect(link.lastError.isEmpty, "the last sync posted every line")

                // The rep does not sync; another tenant's export naming this order posts nothing here.
                let byRep = await refusal {
                    try await receivables.syncErp(.init(), metadata: try await client.metadata(cast.rep))
                }
                #expect(byRep?.code == .permissionDenied)
                let theirs = erp.appendingPathComponent(cast.stranger.tenant.rawValue).appendingPathComponent("payments")
                try FileManager.default.createDirectory(at: theirs, withIntermediateDirectories: true)
                try (Self.payment(signed.erpOrderID, "100", reference: "X-1") + "\n")
                    .write(to: theirs.appendingPathComponent("a.jsonl"), atomically: true, encoding: .utf8)
                let foreign = try await receivables.syncErp(.init(), metadata: try await client.metadata(cast.stranger))
                #expect(foreign.paymentsRecorded == 0 && foreign.refused.first?.errorCode == "NOT_FOUND")
                #expect(try await receivables.getContractAccount(.with { $0.contractID = signed.id }, metadata: asFinance).paid.minorUnits == 6_333)
            }
        }
    }
}
