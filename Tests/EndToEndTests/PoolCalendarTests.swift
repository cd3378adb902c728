import Foundation
import GRPCCore
import RulesEngine
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

extension EndToEnd {
    /// The pool's business-day return clock on the tenant's own calendar: a declared holiday does
    /// not count as a day without follow-up, a make-up working day (调休) does. Each case beside a
    /// tenant without a calendar, whose lead of the same age goes the other way.
    @Suite struct PoolCalendarTests {
        static func day(_ back: Int) -> LocalDate { WorkCalendar.standard.localDate(of: Date().addingTimeInterval(Double(-back) * 86_400)) }

        /// Workdays after the day `back` days ago, up to and including today.
        static func workdays(_ calendar: WorkCalendar, back: Int) -> Int { (0..<back).filter { calendar.isWorkday(day($0)) }.count }

        /// Creates a lead `back` days old in a new tenant with `calendar` (nil: none of its own) and a
        /// policy returning leads after `after` business days, and sweeps; returns how many leads went
        /// back to the pool.
        func sweep(back: Int, calendar: String?, after: Int32 = 5) async throws -> Int32 {
            let (stack, database, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let tenant = TenantID("poolcal-\(UInt32.random(in: 0...UInt32.max))")!
            let admin = try await client.metadata(Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq"))
            if let calendar {
                _ = try await client.with(.gateway) { grpc in
                    try await Sales_Gateway_V1_DirectoryService.Client(wrapping: grpc).setWorkCalendar(
                        .with { $0.calendarJson = calendar }, metadata: admin)
                }
            }
            return try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                _ = try await leads.setPoolPolicy(
                    .with {
                        $0.policy = .with {
                            $0.returnAfterBusinessDays = after; $0.warnBusinessDaysBefore = 1; $0.cooldownDays = 7
                        }
                    }, metadata: admin)
                let rep = Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/east/east-sh")
                let lead = try await leads.createLead(
                    .with {
                        $0.contactName = "日历"; $0.phone = "1365" + String(format: "%07d", Int.random(in: 0..<10_000_000)); $0.channel = .api
                    }, metadata: try await client.metadata(rep)
                ).lead
                try await PoolReturnTests().age(lead.id, days: back, database: database.url(for: .leads))
                return try await leads.sweepPublicPool(.init(), metadata: admin).returned
            }
        }

        @Test func aDeclaredHolidayIsNoDayWithoutFollowUp() async throws {
            let standard = WorkCalendar.standard
            let holiday = try #require((1...7).map(Self.day).first(where: standard.isWorkday))
            var declared = standard
            declared.holidays = [holiday]
            let back = try #require((1...30).first { Self.workdays(standard, back: $0) == 5 && Self.workdays(declared, back: $0) == 4 })
            #expect(try await sweep(back: back, calendar: #"{"holidays": ["\#(holiday)"]}"#) == 0, "four business days, counting the holiday out")
            #expect(try await sweep(back: back, calendar: nil) == 1, "five without the tenant's holiday")
        }

        @Test func aMakeUpWorkingDayCounts() async throws {
            let standard = WorkCalendar.standard
            // The nearest weekend day with a working day after it, declared a working day: a lead as
            // old as that day has one business day more with the tenant's calendar than without.
            // (From a Friday the nearest weekend is five working days back, so the policy's days are
            // set from the count rather than fixed.)
            let weekend = try #require((1...14).first { !standard.isWorkday(Self.day($0)) && Self.workdays(standard, back: $0) > 0 })
            var declared = standard
            declared.makeUpWorkdays = [Self.day(weekend)]
            let back = weekend + 1
            let workdays = Int32(Self.workdays(standard, back: back))
            #expect(Self.workdays(declared, back: back) == Int(workdays) + 1)
            let calendar = #"{"make_up_workdays": ["\#(Self.day(weekend))"]}"#
            #expect(try await sweep(back: back, calendar: calendar, after: workdays + 1) == 1, "\(workdays + 1) business days with the 调休 day")
            #expect(try await sweep(back: back, calendar: nil, after: workdays + 1) == 0, "\(workdays) without it")
        }
    }
}
