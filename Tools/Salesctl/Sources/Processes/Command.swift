import Foundation

/// Runs a helper program to completion and returns what it printed; fails with its output.
public struct CommandError: Error, CustomStringConvertible {
    public let description: String
}

public enum Command {
    /// Runs `executable` with `arguments`; as `user` through runuser when given (we are root).
    @discardableResult
    public static func run(
        _ executable: String, _ arguments: [String], as user: String? = nil, environment: [String: String]? = nil
    ) throws -> String {
        let (program, argv) = user.map { ("/usr/sbin/runuser", ["-u", $0, "--", executable] + arguments) } ?? (executable, arguments)
        let outputPath = NSTemporaryDirectory() + "salesctl-\(UUID().uuidString).out"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let child = try ChildProcess(
            executable: program, arguments: argv, environment: environment ?? ProcessInfo.processInfo.environment,
            outputPath: outputPath)
        let status = child.waitBlocking()
        let text = String(decoding: FileManager.default.contents(atPath: outputPath) ?? Data(), as: UTF8.self)
        guard status == 0 else {
            let name = (executable as NSString).lastPathComponent
            throw CommandError(description: "\(name) \(arguments.joined(separator: " ")) failed (exit \(status)):\n\(text)")
        }
        return text
    }

    /// The first of `names` found on PATH or in the extra directories.
    public static func find(_ name: String, in extra: [String] = []) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        for directory in extra + path {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
