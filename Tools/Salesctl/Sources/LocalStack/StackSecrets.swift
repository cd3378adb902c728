import Foundation
import SalesModel
import ServiceKit

/// The local stack's generated secrets, kept in the data folder (mode 0600) so that a second
/// `up` and `salesctl token` use the same ones.
public struct StackSecrets: Codable, Sendable {
    public var jwtSecret: String
    public var postgresPassword: String
    public var servicePasswords: [String: String]

    public static func loadOrCreate(in dataDirectory: String) throws -> StackSecrets {
        let path = dataDirectory + "/secrets.json"
        if let data = FileManager.default.contents(atPath: path) {
            return try JSONDecoder().decode(StackSecrets.self, from: data)
        }
        let secrets = StackSecrets(
            jwtSecret: randomHex(32), postgresPassword: randomHex(16),
            servicePasswords: Dictionary(uniqueKeysWithValues: ServiceName.allCases.map { ($0.rawValue, randomHex(16)) }))
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        try JSONEncoder().encode(secrets).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o600)
        return secrets
    }

    public static func load(from dataDirectory: String) -> StackSecrets? {
        FileManager.default.contents(atPath: dataDirectory + "/secrets.json").flatMap { try? JSONDecoder().decode(StackSecrets.self, from: $0) }
    }

    public var passwords: [ServiceName: String] {
        Dictionary(uniqueKeysWithValues: ServiceName.allCases.map { ($0, servicePasswords[$0.rawValue] ?? "") })
    }

    static func randomHex(_ bytes: Int) -> String {
        (0..<bytes).map { _ in UInt8.random(in: 0...255) }.hexEncoded
    }
}
