import Foundation
import Synchronization

/// A child started with posix_spawn and reaped with waitpid. Foundation's Process can miss the
/// exit of a child that ends quickly under Swift concurrency (a zombie it never reaps), and
/// `salesctl` must know exactly when each service has exited.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    /// Set once waitpid has reaped the child; a pid must be reaped exactly once.
    private let exitStatus = Mutex<Int32?>(nil)

    /// Starts `executable` with output appended to `outputPath` and stdin from /dev/null.
    public init(executable: String, arguments: [String], environment: [String: String], outputPath: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        var result = posix_spawn(&child, executable, &actions, nil, argv, envp)
        // ETXTBSY: a program just written (an install, a rebuild) is still open for writing in some
        // process that forked meanwhile and has not exec'd yet; that lasts microseconds, or longer on a
        // loaded machine, so retry for up to two seconds.
        for _ in 0..<200 where result == ETXTBSY {
            usleep(10_000)
            result = posix_spawn(&child, executable, &actions, nil, argv, envp)
        }
        guard result == 0 else {
            throw CommandError(description: "could not start \(executable): \(String(cString: strerror(result)))")
        }
        pid = child
    }

    /// The exit status once the child has ended (128 + signal for a signalled one), else nil.
    public var status: Int32? {
        exitStatus.withLock { exitStatus in
            if let exitStatus { return exitStatus }
            var raw: Int32 = 0
            guard waitpid(pid, &raw, WNOHANG) == pid else { return nil }
            let signalled = raw & 0x7f
            exitStatus = signalled == 0 ? (raw >> 8) & 0xff : 128 + signalled
            return exitStatus
        }
    }

    public var isRunning: Bool { status == nil }

    public func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Polls until the child ends or `timeout` passes; true when it ended.
    @discardableResult
    public func wait(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Blocks the calling thread until the child ends; for short helper programs.
    public func waitBlocking() -> Int32 {
        while true {
            if let status { return status }
            usleep(5_000)
        }
    }
}
