/// A place in a tenant's org tree: "/" for the root, else segments such as "/east/east-sh".
///
/// A path contains itself and the paths below it, segment by segment: "/north/n" contains
/// "/north/n" and "/north/n/a" but not "/north/n1", which a string prefix test would let in.
public struct OrgPath: Hashable, Sendable, CustomStringConvertible {
    /// The path as stored: a leading "/", no trailing "/" (except the root), no empty segment.
    public let rawValue: String

    public static let root = OrgPath(validated: "/")

    /// The longest path accepted, in characters.
    public static let maximumLength = 200

    /// Nil unless `text` starts with "/" and has no empty segment; one trailing "/" is dropped.
    public init?(_ text: String) {
        guard text.hasPrefix("/"), text.count <= Self.maximumLength else { return nil }
        var path = Substring(text)
        if path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
        guard path == "/" || !path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).contains(where: \.isEmpty)
        else { return nil }
        rawValue = String(path)
    }

    private init(validated: String) { rawValue = validated }

    /// Whether `text` is a team's path exactly as stored ("/east/east-sh"): not the root, no
    /// trailing "/".
    public static func isValid(_ text: String) -> Bool { text != "/" && OrgPath(text)?.rawValue == text }

    /// The segments below the root: [] for "/", ["east", "east-sh"] for "/east/east-sh".
    public var segments: [Substring] { rawValue.split(separator: "/") }

    /// How far below the root: 0 for "/", 2 for "/east/east-sh".
    public var depth: Int { segments.count }

    /// Whether `other` is this path or lies below it.
    public func contains(_ other: OrgPath) -> Bool {
        if rawValue == "/" || other.rawValue == rawValue { return true }
        return other.rawValue.hasPrefix(rawValue) && other.rawValue.utf8.dropFirst(rawValue.utf8.count).first == UInt8(ascii: "/")
    }

    /// Whether the path given as text is this path or lies below it; false for text that is no path.
    public func contains(_ text: String) -> Bool { OrgPath(text).map(contains) ?? false }

    /// The path one segment further down.
    public func appending(_ segment: String) -> OrgPath {
        OrgPath(validated: rawValue == "/" ? "/" + segment : rawValue + "/" + segment)
    }

    public var description: String { rawValue }
}
