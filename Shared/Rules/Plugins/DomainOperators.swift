extension OperatorRegistry {
    /// JsonLogic plus the platform's domain operators: `geo_within`, `in_mapping` over `mappings`,
    /// `business_hours_between` under `calendar` (and `namedCalendars`), `contains_any`.
    public static func domain(
        mappings: [MappingTable] = [], calendar: WorkCalendar = .standard, namedCalendars: [String: WorkCalendar] = [:]
    ) -> OperatorRegistry {
        var registry = OperatorRegistry.standard
        registry.install(GeoWithinOperator())
        registry.install(InMappingOperator(tables: mappings))
        registry.install(BusinessHoursOperator(calendar: calendar, namedCalendars: namedCalendars))
        registry.install(ContainsAnyOperator())
        return registry
    }
}
