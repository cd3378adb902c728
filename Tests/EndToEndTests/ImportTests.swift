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
    /// `salesctl import leads`: every refused row reported with line, column, value and reason;
    /// the same import run again creates nothing twice.
    @Suite struct ImportTests {
        @Test func importsReportsAndIsIdempotent() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("import-\(UInt16.random(in: 0...UInt16.max))")!
            let rep = Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/east/sh")
            let admin = Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq")
            try await client.with(.leads) { grpc in
                _ = try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).defineLeadField(
                    .with {
                        $0.definition = .with {
                            $0.key = "next_contact"; $0.label = "下次联系时间"; $0.type = .date; $0.requiredAtCreation = true
                        }
                    }, metadata: try await client.metadata(admin))
            }
            let csv = """
                姓名,手机,公司,渠道,城市,核心需求,下次联系时间,微信号
                王建国,13816621001,上海瑞金医院,官网表单,上海,腔镜两套,2026-12-01,wx1
                周晓梅,1381662,上海仁济医院,展会,上海,超声刀耗材,2026-12-02,wx2
                吴海,13916621003,,抖音,上海,制氧机,,wx3
                郑国强,13916621004,联影合作诊所,电报,上海,监护仪,2026-12-03,wx4
                孙莉,15026621005,,美团,上海,"验光, 套餐",2026-12-04,wx5
                """
            let path = NSTemporaryDirectory() + "import-\(UUID().uuidString).csv"
            try csv.write(toFile: path, atomically: true, encoding: .utf8)
            let importer = LeadImport(port: stack.plan.grpcPort(.leads), token: try await client.token(rep))
            let first = try await importer.run(file: path)
            #expect(first.rows == 5)
            #expect(first.imported == 2 && first.alreadyImported == 0)
            #expect(first.ignoredColumns == ["微信号"])
            #expect(
                first.errors == [
                    .init(
                        line: 3, column: "手机", value: "1381662",
                        reason: "\"1381662\" is not a mainland mobile number (11 digits starting 13–19, optional +86)"),
                    .init(line: 4, column: "下次联系时间", value: "", reason: "下次联系时间 is required when the record is created"),
                    .init(line: 5, column: "渠道", value: "电报", reason: "not a channel (官网表单, 抖音, 微信, 美团, 展会, 门店, API)"),
                ])

            let again = try await importer.run(file: path)
            #expect(again.imported == 2 && again.alreadyImported == 2 && again.errors.count == 3)
            let stored = try await client.with(.leads) { grpc in
                try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).listLeads(.init(), metadata: try await client.metadata(rep)).leads
            }
            #expect(stored.count == 2, "re-running the import created nothing twice")
            #expect(Set(stored.map(\.channel)) == [.webForm, .meituan])
            #expect(stored.first { $0.contactName == "孙莉" }?.inquiry == "验光, 套餐")
        }

        /// The same leads from an Excel workbook (Fixtures/import/leads-openpyxl.xlsx): phones stored
        /// as numbers, date cells, a rich-text cell; a refused row is named by its row in the sheet
        /// (row 3, formatted but empty, is skipped and still numbered).
        @Test func importsAnXLSXWorkbook() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("import-xlsx-\(UInt16.random(in: 0...UInt16.max))")!
            let rep = Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/east/sh")
            let admin = Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq")
            try await client.with(.leads) { grpc in
                _ = try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).defineLeadField(
                    .with {
                        $0.definition = .with {
                            $0.key = "next_contact"; $0.label = "下次联系时间"; $0.type = .date; $0.requiredAtCreation = true
                        }
                    }, metadata: try await client.metadata(admin))
            }
            let path = Fixtures.path("import/leads-openpyxl.xlsx")
            let importer = LeadImport(port: stack.plan.grpcPort(.leads), token: try await client.token(rep))
            let first = try await importer.run(file: path)
            #expect(first.rows == 4)
            #expect(first.imported == 2)
            #expect(first.ignoredColumns == ["微信号"])
            #expect(
                first.errors == [
                    .init(
                        line: 4, column: "手机", value: "1381662",
                        reason: "\"1381662\" is not a mainland mobile number (11 digits starting 13–19, optional +86)"),
                    .init(line: 5, column: "下次联系时间", value: "", reason: "下次联系时间 is required when the record is created"),
                ])

            let again = try await importer.run(file: path)
            #expect(again.imported == 2 && again.errors.count == 2)
            let stored = try await client.with(.leads) { grpc in
                try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).listLeads(.init(), metadata: try await client.metadata(rep)).leads
            }
            #expect(stored.count == 2, "re-running the import created nothing twice")
            #expect(Set(stored.map(\.channel)) == [.webForm, .meituan])
            #expect(stored.first { $0.contactName == "王建国" }?.inquiry == "腔镜两套")
            #expect(stored.first { $0.contactName == "孙莉" }?.customFields["next_contact"]?.date == "2026-12-04")
        }
    }
}
