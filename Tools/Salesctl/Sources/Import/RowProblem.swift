import Foundation
import ServiceKit

/// Something an import could not take as the sheet has it: the row, its column and value, why,
/// and what to do where there is a suggestion.
public struct RowProblem: Error, Sendable, Equatable {
    public let line: Int
    public let column: String
    public let value: String
    public let reason: String
    public let suggestion: String

    public init(line: Int, column: String, value: String, reason: String, suggestion: String = "") {
        self.line = line
        self.column = column
        self.value = value
        self.reason = reason
        self.suggestion = suggestion
    }

    /// A service's INVALID_ARGUMENT message, "field: rule", split; without a colon, the whole
    /// message is both.
    static func fieldAndReason(_ message: String) -> (field: String, reason: String) {
        let parts = message.split(separator: ":", maxSplits: 1)
        guard parts.count == 2 else { return (parts.first.map(String.init) ?? "", message) }
        return (String(parts[0]), parts[1].trimmedBlanks)
    }

    /// The problems as a CSV report, each row headed by its kind ("refused", "adjusted").
    public static func csv(_ problems: [(kind: String, problem: RowProblem)]) -> String {
        var lines = ["kind,line,column,value,reason,suggestion"]
        for (kind, problem) in problems {
            lines.append(
                [kind, String(problem.line), problem.column, problem.value, problem.reason, problem.suggestion]
                    .map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
