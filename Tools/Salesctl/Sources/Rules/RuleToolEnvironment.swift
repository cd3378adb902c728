import Foundation
import RulesEngine

/// What `salesctl rules` compiles with: JsonLogic plus the domain operators, with mapping tables
/// and a work calendar read from files when given.
public struct RuleToolEnvironment: Sendable {
    public var registry: OperatorRegistry

    public init(registry: OperatorRegistry = .domain()) {
        self.registry = registry
        // `log` writes to standard error, keeping standard output for results.
        self.registry.logSink = { value in FileHandle.standardError.write(Data(("log: " + value.json + "\n").utf8)) }
    }

    /// `mappingsPath`: `{"table": {"key": value, …}, …}`; `calendarPath`: a work calendar
    /// (see `WorkCalendar.init(json:)`).
    public static func load(mappingsPath: String?, calendarPath: String?) throws(RuleToolError) -> RuleToolEnvironment {
        var tables: [MappingTable] = []
        if let mappingsPath {
            guard case .object(let members) = try readJSON(mappingsPath) else {
                throw RuleToolError("\(mappingsPath): mapping tables are an object {\"table\": {\"key\": value}}")
            }
            for (name, entries) in members.sorted(by: { $0.key < $1.key }) {
                guard case .object(let map) = entries else {
                    throw RuleToolError("\(mappingsPath): table `\(name)` must be an object of key → value")
                }
                tables.append(MappingTable(name: name, entries: map))
            }
        }
        var calendar = WorkCalendar.standard
        if let calendarPath {
            do { calendar = try WorkCalendar(json: try readJSON(calendarPath)) } catch let error as WorkCalendarError {
                throw RuleToolError("\(calendarPath): \(error.message)")
            } catch {
                throw error as? RuleToolError ?? RuleToolError("\(calendarPath): \(error)")
            }
        }
        return RuleToolEnvironment(registry: .domain(mappings: tables, calendar: calendar))
    }

    static func readJSON(_ path: String) throws(RuleToolError) -> RuleValue {
        guard let data = FileManager.default.contents(atPath: path) else { throw RuleToolError("cannot read \(path)") }
        do {
            return try RuleValue(json: String(decoding: data, as: UTF8.self))
        } catch {
            throw RuleToolError("\(path): \(error)")
        }
    }
}

/// A `salesctl rules` failure a person can act on.
public struct RuleToolError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
