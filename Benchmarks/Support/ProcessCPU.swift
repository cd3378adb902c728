import Foundation

/// CPU time spent by every process on this machine, by command name, read from /proc. Two
/// snapshots around a phase say where the machine's CPU went during it (the benchmark driver, the
/// service, its Postgres backends, the services consuming its events): on a shared two-core box
/// that, more than any latency, explains a rate.
public struct ProcessCPU: Sendable {
    /// Seconds of user and system time by command name.
    public let seconds: [String: Double]

    public static func snapshot() -> ProcessCPU {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var seconds: [String: Double] = [:]
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { $0.allSatisfy(\.isNumber) } ?? []
        for pid in pids {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
            else { continue }
            // After the command come the line's 3rd field (state) onwards: utime is the 14th, stime the 15th.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
            seconds[String(stat[stat.index(after: open)..<close]), default: 0] += (user + system) / ticks
        }
        return ProcessCPU(seconds: seconds)
    }

    /// Milliseconds of CPU per operation by command since `earlier`, the largest first, as
    /// `cpu_ms_per_op_postgres=1.20 ...` (commands under 2% of the total are summed as `other`).
    public func perOperation(since earlier: ProcessCPU, operations: Int) -> String {
        let spent = seconds.map { ($0.key, $0.value - (earlier.seconds[$0.key] ?? 0)) }.filter { $0.1 > 0 }
        let total = spent.map(\.1).reduce(0, +)
        guard operations > 0, total > 0 else { return "" }
        var parts = spent.filter { $0.1 >= total * 0.02 }.sorted { $0.1 > $1.1 }
        parts.append(("other", spent.filter { $0.1 < total * 0.02 }.map(\.1).reduce(0, +)))
        let name = { (command: String) in command.map { $0.isLetter || $0.isNumber ? $0 : "_" } }
        return (parts + [("total", total)]).map {
            String(format: "cpu_ms_per_op_%@=%.2f", String(name($0.0)), $0.1 * 1000 / Double(operations))
        }.joined(separator: " ")
    }
}
