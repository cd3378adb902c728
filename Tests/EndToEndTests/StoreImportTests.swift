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
    /// `salesctl import products|members|receipts` against the running stack: a chain's files with
    /// Chinese headers, their bad rows reported by line and column, and the same files again
    /// changing nothing.
    @Suite struct StoreImportTests {
        @Test func aChainsFilesGoInOnceWithTheirBadRowsReported() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("chain-\(UInt32.random(in: 0...UInt32.max))")!
            let manager = Caller(tenant: tenant, userID: "chen.jing", roles: [.storeManager], orgPath: "/south")
            try await client.with(.storeSales) { grpc in
                _ = try await Sales_Storesales_V1_StoreService.Client(wrapping: grpc).createStore(
                    .with {
                        $0.code = "GZ-001"; $0.name = "天河店"; $0.district = "天河路商圈"
                    }, metadata: try await client.metadata(manager))
            }
            let folder = NSTemporaryDirectory() + "store-files-\(UUID().uuidString)/"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let files = [
                "products.csv": "商品编码,商品名称,品类,零售价\nBP-200,电子血压计,慢病监测,299.00\nGLU-300,血糖仪,慢病监测,\"1,99.0x\"\nNEB-100,家用雾化器,呼吸护理,399\n",
                "members.csv": "手机号,姓名,出生年份,同意联系\n139 2220 0001,黎美华,1958,是\n12345,错号,1960,是\n13922200002,邓建国,十九,否\n13922200003,何小燕,,\n",
                "receipts.csv": """
                门店编码,小票号,销售时间,商品编码,数量,单价,优惠金额,支付方式,会员手机
                GZ-001,T-1,2026-11-30 10:05:00,BP-200,1,299.00,20,微信,13922200001
                GZ-001,T-1,2026-11-30 10:05:00,NEB-100,1,399.00,,微信,13922200001
                GZ-001,T-2,2026-11-30 11:00:00,GLU-300,1,199.00,,现金,
                GZ-001,T-3,2026-11-30 12:00:00,NEB-100,two,399.00,,支付宝,

                """,
            ]
            for (name, text) in files { try text.write(toFile: folder + name, atomically: true, encoding: .utf8) }
            let importer = StoreImport(port: stack.plan.grpcPort(.storeSales), token: try await client.token(manager))

            let products = try await importer.run(.products, file: folder + "products.csv")
            #expect(products.rows == 3 && products.created == 2)
            #expect(products.refused.map(\.line) == [3])
            #expect(products.refused.first?.column == "price")
            let members = try await importer.run(.members, file: folder + "members.csv")
            #expect(members.created == 2)
            #expect(members.refused.map(\.line) == [3, 4])
            #expect(members.refused.map(\.column) == ["mobile", "birth_year"])
            #expect(members.refused.first?.value == "12345")
            // GLU-300 never went in (its price was refused), so T-2 is refused at its line; T-3's quantity is no number.
            let receipts = try await importer.run(.receipts, file: folder + "receipts.csv")
            #expect(receipts.created == 2, "both lines of T-1")
            #expect(receipts.refused.map(\.line) == [4, 5])
            #expect(receipts.refused.map(\.column) == ["sku", "quantity"])

            let again = try await importer.run(.receipts, file: folder + "receipts.csv")
            #expect(again.created == 0 && again.unchanged == 2)
            let membersAgain = try await importer.run(.members, file: folder + "members.csv")
            #expect(membersAgain.created == 0 && membersAgain.unchanged == 2)
            // The member from the file bought on T-1: 299 − 20 + 399.
            let (member, clerkRefusal) = try await client.with(.storeSales) { grpc in
                let service = Sales_Storesales_V1_MemberService.Client(wrapping: grpc)
                let outcome = try await service.importMembers(
                    .with {
                        $0.rows = [
                            .with {
                                $0.line = 2; $0.mobile = "13922200001"
                            }
                        ]
                    }, metadata: try await client.metadata(manager))
                let member = try await service.getMember(.with { $0.memberID = outcome.outcomes[0].id }, metadata: try await client.metadata(manager))
                let clerk = Caller(tenant: tenant, userID: "he.xiao", roles: [.storeClerk], orgPath: "/south")
                let refusal: RPCError.Code?
                do {
                    _ = try await StoreImport(port: stack.plan.grpcPort(.storeSales), token: try await client.token(clerk))
                        .run(.members, file: folder + "members.csv")
                    refusal = nil
                } catch let error as RPCError {
                    refusal = error.code
                }
                return (member, refusal)
            }
            #expect(member.purchases == 1 && member.spent.minorUnits == 67_800)
            #expect(member.hasConsentAt, "是 in the file")
            #expect(clerkRefusal == .permissionDenied)
        }
    }
}
