import Foundation
import RulesEngine
import SalesModel
import Testing

/// The domain operators registered from Swift (issue 3, item 3).
@Suite struct DomainOperatorTests {
    static let peoplesSquare = "{\"lat\": 31.2304, \"lng\": 121.4737, \"radius_m\": 5000}"
    static let westLake = "[[30.20, 120.10], [30.20, 120.20], [30.30, 120.20], [30.30, 120.10]]"

    func within(_ point: RuleValue, _ area: String) throws -> RuleValue {
        try evaluate("{\"geo_within\": [{\"var\": \"p\"}, \(area)]}", ["p": point])
    }

    @Test func geofenceCircle() throws {
        #expect(try within(["lat": 31.2400, "lng": 121.4900], Self.peoplesSquare) == true)  // the Bund, about 2 km
        #expect(try within(["lat": 31.1443, "lng": 121.8083], Self.peoplesSquare) == false)  // Pudong airport, about 33 km
        #expect(try within([31.2304, 121.4737], Self.peoplesSquare) == true)
        #expect(try within(nil, Self.peoplesSquare) == false)
        let shanghai = try #require(GeoPoint(latitude: 31.2304, longitude: 121.4737))
        let beijing = try #require(GeoPoint(latitude: 39.9042, longitude: 116.4074))
        #expect(abs(GeoFence.distance(shanghai, beijing) - 1_067_000) < 3_000)
    }

    @Test func geofencePolygon() throws {
        #expect(try within(["lat": 30.25, "lng": 120.15], Self.westLake) == true)
        #expect(try within(["lat": 30.35, "lng": 120.15], Self.westLake) == false)
        // An L-shaped fence: the notch is outside.
        let ell = "[[0, 0], [0, 2], [1, 2], [1, 1], [2, 1], [2, 0]]"
        #expect(try within(["lat": 0.5, "lng": 1.5], ell) == true)
        #expect(try within(["lat": 1.5, "lng": 0.5], ell) == true)
        #expect(try within(["lat": 1.5, "lng": 1.5], ell) == false)
    }

    @Test func geofencesThatCannotBeAreRefusedAtSave() {
        let compiler = RuleCompiler(registry: .domain())
        #expect(
            compiler.check(json: "{\"geo_within\": [{\"var\": \"p\"}, [[1, 2], [3, 4]]]}").map(\.message)
                == ["`geo_within`: a polygon needs at least three corners [[lat, lng], …]; got 2"])
        #expect(
            compiler.check(json: "{\"geo_within\": [{\"var\": \"p\"}, {\"lat\": 31, \"lng\": 121}]}").map(\.message)
                == ["`geo_within`: a circle needs \"radius_m\", a positive number of metres"])
        #expect(compiler.check(json: "{\"geo_within\": [{\"var\": \"p\"}, [[1, 2], [3, 4], [95, 0]]]}").first?.message.contains("corner 2") == true)
    }

    @Test func mappingTables() throws {
        let registry = OperatorRegistry.domain(mappings: [
            MappingTable(name: "city_group", entries: ["上海": "华东一组", "杭州": "华东二组", "深圳": ["group": "华南", "quota": 3]])
        ])
        let rule = "{\"in_mapping\": [{\"var\": \"city\"}, \"city_group\"]}"
        #expect(try evaluate(rule, ["city": "上海"], registry: registry) == "华东一组")
        #expect(try evaluate(rule, ["city": "成都"], registry: registry) == .null)
        #expect(try evaluate(rule, [:], registry: registry) == .null)
        #expect(try evaluate(rule, ["city": "深圳"], registry: registry) == ["group": "华南", "quota": 3])
        #expect(try evaluate("{\"==\": [\(rule), \"华东二组\"]}", ["city": "杭州"], registry: registry) == true)
        let problems = RuleCompiler(registry: registry).check(json: "{\"in_mapping\": [{\"var\": \"city\"}, \"city_groups\"]}")
        #expect(problems.map(\.description) == ["(rule): `in_mapping`: there is no mapping table `city_groups`; tables: city_group"])
        #expect(
            RuleCompiler(registry: registry).check(json: "{\"in_mapping\": [{\"var\": \"city\"}, {\"var\": \"t\"}]}").first?.message
                == "`in_mapping`: name the mapping table in the rule; it cannot be computed")
    }

    /// 2025: National Day and Mid-Autumn off 1–8 October; Sunday 28 September and Saturday
    /// 11 October worked instead (调休).
    static let calendar = WorkCalendar(
        timeZone: WorkCalendar.shanghai,
        periods: [WorkCalendar.Period(start: 9 * 60, end: 12 * 60)!, WorkCalendar.Period(start: 13 * 60, end: 18 * 60)!],
        holidays: Set((1...8).map { LocalDate(year: 2025, month: 10, day: $0)! }),
        makeUpWorkdays: [LocalDate("2025-09-28")!, LocalDate("2025-10-11")!])

    func hours(_ start: String, _ end: String) throws -> RuleValue {
        try evaluate(
            "{\"business_hours_between\": [{\"var\": \"a\"}, {\"var\": \"b\"}]}", ["a": .string(start), "b": .string(end)],
            registry: .domain(calendar: Self.calendar))
    }

    @Test func businessHoursSkipWeekendsHolidaysAndCountMakeUpDays() throws {
        // Friday 17:00 → Monday 10:00: one hour each side of a weekend.
        #expect(try hours("2025-09-19T17:00:00+08:00", "2025-09-22T10:00:00+08:00") == 2)
        // Tuesday 30 September 16:00 → Thursday 9 October 10:00: two hours, the holiday, one hour.
        #expect(try hours("2025-09-30T16:00:00+08:00", "2025-10-09T10:00:00+08:00") == 3)
        // Friday 10 October 17:00 → Monday 13 October 09:30 across the make-up Saturday: 1 + 8 + 0.5.
        #expect(try hours("2025-10-10T17:00:00+08:00", "2025-10-13T09:30:00+08:00") == 9.5)
        // The make-up Sunday, 28 September.
        #expect(try hours("2025-09-27T10:00:00+08:00", "2025-09-28T12:00:00+08:00") == 3)
        // UTC timestamps are read in Asia/Shanghai time: 03:00Z is 11:00 there, 06:00Z is 14:00; lunch is not work.
        #expect(try hours("2025-09-22T03:00:00Z", "2025-09-22T06:00:00Z") == 2)
        // Without an offset, times are local to the calendar.
        #expect(try hours("2025-09-22 09:00", "2025-09-22T18:00:00.000+08:00") == 8)
        #expect(try hours("2025-09-22T10:00:00+08:00", "2025-09-22T09:00:00+08:00") == -1)
    }

    @Test func businessHoursRefuseWhatIsNotATimestamp() throws {
        let compiler = RuleCompiler(registry: .domain())
        #expect(
            compiler.check(json: "{\"business_hours_between\": [\"2025-13-01\", {\"var\": \"b\"}]}").first?.message
                == "`business_hours_between`: the start \"2025-13-01\" is not an ISO-8601 timestamp")
        #expect(throws: RuleEvaluationError.self) { try hours("yesterday", "2025-09-22T09:00:00+08:00") }
        #expect(try evaluate("{\"business_hours_between\": [{\"var\": \"a\"}, null]}", ["a": "2025-09-22T09:00:00+08:00"]) == .null)
    }

    @Test func workCalendarsAreData() throws {
        let json = """
            {"time_zone": "Asia/Shanghai", "working_hours": [["09:00", "12:00"], ["13:00", "18:00"]], "weekend": [6, 7],
             "holidays": ["2025-10-01", "2025-10-02", "2025-10-03", "2025-10-06", "2025-10-07", "2025-10-08"],
             "make_up_workdays": ["2025-09-28", "2025-10-11"]}
            """
        let calendar = try WorkCalendar(json: RuleValue(json: json))
        #expect(calendar.isWorkday(LocalDate("2025-10-11")!))
        #expect(!calendar.isWorkday(LocalDate("2025-10-01")!))
        #expect(!calendar.isWorkday(LocalDate("2025-10-12")!))
        #expect(calendar.isWorkday(LocalDate("2025-10-13")!))
        #expect(LocalDate("2025-10-11")!.weekday == 6)
        func at(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }
        #expect(calendar.notWorking(at: at("2025-10-13T02:30:00Z")) == nil, "10:30 on a Monday in Shanghai")
        #expect(calendar.notWorking(at: at("2025-10-13T04:30:00Z"))?.description == "12:30 is outside working hours")
        #expect(calendar.notWorking(at: at("2025-10-01T02:30:00Z"))?.chinese == "2025-10-01 是节假日")
        #expect(calendar.notWorking(at: at("2025-10-12T02:30:00Z"))?.description == "2025-10-12 is not a workday")
        #expect(calendar.notWorking(at: at("2025-10-11T02:30:00Z")) == nil, "a make-up working Saturday")
        #expect(throws: WorkCalendarError.self) { try WorkCalendar(json: ["working_hours": [["12:00", "09:00"]]]) }
        #expect(throws: WorkCalendarError.self) { try WorkCalendar(json: ["holidays": ["2025-10-01"], "make_up_workdays": ["2025-10-01"]]) }
        #expect(throws: WorkCalendarError.self) { try WorkCalendar(json: ["time_zone": "Mars/Olympus"]) }
    }

    @Test func containsAnyIgnoresCaseAndReadsChinese() throws {
        let rule = "{\"contains_any\": [{\"var\": \"inquiry\"}, [\"mri\", \"超声\"]]}"
        #expect(try evaluate(rule, ["inquiry": "想了解CT和MRI设备的报价"]) == true)
        #expect(try evaluate(rule, ["inquiry": "彩色超声诊断仪"]) == true)
        #expect(try evaluate(rule, ["inquiry": "内窥镜耗材"]) == false)
        #expect(try evaluate(rule, [:]) == false)
        #expect(RuleCompiler(registry: .domain()).check(json: "{\"contains_any\": [{\"var\": \"inquiry\"}, []]}").count == 1)
    }

    @Test func containsAnyMatchesLatinKeywordsAsWords() throws {
        let rule = "{\"contains_any\": [{\"var\": \"inquiry\"}, [\"CT\", \"超声\", \"X光机\"]]}"
        #expect(try evaluate(rule, ["inquiry": "please contact me"]) == false, "CT inside a word is not the keyword")
        #expect(try evaluate(rule, ["inquiry": "CTs and MRIs"]) == false)
        #expect(try evaluate(rule, ["inquiry": "CT2000"]) == false, "a digit runs on, too")
        #expect(try evaluate(rule, ["inquiry": "Contact us about a ct scanner"]) == true, "a later occurrence can be the word")
        #expect(try evaluate(rule, ["inquiry": "想了解CT设备的报价"]) == true, "Chinese around a Latin keyword is a boundary")
        #expect(try evaluate(rule, ["inquiry": "ct"]) == true)
        #expect(try evaluate(rule, ["inquiry": "(CT/MRI)"]) == true)
        #expect(try evaluate(rule, ["inquiry": "彩色超声诊断仪"]) == true, "a Chinese keyword matches inside Chinese text")
        #expect(try evaluate(rule, ["inquiry": "便携式x光机两台"]) == true, "only the Latin edge of a mixed keyword is checked")
        #expect(try evaluate(rule, ["inquiry": "max光机"]) == false)
    }

    @Test func operatorNamesAreNotReused() throws {
        var registry = OperatorRegistry.domain()
        #expect(throws: OperatorRegistryError.self) { try registry.register(GeoWithinOperator()) }
        struct Doubler: RuleOperator {
            let name: String
            let signature = OperatorSignature([.init("x", .number)], result: .number)
            func evaluate(_ arguments: [RuleValue]) throws(RuleEvaluationError) -> RuleValue { .number(arguments[0].jsNumber * 2) }
        }
        #expect(throws: OperatorRegistryError.self) { try registry.register(Doubler(name: "+")) }
        try registry.register(Doubler(name: "double"))
        #expect(try evaluate("{\"double\": [21]}", registry: registry) == 42)
        registry.remove("log")
        #expect(RuleCompiler(registry: registry).check(json: "{\"log\": 1}").first?.kind == .unknownOperator)
    }
}
