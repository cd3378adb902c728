import Foundation
import SalesModel

/// Fictional companies for the file-backed company registry the local stack starts with, so a
/// B2B lead entered with one of these credit codes gets its industry, size and district; and for
/// the file-backed credit bureau quotes are screened against.
public enum DemoCompanies {
    public struct Company: Sendable {
        public let code: CreditCode
        public let name: String
        public let industry: String
        public let employees: Int
        public let city: String
        public let district: String
        /// What the demo's credit bureau says: green, yellow or red, and why.
        public let credit: (grade: String, note: String)
    }

    /// Codes are completed with their check character, so they pass validation like real ones.
    public static let all: [Company] = [
        ("91330212MA2GQ8X1F", "宁波精工机械有限公司", "机械", 320, "宁波", "鄞州区", ("green", "")),
        ("91330106MA27XK4L0", "杭州云帆软件有限公司", "软件", 85, "杭州", "西湖区", ("yellow", "去年一笔货款逾期 45 天，已结清")),
        ("91310115MA1HB3C71", "上海康瑞医疗器械有限公司", "医疗器械", 140, "上海", "浦东新区", ("green", "")),
        ("91440300MA5F8R2K4", "深圳智联电子有限公司", "电子制造", 600, "深圳", "南山区", ("red", "两起买卖合同纠纷被列为被执行人")),
        ("91110108MA01N6Q2X", "北京博远教育科技有限公司", "教育", 60, "北京", "海淀区", ("yellow", "成立不足三年")),
    ].map { body, name, industry, employees, city, district, credit in
        Company(
            code: CreditCode.completing(body)!, name: name, industry: industry, employees: employees, city: city, district: district,
            credit: (credit.0, credit.1))
    }

    public static var csv: String {
        (["credit_code,name,industry,employee_count,city,district"]
            + all.map { "\($0.code),\($0.name),\($0.industry),\($0.employees),\($0.city),\($0.district)" })
            .joined(separator: "\n") + "\n"
    }

    /// Writes the registry file into `directory` unless an operator already keeps one there, and
    /// returns its SALES_LEADS_COMPANY_REGISTRY value.
    public static func registryFile(in directory: String) throws -> String {
        let path = directory + "/company-registry.csv"
        if !FileManager.default.fileExists(atPath: path) {
            try csv.write(toFile: path, atomically: true, encoding: .utf8)
        }
        return "file:" + path
    }

    /// The credit bureau's file (credit_code,grade,note), written like the registry's, and its
    /// SALES_OPPORTUNITIES_CREDIT_BUREAU value.
    public static func bureauFile(in directory: String) throws -> String {
        let path = directory + "/credit-bureau.csv"
        if !FileManager.default.fileExists(atPath: path) {
            let lines = ["credit_code,grade,note"] + all.map { "\($0.code),\($0.credit.grade),\($0.credit.note)" }
            try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        return "file:" + path
    }
}
