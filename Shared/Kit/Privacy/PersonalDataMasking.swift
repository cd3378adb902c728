import SalesModel

/// A response that can carry personal data (a lead's full phone): it can give itself back with
/// that data masked. Idempotent repeats pass through it, so a stored answer never shows a
/// caller more than the caller may see now.
public protocol PersonalDataMasking {
    /// The same message with every personal datum masked.
    func maskingPersonalData() -> Self
}

public enum PersonalData {
    /// `message` as `caller` may see it: masked unless the caller may unmask.
    public static func shown<Message>(_ message: Message, to caller: Caller) -> Message {
        guard !caller.mayUnmaskPII, let maskable = message as? any PersonalDataMasking else { return message }
        return maskable.maskingPersonalData() as? Message ?? message
    }
}
