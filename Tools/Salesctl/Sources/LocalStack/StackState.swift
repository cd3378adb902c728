import Foundation

/// What `salesctl up` is running, written to the data folder for `down` and `status`.
public struct StackState: Codable, Sendable {
    public var supervisorPID: Int32
    public var portBase: Int
    public var servicePIDs: [String: Int32]
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
}
