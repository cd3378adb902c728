import Foundation
import SalesModel

/// What `salesctl up` is running, written to the data folder for `down` and `status`.
public struct StackState: Codable, Sendable {
    public var supervisorPID: Int32
    public var portBase: Int
    public var servicePIDs: [String: Int32]
    /// What the supervisor knows of each service: pid, restarts, last exit, a pending restart.
    public var services: [String: ServiceRecord]?
    /// The throwaway cluster's folder, when `up` started one.
    public var clusterDirectory: String?
    public var clusterPort: Int?

    public static func path(in dataDirectory: String) -> String { dataDirectory + "/stack.json" }

    public static func load(from dataDirectory: String) -> StackState? {
        FileManager.default.contents(atPath: path(in: dataDirectory)).flatMap { try? JSONDecoder().decode(StackState.self, from: $0) }
    }

    public func save(in dataDirectory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: Self.path(in: dataDirectory)))
    }

    public static func remove(from dataDirectory: String) {
        try? FileManager.default.removeItem(atPath: path(in: dataDirectory))
    }

    public static func isAlive(_ pid: Int32) -> Bool { pid > 0 && kill(pid, 0) == 0 }

    /// Records the stack's processes as the supervisor sees them now.
    mutating func update(from records: [ServiceName: ServiceRecord]) {
        services = Dictionary(uniqueKeysWithValues: records.map { ($0.key.rawValue, $0.value) })
        servicePIDs = services!.mapValues(\.pid)
    }
}
