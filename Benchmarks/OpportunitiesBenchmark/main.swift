// Drives the opportunities service from this separate process. AdvanceStage: deals created and
// given a visit with the decision maker, then moved through three gated stages (key action,
// feedback, requirements over their activities and their amount, history, outbox) by
// `--concurrency` callers as fast as they go. ListOpportunities: a manager pages through the
// tenant `--list-tenant`, which the script seeded with 200,000 deals in 40 teams.
// `--phase board` instead runs only the countdown board: a finance user of `--board-tenant`
// (seeded with 200,000 instalments) asks for the first page of open instalments, 4 at a time.
import BenchmarkSupport
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
import NIOPosix
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

struct Options {
    var port = 50052
    var secret = ""
    var tenant = "bench"
    var listTenant = "bench-list"
    var concurrency = 16
    var deals = 2_000
    var seconds = 10.0
    var phase = "all"
    var boardTenant = "bench-board"

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--port": port = Int(value) ?? port
            case "--secret": secret = value
            case "--tenant": tenant = value
            case "--list-tenant": listTenant = value
            case "--concurrency": concurrency = Int(value) ?? concurrency
            case "--deals": deals = Int(value) ?? deals
            case "--seconds": seconds = Double(value) ?? seconds
            case "--phase": phase = value
            case "--board-tenant": boardTenant = value
            default: FileHandle.standardError.write(Data("unknown option \(flag)\n".utf8)); exit(2)
            }
        }
    }
}

_ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
let options = Options(CommandLine.arguments)
let tokens = await TokenAuthority(secret: options.secret)
let tenant = TenantID(options.tenant)!
let rep: Metadata = [
    "authorization":
        "Bearer \(try await tokens.sign(Caller(tenant: tenant, userID: "bench.rep", roles: [.rep], orgPath: "/east/sh"), lifetime: .seconds(3600)))"
]
let admin: Metadata = [
    "authorization":
        "Bearer \(try await tokens.sign(Caller(tenant: tenant, userID: "bench.admin", roles: [.admin], orgPath: "/"), lifetime: .seconds(3600)))"
]
let manager: Metadata = [
    "authorization":
        "Bearer \(try await tokens.sign(Caller(tenant: TenantID(options.listTenant)!, userID: "bench.manager", roles: [.manager], orgPath: "/region-1"), lifetime: .seconds(3600)))"
]

/// The built-in stages, with one more requirement over a deal field on 商务谈判: rules over the
/// deal's activities (a visit; the decision maker met) and over its amount.
let pipeline = Sales_Opportunities_V1_Pipeline.with {
    $0.name = "bench"
    $0.isDefault = true
    func stage(_ key: String, _ outcome: Sales_Opportunities_V1_StageOutcome, actions: [String], requirements: [(String, String)])
        -> Sales_Opportunities_V1_PipelineStage
    {
        .with {
            $0.key = key
            $0.outcome = outcome
            $0.defaultProbability = outcome == .won ? 100 : 20
            $0.gate = .with {
                $0.keyActions = actions
                $0.feedbackRequired = !actions.isEmpty
                $0.requirements = requirements.map { id, condition in
                    .with {
                        $0.id = id
                        $0.description_p = id
                        $0.conditionJson = condition
                    }
                }
            }
        }
    }
    $0.stages = [
        stage("初步接触", .open, actions: [], requirements: []),
        stage("需求确认", .open, actions: ["电话沟通", "上门拜访"], requirements: []),
        stage("方案报价", .open, actions: ["发送方案"], requirements: [("visited", #"{">=": [{"var": "activity_counts.visit"}, 1]}"#)]),
        stage(
            "商务谈判", .open, actions: ["处理异议"],
            requirements: [
                ("decision-maker-met", #"{">=": [{"var": "signals.decision_maker_met"}, 1]}"#),
                ("sized", #"{">=": [{"var": "deal.amount"}, 1000]}"#),
            ]),
        stage("赢单", .won, actions: ["签署合同"], requirements: []),
        stage("输单", .lost, actions: [], requirements: []),
    ]
}

if options.phase == "board" {
    let finance: Metadata = [
        "authorization":
            "Bearer \(try await tokens.sign(Caller(tenant: TenantID(options.boardTenant)!, userID: "bench.cw", roles: [.finance], orgPath: "/finance"), lifetime: .seconds(3600)))"
    ]
    try await withGRPCClient(
        transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: options.port), transportSecurity: .plaintext)
    ) { client in
        let receivables = Sales_Opportunities_V1_ReceivableService.Client(wrapping: client)
        let board = Recorder()
        let started = ContinuousClock.now
        let end = started + .seconds(options.seconds)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    while ContinuousClock.now < end {
                        let t0 = ContinuousClock.now
                        do {
                            let page = try await receivables.listReceivables(
                                .with {
                                    $0.openOnly = true
                                    $0.page.pageSize = 50
                                }, metadata: finance)
                            guard page.receivables.count == 50 else { throw RPCError(code: .dataLoss, message: "a short page") }
                            await board.record((ContinuousClock.now - t0).seconds)
                        } catch { await board.fail(error) }
                    }
                }
            }
        }
        let latencies = await board.latencies
        if let first = await board.firstFailure { FileHandle.standardError.write(Data("first failure: \(first)\n".utf8)) }
        print(
            String(
                format: "boards_per_s=%.1f board_p50_ms=%.2f board_p99_ms=%.2f boards=%d failures=%d",
                Double(latencies.count) / (ContinuousClock.now - started).seconds, percentile(latencies, 0.5) * 1000,
                percentile(latencies, 0.99) * 1000, latencies.count, await board.failures))
    }
    exit(0)
}

try await withGRPCClient(
    transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: options.port), transportSecurity: .plaintext)
) { client in
    let deals = Sales_Opportunities_V1_OpportunityService.Client(wrapping: client)
    _ = try await Sales_Opportunities_V1_PipelineService.Client(wrapping: client).savePipeline(
        .with { $0.pipeline = pipeline }, metadata: admin)

    // Deals with the evidence their gates ask for, made before the clock starts.
    let ids = try await withThrowingTaskGroup(of: [String].self) { group in
        for worker in 0..<options.concurrency {
            group.addTask {
                var made: [String] = []
                for n in stride(from: worker, to: options.deals, by: options.concurrency) {
                    let deal = try await deals.createOpportunity(
                        .with {
                            $0.name = "压测商机\(n)"
                            $0.customerName = "压测客户\(n % 97)"
                            $0.amount = .with {
                                $0.minorUnits = Int64(100_000 + n) * 100
                                $0.currency = "CNY"
                            }
                            $0.expectedClose = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: 60 * 86_400))
                        }, metadata: rep)
                    _ = try await deals.recordActivity(
                        .with {
                            $0.activity = .with {
                                $0.opportunityID = deal.id
                                $0.kind = .visit
                                $0.occurredAt = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: -3_600))
                                $0.summary = "拜访设备科"
                                $0.place = "瑞金医院"
                                $0.latitude = 31.21
                                $0.longitude = 121.47
                                $0.decisionMakerMet = "王主任"
                                $0.objection = "预算"
                                $0.nextCommitment = "下周演示"
                                $0.signals = ["decision_maker_met"]
                            }
                        }, metadata: rep)
                    made.append(deal.id)
                }
                return made
            }
        }
        var all: [String] = []
        for try await made in group { all += made }
        return all
    }

    // The services consuming the seeding's events catch up before the clock starts.
    try await Task.sleep(for: .seconds(3))

    // AdvanceStage, closed loop: each caller takes deals and moves each through three gates.
    let moves: [(String, String, String)] = [("需求确认", "电话沟通", "有兴趣"), ("方案报价", "发送方案", "要报价"), ("商务谈判", "处理异议", "嫌贵")]
    let advance = Recorder()
    let cpuBefore = ProcessCPU.snapshot()
    let started = ContinuousClock.now
    let end = started + .seconds(options.seconds)
    await withTaskGroup(of: Void.self) { group in
        for worker in 0..<options.concurrency {
            group.addTask {
                for index in stride(from: worker, to: ids.count, by: options.concurrency) {
                    for (stage, action, feedback) in moves {
                        guard ContinuousClock.now < end else { return }
                        let t0 = ContinuousClock.now
                        do {
                            _ = try await deals.advanceStage(
                                .with {
                                    $0.opportunityID = ids[index]
                                    $0.toStage = stage
                                    $0.keyAction = action
                                    $0.feedback = feedback
                                }, metadata: rep)
                            await advance.record((ContinuousClock.now - t0).seconds)
                        } catch { await advance.fail(error) }
                    }
                }
            }
        }
    }
    let moveSeconds = (ContinuousClock.now - started).seconds
    let moveLatencies = await advance.latencies
    let moveCPU = ProcessCPU.snapshot().perOperation(since: cpuBefore, operations: moveLatencies.count)

    // ListOpportunities as a manager of 10 of the 40 teams, 50 a page, following the cursor.
    let list = Recorder()
    let listEnd = ContinuousClock.now + .seconds(options.seconds)
    await withTaskGroup(of: Void.self) { group in
        for _ in 0..<4 {
            group.addTask {
                var token = ""
                while ContinuousClock.now < listEnd {
                    let t0 = ContinuousClock.now
                    do {
                        let page = try await deals.listOpportunities(
                            .with {
                                $0.page = .with {
                                    $0.pageSize = 50
                                    $0.pageToken = token
                                }
                            }, metadata: manager)
                        await list.record((ContinuousClock.now - t0).seconds)
                        token = page.page.nextPageToken
                    } catch { await list.fail(error) }
                }
            }
        }
    }
    let listLatencies = await list.latencies
    let failures = await advance.failures + list.failures
    let advanceFailure = await advance.firstFailure
    let listFailure = await list.firstFailure
    if let first = advanceFailure ?? listFailure { FileHandle.standardError.write(Data("first failure: \(first)\n".utf8)) }
    print(
        String(
            format: "moves_per_s=%.1f move_p50_ms=%.2f move_p99_ms=%.2f moves=%d list_p50_ms=%.2f list_p99_ms=%.2f lists=%d failures=%d",
            Double(moveLatencies.count) / moveSeconds, percentile(moveLatencies, 0.5) * 1000, percentile(moveLatencies, 0.99) * 1000,
            moveLatencies.count, percentile(listLatencies, 0.5) * 1000, percentile(listLatencies, 0.99) * 1000, listLatencies.count,
            failures) + " " + moveCPU)
}
