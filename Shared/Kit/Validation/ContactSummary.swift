/// What a record of contact with a customer must say: what was discussed. A bare status (已联系,
/// 跟进, ok) on its own is what reps type when nothing happened, so it is refused everywhere a
/// contact is recorded (lead follow-ups, deal activities).
public enum ContactSummary {
    public static let bareStatuses: Set<String> = ["已联系", "联系了", "已沟通", "沟通了", "已跟进", "跟进", "ok", "好的", "无", "暂无"]

    public static func checked(_ text: String, field: String, maxLength: Int = 4_000) throws(ServiceError) -> String {
        let summary = try Require.text(text, field: field, maxLength: maxLength)
        guard summary.count >= 4, !bareStatuses.contains(summary.lowercased()) else {
            throw .invalidArgument(field: field, rule: "say what was discussed; \(quoted: summary) alone is not a record of contact")
        }
        return summary
    }
}
