import Foundation

/// Typed reads of environment variables that fail with the variable's name and the rule broken.
public struct Environment: Sendable {
    public let values: [String: String]

    public init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    public func optional(_ name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    public func required(_ name: String, hint: String) throws(ConfigurationError) -> String {
        guard let value = optional(name) else {
            throw ConfigurationError(variable: name, problem: "is not set: \(hint)")
        }
        return value
    }

    public func port(_ name: String, default defaultValue: Int? = nil) throws(ConfigurationError) -> Int {
        guard let raw = optional(name) else {
            if let defaultValue { return defaultValue }
            throw ConfigurationError(variable: name, problem: "is not set: give a TCP port, e.g. 50051")
        }
        guard let port = Int(raw), (0...65535).contains(port) else {
            throw ConfigurationError(variable: name, problem: "is \"\(raw)\": it must be a TCP port from 0 to 65535")
        }
        return port
    }

    public func integer(_ name: String, in range: ClosedRange<Int>, default defaultValue: Int) throws(ConfigurationError) -> Int {
        guard let raw = optional(name) else { return defaultValue }
        guard let value = Int(raw), range.contains(value) else {
            throw ConfigurationError(
                variable: name, problem: "is \"\(raw)\": it must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    public func choice<T: RawRepresentable & CaseIterable>(_ name: String, default defaultValue: T) throws(ConfigurationError) -> T
    where T.RawValue == String {
        guard let raw = optional(name) else { return defaultValue }
        guard let value = T(rawValue: raw) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError(variable: name, problem: "is \"\(raw)\": it must be one of \(allowed)")
        }
        return value
    }

    public func flag(_ name: String) throws(ConfigurationError) -> Bool {
        switch optional(name)?.lowercased() {
        case nil, "0", "false", "no": return false
        case "1", "true", "yes": return true
        case let other?: throw ConfigurationError(variable: name, problem: "is \"\(other)\": use 1/true or 0/false")
        }
    }
}
