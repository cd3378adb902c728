import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import SalesProto
import ServiceKit

/// WeCom (企业微信) group robot: POST a markdown message to the robot's webhook URL.
struct WeComRobotChannel: NotificationChannelSender {
    var kind: Sales_Notifications_V1_ChannelKind { .wecomRobot }
    var reachesPerson: Bool { false }

    func send(_ message: OutgoingMessage, via channel: Sales_Notifications_V1_NotificationChannel, http: HTTPClient) async -> DeliveryResult {
        do {
            let body: [String: Any] = ["msgtype": "markdown", "markdown": ["content": "**\(message.title)**\n\(message.text)"]]
            return VendorHTTP.result(of: try await VendorHTTP.call(.POST, channel.webhookURL, json: body, http: http))
        } catch {
            return VendorHTTP.networkResult(error)
        }
    }
}

/// DingTalk (钉钉) group robot with 加签: the URL carries `timestamp` (ms) and
/// `sign` = Base64(HMAC-SHA256(secret, "timestamp\nsecret")), percent-encoded.
struct DingTalkRobotChannel: NotificationChannelSender {
    var kind: Sales_Notifications_V1_ChannelKind { .dingtalkRobot }
    var reachesPerson: Bool { false }

    static func signedURL(_ url: String, secret: String, at date: Date = Date()) -> String {
        guard !secret.isEmpty else { return url }
        let timestamp = String(Int64(date.timeIntervalSince1970 * 1000))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp)\n\(secret)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        let sign = VendorHTTP.percentEncoded(Data(mac).base64EncodedString())
        return url + (url.contains("?") ? "&" : "?") + "timestamp=\(timestamp)&sign=\(sign)"
    }

    func send(_ message: OutgoingMessage, via channel: Sales_Notifications_V1_NotificationChannel, http: HTTPClient) async -> DeliveryResult {
        do {
            let body: [String: Any] = ["msgtype": "markdown", "markdown": ["title": message.title, "text": "### \(message.title)\n\(message.text)"]]
            let url = Self.signedURL(channel.webhookURL, secret: channel.secret)
            return VendorHTTP.result(of: try await VendorHTTP.call(.POST, url, json: body, http: http))
        } catch {
            return VendorHTTP.networkResult(error)
        }
    }
}

/// Any endpoint: POST a JSON body; any 2xx is delivered. With a secret, the headers carry
/// `X-Sales-Timestamp` and `X-Sales-Signature: sha256=<hex HMAC-SHA256 of "timestamp.body">`, so
/// the receiver can check the sender and refuse replays.
struct WebhookChannel: NotificationChannelSender {
    var kind: Sales_Notifications_V1_ChannelKind { .webhook }
    var reachesPerson: Bool { false }

    static func signature(body: Data, timestamp: String, secret: String) -> String {
        var signed = Data("\(timestamp).".utf8)
        signed.append(body)
        return "sha256=" + Data(HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))).hexEncoded
    }

    func send(_ message: OutgoingMessage, via channel: Sales_Notifications_V1_NotificationChannel, http: HTTPClient) async -> DeliveryResult {
        let payload: [String: Any] = [
            "tenant": message.tenant, "notice": message.notice, "subject_id": message.subjectID,
            "title": message.title, "text": message.text,
        ]
        do {
            let body = try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])
            var request = HTTPClientRequest(url: channel.webhookURL)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            if !channel.secret.isEmpty {
                let timestamp = String(Int64(Date().timeIntervalSince1970))
                request.headers.add(name: "X-Sales-Timestamp", value: timestamp)
                request.headers.add(name: "X-Sales-Signature", value: Self.signature(body: body, timestamp: timestamp, secret: channel.secret))
            }
            request.body = .bytes(body)
            let response = try await http.execute(request, timeout: VendorHTTP.timeout)
            let text = String(buffer: try await response.body.collect(upTo: 1 << 16))
            let answer = VendorHTTP.Answer(status: Int(response.status.code), strings: [:], numbers: [:], body: text)
            return (200..<300).contains(answer.status) ? .delivered : VendorHTTP.statusResult(answer)
        } catch {
            return VendorHTTP.networkResult(error)
        }
    }
}
