import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import SalesModel
import SalesNotifications
import ServiceKit

/// A registry API over HTTP: GET {base}/companies/{credit_code} with a bearer token, answering
/// 200 with `{"name", "industry", "employee_count", "city", "district"}` or 404 for an unknown
/// code. Answers are kept for a day; a slow or failing registry costs at most `timeout` per lead.
struct HTTPCompanyRegistry: CompanyRegistry {
    let source: String
    private let baseURL: String
    private let token: String
    private let timeout: TimeAmount
    private let http: HTTPClient
    private let logger = Logger(label: "sales.leads.company-registry")
    /// Profiles and "no such company" for a day; a failure is not kept, so the next lead asks again.
    private let kept = ExpiringCache<CreditCode, CompanyProfile?>(maximumAge: .seconds(86_400))

    init(baseURL: String, token: String, timeout: TimeAmount = .milliseconds(1_500), http: HTTPClient = .shared) {
        source = baseURL
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.timeout = timeout
        self.http = http
    }

    func lookup(_ code: CreditCode) async -> CompanyProfile? {
        try? await kept.value(for: code) { try await ask(code) }
    }

    private struct Unanswered: Error {}

    /// The registry's profile, nil for 404; throws when it failed (logged: the lead goes on without it).
    private func ask(_ code: CreditCode) async throws(Unanswered) -> CompanyProfile? {
        let status: UInt
        let body: ByteBuffer
        do {
            (status, body) = try await http.partnerGet("\(baseURL)/companies/\(code.rawValue)", token: token, timeout: timeout)
        } catch {
            logger.warning("company registry unreachable; the lead goes on without it", metadata: ["error": "\(error)"])
            throw Unanswered()
        }
        switch status {
        case 200:
            let object = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
            return CompanyProfile(
                name: object["name"] as? String ?? "", industry: object["industry"] as? String ?? "",
                employeeCount: (object["employee_count"] as? NSNumber).map { Int32(truncating: $0) },
                city: object["city"] as? String ?? "", district: object["district"] as? String ?? "")
        case 404:
            return nil
        default:
            logger.warning("company registry answered \(status); the lead goes on without it", metadata: ["code": "\(code)"])
            throw Unanswered()
        }
    }
}
