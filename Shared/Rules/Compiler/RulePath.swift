/// Where a node sits in a rule document, as messages show it: `and[1].in[0]`, or with a rule
/// set's prefix, `rules[3].and[1]`.
public struct RulePath: Sendable, Hashable, CustomStringConvertible {
    public enum Segment: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    public var segments: [Segment]

    public init(_ segments: [Segment] = []) {
        self.segments = segments
    }

    public static let root = RulePath()

    public var isRoot: Bool { segments.isEmpty }

    public func appending(_ segment: Segment) -> RulePath {
        RulePath(segments + [segment])
    }

    /// This path inside a larger document, e.g. under `rules[3]`.
    public func prefixed(by prefix: RulePath) -> RulePath {
        RulePath(prefix.segments + segments)
    }

    /// Paths of very deep nodes show their start and end.
    public var description: String {
        guard !segments.isEmpty else { return "(rule)" }
        guard segments.count <= 24 else {
            let head = RulePath(Array(segments.prefix(8))).description
            let tail = RulePath(Array(segments.suffix(8))).description
            return "\(head) … (\(segments.count - 16) more) … \(tail.hasPrefix("[") ? "" : ".")\(tail)"
        }
        var text = ""
        for segment in segments {
            switch segment {
            case .key(let key): text += text.isEmpty ? key : "." + key
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }
}
