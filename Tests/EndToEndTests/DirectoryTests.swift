import Foundation
import GRPCCore
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

extension EndToEnd {
    /// The gateway's org directory and its dev sign-in.
    @Suite struct DirectoryTests {
        @Test func adminBuildsTheOrgAndItsPeopleSignIn() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let suffix = String(UInt16.random(in: 0...UInt16.max))
            try await client.with(.gateway) { grpc in
                let directory = Sales_Gateway_V1_DirectoryService.Client(wrapping: grpc)
                let admin = try await client.metadata(People.admin)
                let region = try await directory.createTeam(
                    .with {
                        $0.id = "south-\(suffix)"; $0.name = "华南大区"
                    }, metadata: admin)
                let team = try await directory.createTeam(
                    .with {
                        $0.id = "gz-\(suffix)"; $0.name = "广州组"; $0.parentID = region.id
                    }, metadata: admin)
                #expect(team.orgPath == "/south-\(suffix)/gz-\(suffix)")
                _ = try await directory.createUser(
                    .with {
                        $0.id = "chen.jing.\(suffix)"; $0.displayName = "陈静"; $0.teamID = region.id; $0.roles = [.manager]
                    }, metadata: admin)
                _ = try await directory.createUser(
                    .with {
                        $0.id = "huang.min.\(suffix)"; $0.displayName = "黄敏"; $0.teamID = team.id; $0.roles = [.rep]
                    }, metadata: admin)
                _ = try await directory.setTeamManager(
                    .with {
                        $0.teamID = region.id; $0.managerID = "chen.jing.\(suffix)"
                    }, metadata: admin)
                let members = try await directory.listUsers(.with { $0.teamID = region.id }, metadata: admin).users.map(\.id)
                #expect(Set(members) == ["chen.jing.\(suffix)", "huang.min.\(suffix)"])

                // Dev sign-in: the token carries the directory's roles and org path.
                let issued = try await directory.issueToken(
                    .with {
                        $0.tenantID = People.tenant.rawValue; $0.userID = "huang.min.\(suffix)"
                    })
                let caller = try await tokens.verify(issued.token)
                #expect(caller.orgPath == team.orgPath)
                #expect(caller.roles == [.rep])

                // Bad input and permissions.
                let duplicate = await #expect(throws: RPCError.self) {
                    try await directory.createTeam(
                        .with {
                            $0.id = "south-\(suffix)"; $0.name = "again"
                        }, metadata: admin)
                }
                #expect(duplicate?.code == .alreadyExists)
                let badID = await #expect(throws: RPCError.self) {
                    try await directory.createTeam(
                        .with {
                            $0.id = "Bad Team!"; $0.name = "x"
                        }, metadata: admin)
                }
                #expect(badID?.code == .invalidArgument)
                #expect(badID?.message.hasPrefix("id:") == true)
                let orphan = await #expect(throws: RPCError.self) {
                    try await directory.createUser(
                        .with {
                            $0.id = "x.y"; $0.displayName = "X"; $0.teamID = "nope"; $0.roles = [.rep]
                        }, metadata: admin)
                }
                #expect(orphan?.message.hasPrefix("team_id:") == true)
                let notAdmin = await #expect(throws: RPCError.self) {
                    try await directory.createTeam(
                        .with {
                            $0.id = "rogue"; $0.name = "x"
                        }, metadata: try await client.metadata(People.rep))
                }
                #expect(notAdmin?.code == .permissionDenied)
                let unknownUser = await #expect(throws: RPCError.self) {
                    try await directory.issueToken(
                        .with {
                            $0.tenantID = People.tenant.rawValue; $0.userID = "nobody"
                        })
                }
                #expect(unknownUser?.code == .notFound)
            }
        }
    }
}
