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
    /// A tenant's work calendar is its own data in the gateway's directory, changed through the API
    /// without a restart, and the duty roster counts only in its working time: on a declared
    /// holiday, or outside its working hours, a lead nobody in the team can take waits in the pool.
    @Suite struct WorkCalendarFlowTests {
        /// Minutes past midnight in Shanghai now.
        static func minuteOfDay() -> Int {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
            let parts = calendar.dateComponents([.hour, .minute], from: Date())
            return parts.hour! * 60 + parts.minute!
        }

        /// A tenant whose team has one inactive rep and one rostered rep all day, with `calendar`
        /// declared; returns the owner and reason of a new lead routed to the team.
        func routeOneLead(calendar: String) async throws -> (owner: String, reason: String) {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("cal-\(UInt32.random(in: 0...UInt32.max))")!
            let admin = try await client.metadata(Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq"))
            let declared = try await client.with(.gateway) { grpc in
                try await Sales_Gateway_V1_DirectoryService.Client(wrapping: grpc).setWorkCalendar(
                    .with { $0.calendarJson = calendar }, metadata: admin)
            }
            #expect(declared.tenantDefined && declared.updatedBy == "admin")
            return try await client.with(.leads) { grpc in
                let desk = Sales_Leads_V1_RoutingDeskService.Client(wrapping: grpc)
                _ = try await desk.putRoutingRep(
                    .with {
                        $0.rep = .with {
                            $0.userID = "gone"; $0.teamPath = "/east/east-cal"; $0.active = false
                        }
                    }, metadata: admin)
                // Yesterday through tomorrow, all day: a run across Shanghai's midnight still has the rep on duty.
                let days = TestCalendar.days(from: -1, through: 1).map(\.day)
                _ = try await desk.setDutyRoster(
                    .with {
                        $0.teamPath = "/east/east-cal"; $0.firstDay = days.first!; $0.lastDay = days.last!
                        $0.shifts = days.map { day in
                            .with {
                                $0.userID = "duty.rep"; $0.day = day; $0.startHour = 0; $0.endHour = 24
                            }
                        }
                    }, metadata: admin)
                _ = try await Sales_Common_V1_RuleSetService.Client(wrapping: grpc).saveRuleSet(
                    .with {
                        $0.name = "lead-routing"; $0.comment = "日历"; $0.activate = true
                        $0.rules = [
                            .with {
                                $0.id = "cal"; $0.conditionJson = "true"; $0.outcomeJson = #"{"team": "/east/east-cal"}"#
                            }
                        ]
                    }, metadata: admin)
                let lead = try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).createLead(
                    .with {
                        $0.contactName = "日历"; $0.phone = "1367" + String(format: "%07d", Int.random(in: 0..<10_000_000)); $0.channel = .webForm
                    }, metadata: admin
                ).lead
                return (lead.ownerID, lead.assignmentReason)
            }
        }

        @Test func aDeclaredHolidayKeepsTheRosterOff() async throws {
            // Holidays from yesterday through tomorrow, as the roster: the run may cross Shanghai's midnight.
            let days = TestCalendar.days(from: -1, through: 1).map { "\"\($0.day)\"" }.joined(separator: ", ")
            let routed = try await routeOneLead(calendar: #"{"weekend": [], "working_hours": [["00:00", "24:00"]], "holidays": [\#(days)]}"#)
            #expect(routed.owner.isEmpty, "\(routed.reason)")
            #expect(routed.reason.contains(" is a holiday: nobody on duty"), "\(routed.reason)")
        }

        @Test func hoursThatExcludeNowKeepTheRosterOff() async throws {
            let hours = Self.minuteOfDay() < 12 * 60 ? #"[["20:00", "21:00"]]"# : #"[["06:00", "07:00"]]"#
            let routed = try await routeOneLead(calendar: #"{"weekend": [], "working_hours": \#(hours)}"#)
            #expect(routed.owner.isEmpty, "\(routed.reason)")
            #expect(routed.reason.contains("is outside working hours: nobody on duty"), "\(routed.reason)")
        }

        /// 24:00 closes the day, so a whole-day calendar holds at any minute the test runs.
        @Test func inWorkingTimeTheRosteredRepTakesIt() async throws {
            let routed = try await routeOneLead(calendar: #"{"weekend": [], "working_hours": [["00:00", "24:00"]]}"#)
            #expect(routed.owner == "duty.rep", "\(routed.reason)")
        }

        @Test func theCalendarIsReadByAnyoneAndSetByAdminsWithClearErrors() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("cal-\(UInt32.random(in: 0...UInt32.max))")!
            let rep = try await client.metadata(Caller(tenant: tenant, userID: "r", roles: [.rep], orgPath: "/east/sh"))
            let admin = try await client.metadata(Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq"))
            try await client.with(.gateway) { grpc in
                let directory = Sales_Gateway_V1_DirectoryService.Client(wrapping: grpc)
                let initial = try await directory.getWorkCalendar(.init(), metadata: rep)
                #expect(!initial.tenantDefined)
                #expect(initial.calendarJson.contains(TestCalendar.holiday), "the service's own calendar: \(initial.calendarJson)")
                let denied = await #expect(throws: RPCError.self) {
                    try await directory.setWorkCalendar(.with { $0.calendarJson = "{}" }, metadata: rep)
                }
                #expect(denied?.code == .permissionDenied)
                for (bad, says) in [
                    ("", "is required"), ("[1", "calendar_json:"), (#"{"time_zone": "Mars/Olympus"}"#, "IANA"),
                    (#"{"holidays": ["2027-01-01"], "make_up_workdays": ["2027-01-01"]}"#, "both a holiday and a make-up"),
                    (#"{"weekends": [6]}"#, "not a work calendar member"),
                ] {
                    let error = await #expect(throws: RPCError.self) {
                        try await directory.setWorkCalendar(.with { $0.calendarJson = bad }, metadata: admin)
                    }
                    #expect(
                        error?.code == .invalidArgument && error?.message.hasPrefix("calendar_json:") == true
                            && error?.message.contains(says) == true,
                        "\(error?.message ?? "")")
                }
                _ = try await directory.setWorkCalendar(
                    .with { $0.calendarJson = #"{"holidays": ["2027-02-17", "2027-02-16"], "make_up_workdays": ["2027-02-20"]}"# }, metadata: admin)
                let read = try await directory.getWorkCalendar(.init(), metadata: rep)
                #expect(read.tenantDefined)
                #expect(read.calendarJson.contains(#""holidays": ["2027-02-16", "2027-02-17"]"#), "\(read.calendarJson)")
            }
        }
    }
}
