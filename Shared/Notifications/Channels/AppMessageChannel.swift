import AsyncHTTPClient
import Foundation
import NIOHTTP1
import SalesProto

/// A person channel through a vendor app: fetch (and keep) an access token with the app's id and
/// secret, then send a markdown message to one user. A token the vendor reports as expired or
/// invalid is fetched again once within the attempt.
protocol AppMessageChannel: NotificationChannelSender {
    var tokens: AccessTokens { get }
    var defaultBaseURL: String { get }
    /// Vendor errcodes meaning "this access token is no longer good".
    var staleTokenCodes: Set<Int> { get }
    func tokenURL(base: String, channel: Sales_Notifications_V1_NotificationChannel) -> String
    func sendRequest(_ message: OutgoingMessage, base: String, token: String, channel: Sales_Notifications_V1_NotificationChannel) -> (
        url: String, body: [String: Any]
    )
    /// Headers the send carries besides the body (the newer DingTalk API takes the token in one).
    func sendHeaders(token: String) -> [(String, String)]
}

extension AppMessageChannel {
    var reachesPerson: Bool { true }

    func sendHeaders(token: String) -> [(String, String)] { [] }

    func send(_ message: OutgoingMessage, via channel: Sales_Notifications_V1_NotificationChannel, http: HTTPClient) async -> DeliveryResult {
        let base = (channel.baseURL.isEmpty ? defaultBaseURL : channel.baseURL).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let key = AccessTokens.Key(base: base, channel: channel)
        do {
            for attempt in 0..<2 {
                let token: String
                switch try await tokens.token(for: key, fetch: { try await fetchToken(base: base, channel: channel, http: http) }) {
                case .success(let kept): token = kept
                case .failure(let refusal): return refusal.result
                }
                let request = sendRequest(message, base: base, token: token, channel: channel)
                let answer = try await VendorHTTP.call(.POST, request.url, json: request.body, headers: sendHeaders(token: token), http: http)
                if attempt == 0, (200..<300).contains(answer.status), staleTokenCodes.contains(answer.errcode) {
                    tokens.forget(key)
                    continue
                }
                return VendorHTTP.result(of: answer)
            }
            return .retry("the access token was refused twice")
        } catch {
            return VendorHTTP.networkResult(error)
        }
    }

    private func fetchToken(base: String, channel: Sales_Notifications_V1_NotificationChannel, http: HTTPClient) async throws -> AccessTokens.Fetched
    {
        let answer = try await VendorHTTP.call(.GET, tokenURL(base: base, channel: channel), json: nil, http: http)
        guard (200..<300).contains(answer.status) else { return .refused(VendorHTTP.statusResult(answer)) }
        guard answer.errcode == 0, let fresh = answer.strings["access_token"], !fresh.isEmpty else {
            return .refused(answer.errcode == -1 ? .retry("token: errcode -1 (busy)") : .failed("token: errcode \(answer.errcode): \(answer.errmsg)"))
        }
        return .token(fresh, lifetime: answer.numbers["expires_in"] ?? 7200)
    }
}

/// WeCom (企业微信) application message: GET /cgi-bin/gettoken?corpid&corpsecret, then
/// POST /cgi-bin/message/send?access_token with a markdown message to `touser`.
struct WeComAppChannel: AppMessageChannel {
    let tokens: AccessTokens
    var kind: Sales_Notifications_V1_ChannelKind { .wecomApp }
    var defaultBaseURL: String { "https://qyapi.weixin.qq.com" }
    var staleTokenCodes: Set<Int> { [40014, 42001] }

    func tokenURL(base: String, channel: Sales_Notifications_V1_NotificationChannel) -> String {
        "\(base)/cgi-bin/gettoken?corpid=\(VendorHTTP.percentEncoded(channel.appID))&corpsecret=\(VendorHTTP.percentEncoded(channel.secret))"
    }

    func sendRequest(_ message: OutgoingMessage, base: String, token: String, channel: Sales_Notifications_V1_NotificationChannel) -> (
        url: String, body: [String: Any]
    ) {
        (
            "\(base)/cgi-bin/message/send?access_token=\(VendorHTTP.percentEncoded(token))",
            [
                "touser": message.recipient,
                "msgtype": "markdown",
                "agentid": channel.agentID,
                "markdown": ["content": "**\(message.title)**\n\(message.text)"],
            ]
        )
    }
}

/// A DingTalk (钉钉) app: its token from GET /gettoken?appkey&appsecret, which the work
/// notification and the to-do share.
protocol DingTalkAppChannel: AppMessageChannel {}

extension DingTalkAppChannel {
    var defaultBaseURL: String { "https://oapi.dingtalk.com" }
    var staleTokenCodes: Set<Int> { [40014, 42001, 88] }

    func tokenURL(base: String, channel: Sales_Notifications_V1_NotificationChannel) -> String {
        "\(base)/gettoken?appkey=\(VendorHTTP.percentEncoded(channel.appID))&appsecret=\(VendorHTTP.percentEncoded(channel.secret))"
    }
}

/// DingTalk (钉钉) work notification: GET /gettoken?appkey&appsecret, then
/// POST /topapi/message/corpconversation/asyncsend_v2?access_token to `userid_list`.
struct DingTalkWorkChannel: DingTalkAppChannel {
    let tokens: AccessTokens
    var kind: Sales_Notifications_V1_ChannelKind { .dingtalkWork }

    func sendRequest(_ message: OutgoingMessage, base: String, token: String, channel: Sales_Notifications_V1_NotificationChannel) -> (
        url: String, body: [String: Any]
    ) {
        (
            "\(base)/topapi/message/corpconversation/asyncsend_v2?access_token=\(VendorHTTP.percentEncoded(token))",
            [
                "agent_id": channel.agentID,
                "userid_list": message.recipient,
                "msg": ["msgtype": "markdown", "markdown": ["title": message.title, "text": "### \(message.title)\n\(message.text)"]],
            ]
        )
    }
}

/// DingTalk (钉钉) to-do (待办): the app's token from GET /gettoken, then
/// POST /v1.0/todo/users/{unionId}/tasks on the newer API with the token in
/// `x-acs-dingtalk-access-token`. With a base_url set, both go there (a proxy or a test double).
struct DingTalkTodoChannel: DingTalkAppChannel {
    let tokens: AccessTokens
    var kind: Sales_Notifications_V1_ChannelKind { .dingtalkTodo }

    func sendRequest(_ message: OutgoingMessage, base: String, token: String, channel: Sales_Notifications_V1_NotificationChannel) -> (
        url: String, body: [String: Any]
    ) {
        let api = channel.baseURL.isEmpty ? "https://api.dingtalk.com" : base
        let union = VendorHTTP.percentEncoded(message.recipient)
        return (
            "\(api)/v1.0/todo/users/\(union)/tasks?operatorId=\(union)",
            [
                "subject": message.title,
                "description": message.text,
                "executorIds": [message.recipient],
                "sourceId": "\(message.notice):\(message.subjectID)",
            ]
        )
    }

    func sendHeaders(token: String) -> [(String, String)] { [("x-acs-dingtalk-access-token", token)] }
}
