import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SalesModel
import Synchronization

/// A registry API over HTTP: GET {base}/companies/{credit_code} with a bearer token, answering
/// 200 with `{"name", "industry", "employee_count", "city", "district"}` or 404 for an unknown
/// code. Answers are kept for a day; a slow or failing registry costs at most `timeout` per lead.
final class HTTPCompanyRegistry: CompanyRegistry {
    let source: String
    private let baseURL: String
    private let token: String
    private let timeout: TimeAmount
    private let http: HTTPClient
    private let logger = Logger(label: "sales.leads.company-registry")
    private let kept = Mutex<[CreditCode: (profile: CompanyProfile?, at: Date)]>([:])

    init(baseURL: String, token: String, timeout: TimeAmount = .milliseconds(1_500), http: HTTPClient = .shared) {
        source = baseURL
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.timeout = timeout
        self.http = http
    }

    func lookup(_ code: CreditCode) async -> CompanyProfile? {
        if let hit = kept.withLock({ $0[code] }), hit.at > Date().addingTimeInterval(-86_400) { return hit.profile }
        var request = HTTPClientRequest(url: "\(baseURL)/companies/\(code.rawValue)")
        if !token.isEmpty { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.headers.add(name: "Accept", value: "application/json")
        do {
            let response = try await http.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: 1 << 20)
            let profile: CompanyProfile?
            switch response.status.code {
            case 200:
                let object = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
                profile = CompanyProfile(
                    name: object["name"] as? String ?? "", industry: object["industry"] as? String ?? "",
                    employeeCount: (object["employee_count"] as? NSNumber).map { Int32(truncating: $0) },
                    city: object["city"] as? String ?? "", district: object["district"] as? String ?? "")
            case 404:
                profile = nil
            default:
                logger.warning("company registry answered \(response.status.code); the lead goes on without it", metadata: ["code": "\(code)"])
                return nil
            }
            kept.withLock { cache in
                if cache.count > 10_000 { cache.removeAll() }
                cache[code] = (profile, Date())
            }
            return profile
        } catch {
            logger.warning("company registry unreachable; the lead goes on without it", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
