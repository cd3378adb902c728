/// Bounds that keep a hostile or mistaken rule from taking a service down.
public enum RuleLimits {
    /// Operator and list nesting a rule may have. Compiling and evaluating recurse once per level,
    /// so this also bounds the stack a rule can use (deep enough for any rule a person writes).
    public static let maximumDepth = 256

    /// Elements `merge` may build and characters (UTF-8 bytes) `cat` may build: rules that double
    /// a value level by level would otherwise exhaust memory.
    public static let maximumArrayCount = 5_000_000
    public static let maximumTextLength = 50_000_000
}
