import Foundation
import RulesEngine

/// `salesctl rules eval --batch FILE`: JSON lines `{"rule": …, "data": …}` in, one line out per
/// line in, `{"result": …}` or `{"error": "line N: …"}`. A bad line, malformed or not, never stops
/// the batch; output line N always answers input line N.
public struct RuleBatch {
    private let compiler: RuleCompiler
    /// Batches often repeat a few rules over many records; each distinct rule compiles once.
    private var compiled: [String: Result<CompiledRule, RuleCompileError>] = [:]
    private static let cacheLimit = 1_024

    public init(environment: RuleToolEnvironment = .init(), domain: String? = nil) throws(RuleToolError) {
        compiler = RuleCompiler(registry: environment.registry, catalog: try RuleEval.catalog(domain))
    }

    /// The answer to one input line (`number` counts from 1).
    public mutating func evaluate(line: String, number: Int) -> String {
        let answer: RuleValue
        do {
            answer = ["result": try value(of: line)]
        } catch {
            answer = ["error": .string("line \(number): \(error.message)")]
        }
        return answer.json
    }

    private mutating func value(of line: String) throws(RuleToolError) -> RuleValue {
        guard !line.allSatisfy(\.isWhitespace) else { throw RuleToolError("empty line; expected {\"rule\": …, \"data\": …}") }
        let input: RuleValue
        do { input = try RuleValue(json: line) } catch { throw RuleToolError(error.description) }
        guard case .object(let members) = input else { throw RuleToolError("expected {\"rule\": …, \"data\": …}; got \(input.kindName)") }
        guard let rule = members["rule"] else { throw RuleToolError("the line has no \"rule\"") }
        if let extra = members.keys.sorted().first(where: { $0 != "rule" && $0 != "data" }) {
            throw RuleToolError("unexpected member \"\(extra)\"; a line holds \"rule\" and \"data\"")
        }
        let key = rule.json
        if compiled[key] == nil {
            if compiled.count >= Self.cacheLimit { compiled.removeAll(keepingCapacity: true) }
            compiled[key] = Result { () throws(RuleCompileError) in try compiler.compile(rule) }
        }
        switch compiled[key]! {
        case .failure(let error):
            throw RuleToolError("the rule is refused: " + error.problems.map(\.description).joined(separator: "; "))
        case .success(let rule):
            do {
                return try rule.evaluate(members["data"] ?? .null)
            } catch {
                throw RuleToolError("evaluation failed: \(error.message)")
            }
        }
    }

    /// Reads `input` to its end, writing an answer line per line to `output`.
    public mutating func run(input: FileHandle, output: FileHandle) throws {
        var reader = LineReader(input)
        var buffer = ""
        var number = 0
        while let line = try reader.next() {
            number += 1
            buffer += evaluate(line: line, number: number)
            buffer += "\n"
            if buffer.utf8.count >= 64 * 1024 {
                output.write(Data(buffer.utf8))
                buffer = ""
            }
        }
        output.write(Data(buffer.utf8))
    }
}

/// Lines of a file read in chunks, without holding the whole file; "\r\n" ends a line too.
struct LineReader {
    private let handle: FileHandle
    private var pending: [UInt8] = []
    private var start = 0
    private var finished = false

    init(_ handle: FileHandle) {
        self.handle = handle
    }

    mutating func next() throws -> String? {
        while true {
            if let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > start, pending[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = String(decoding: pending[start..<end], as: UTF8.self)
                start = newline + 1
                return line
            }
            if finished {
                guard start < pending.count else { return nil }
                let line = String(decoding: pending[start...], as: UTF8.self)
                start = pending.count
                return line
            }
            pending.removeFirst(start)
            start = 0
            if let chunk = try handle.read(upToCount: 256 * 1024), !chunk.isEmpty {
                pending.append(contentsOf: chunk)
            } else {
                finished = true
            }
        }
    }
}
