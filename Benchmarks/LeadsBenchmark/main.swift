import BenchmarkSupport
// Drives CreateLead on a running leads service from this separate process: first as fast as
// `--concurrency` callers go (the maximum rate), then open-loop at half that rate, where latency
// is measured from each request's scheduled time (no coordinated omission).
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
import NIOPosix
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import Synchronization

struct Options {
    var port = 50051
    var secret = ""
    var tenant = "bench"
    var concurrency = 16
    var seconds = 10.0
    var rules = 50

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--port": port = Int(value) ?? port
            case "--secret": secret = value
            case "--tenant": tenant = value
            case "--concurrency": concurrency = Int(value) ?? concurrency
            case "--seconds": seconds = Double(value) ?? seconds
            case "--rules": rules = Int(value) ?? rules
            default: FileHandle.standardError.write(Data("unknown option \(flag)\n".utf8)); exit(2)
            }
        }
    }
}

// The client's tasks run on the event loops its HTTP/2 connection uses, as the services' do: the
// load generator shares the machine with what it measures, so it should spend as little as it can.
_ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
let options = Options(CommandLine.arguments)
let processID = Int(ProcessInfo.processInfo.processIdentifier)
let cities = ["上海", "杭州", "宁波", "广州", "深圳", "北京", "天津", "苏州", "南京", "成都"]
let caller = Caller(tenant: TenantID(options.tenant)!, userID: "bench.rep", roles: [.rep], orgPath: "/east/sh")
let token = try await TokenAuthority(secret: options.secret).sign(caller, lifetime: .seconds(3600))
let counter = Counter()

final class Counter: Sendable {
    private let value = Mutex<Int>(0)
    func next() -> Int {
        value.withLock {
            $0 += 1; return $0
        }
    }
}

func createLead(_ leads: Sales_Leads_V1_LeadService.Client<HTTP2ClientTransport.Posix>) async throws {
    let n = counter.next()
    var metadata: Metadata = ["authorization": "Bearer \(token)"]
    metadata.addString("bench-\(processID)-\(n)", forKey: "idempotency-key")
    _ = try await leads.createLead(
        .with {
            $0.contactName = "压测客户\(n)"
            let digits = String((n * 7919 + processID) % 1_000_000_000)
            $0.phone = "19" + String(repeating: "0", count: 9 - digits.count) + digits
            $0.channel = .api
            $0.city = cities[n % cities.count]
            $0.inquiry = n % 3 == 0 ? "询价：腔镜手术系统" : "产品咨询"
        }, metadata: metadata)
}

try await withGRPCClient(
    transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: options.port), transportSecurity: .plaintext)
) { client in
    let leads = Sales_Leads_V1_LeadService.Client(wrapping: client)
    // The routing every lead goes through: `--rules` rules of five conditions each, none of which
    // matches before the last, so each lead is evaluated against all of them.
    let admin = try await TokenAuthority(secret: options.secret).sign(
        Caller(tenant: caller.tenant, userID: "bench.admin", roles: [.admin], orgPath: "/hq"))
    let routing: [Sales_Common_V1_RuleDefinition] = (0..<options.rules).map { index in
        .with {
            $0.id = "rule-\(index)"
            $0.conditionJson = """
                {"and": [{"in": [{"var": "city"}, ["城市\(index)", "杭州", "宁波"]]},
                         {"or": [{"==": [{"var": "channel"}, "douyin"]}, {">=": [{"var": "budget"}, \(1000 + index)]}]},
                         {"!": {"in": [{"var": "industry"}, ["烟草", "博彩"]]}},
                         {"<=": [10, {"var": "employee_count"}, 5000]},
                         {"some": [{"var": "tags"}, {"in": [{"var": ""}, ["医疗", "高端"]]}]}]}
                """
            $0.outcomeJson = #"{"org_path": "/east/east-hz"}"#
        }
    }
    _ = try await Sales_Common_V1_RuleSetService.Client(wrapping: client).saveRuleSet(
        .with {
            $0.name = "lead-routing"; $0.comment = "benchmark: \(options.rules) rules"; $0.activate = true; $0.rules = routing
        }, metadata: ["authorization": "Bearer \(admin)"])
    for _ in 0..<50 { try await createLead(leads) }  // warm-up

    // Phase 1: closed loop, the maximum rate.
    let closed = Recorder()
    let cpuBefore = ProcessCPU.snapshot()
    let end = ContinuousClock.now + .seconds(options.seconds)
    let started = ContinuousClock.now
    await withTaskGroup(of: Void.self) { group in
        for _ in 0..<options.concurrency {
            group.addTask {
                while ContinuousClock.now < end {
                    let t0 = ContinuousClock.now
                    do {
                        try await createLead(leads)
                        let elapsed = ContinuousClock.now - t0
                        await closed.record(Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds))
                    } catch { await closed.fail(error) }
                }
            }
        }
    }
    let wall = ContinuousClock.now - started
    let cpu = ProcessCPU.snapshot().perOperation(since: cpuBefore, operations: await closed.latencies.count)
    let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
    let maxLatencies = await closed.latencies
    let maxRate = Double(maxLatencies.count) / wallSeconds

    // Phase 2: open loop at half the maximum rate.
    let open = Recorder()
    let rate = maxRate / 2
    let total = Int(rate * options.seconds)
    let interval = 1.0 / rate
    let origin = ContinuousClock.now
    await withTaskGroup(of: Void.self) { group in
        for i in 0..<total {
            let scheduled = origin + .seconds(Double(i) * interval)
            if scheduled > ContinuousClock.now { try? await Task.sleep(until: scheduled, clock: .continuous) }
            group.addTask {
                do {
                    try await createLead(leads)
                    let elapsed = ContinuousClock.now - scheduled
                    await open.record(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                } catch { await open.fail(error) }
            }
        }
    }
    let halfLatencies = await open.latencies
    let failures = await closed.failures + open.failures
    print(
        String(
            format: "max_rate_leads_per_s=%.1f max_p50_ms=%.2f max_p99_ms=%.2f half_rate=%.1f half_p50_ms=%.2f half_p99_ms=%.2f failures=%d",
            maxRate, percentile(maxLatencies, 0.5) * 1000, percentile(maxLatencies, 0.99) * 1000,
            rate, percentile(halfLatencies, 0.5) * 1000, percentile(halfLatencies, 0.99) * 1000, failures) + " " + cpu)
}
