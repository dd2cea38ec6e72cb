/// The flat settings sections: `limits`, `incidents`, `storage`, `control`,
/// `log`. Each starts from the defaults in `AlertdConfig.swift` and
/// overrides what the file sets.
extension ConfigDocument {
    static func limits(_ reader: ConfigReader) -> Limits {
        var limits = Limits()
        guard
            let section = reader.mapping(allowedKeys: [
                "max_frame", "max_body", "max_connections", "idle_timeout", "header_timeout", "read_timeout",
                "max_queued",
            ])
        else { return limits }
        if let value = section["max_frame"]?.byteSize() { limits.maxFrame = value }
        if let value = section["max_body"]?.byteSize() { limits.maxBody = value }
        if let value = section["max_connections"]?.int(atLeast: 1) { limits.maxConnections = value }
        if let value = section["idle_timeout"]?.duration(positive: true) { limits.idleTimeout = value }
        if let value = section["max_queued"]?.int(atLeast: 1) { limits.maxQueued = value }
        if let value = section["header_timeout"]?.duration(positive: true) { limits.headerTimeout = value }
        if let value = section["read_timeout"]?.duration(positive: true) { limits.readTimeout = value }
        return limits
    }

    static func incidents(_ reader: ConfigReader) -> IncidentsConfig {
        var incidents = IncidentsConfig()
        guard
            let section = reader.mapping(allowedKeys: ["auto_resolve", "reopen_within", "flap", "storm"])
        else { return incidents }
        if let value = section["auto_resolve"]?.bool() { incidents.autoResolve = value }
        if let value = section["reopen_within"]?.duration() { incidents.reopenWithin = value }
        if let flap = section["flap"]?.mapping(allowedKeys: ["max_changes", "window"]) {
            if let value = flap["max_changes"]?.int(atLeast: 1) { incidents.flapMaxChanges = value }
            if let value = flap["window"]?.duration(positive: true) { incidents.flapWindow = value }
        }
        if let storm = section["storm"]?.mapping(allowedKeys: ["max_new_incidents", "window"]) {
            if let value = storm["max_new_incidents"]?.int(atLeast: 1) { incidents.stormMaxNewIncidents = value }
            if let value = storm["window"]?.duration(positive: true) { incidents.stormWindow = value }
        }
        return incidents
    }

    static func storage(_ reader: ConfigReader) -> StorageConfig {
        var storage = StorageConfig()
        guard let section = reader.mapping(allowedKeys: ["sqlite", "resident_incidents"], unsupportedKeys: ["postgres"]) else {
            return storage
        }
        if let value = section["sqlite"]?.path() { storage.sqlitePath = value }
        if let value = section["resident_incidents"]?.int(atLeast: 0) { storage.residentIncidents = value }
        return storage
    }

    static func control(_ reader: ConfigReader) -> ControlConfig {
        var control = ControlConfig()
        guard let section = reader.mapping(allowedKeys: ["socket", "mode"]) else { return control }
        if let value = section["socket"]?.path(isSocket: true) { control.socketPath = value }
        if let value = section["mode"]?.fileMode() { control.mode = value }
        return control
    }

    static func log(_ reader: ConfigReader) -> LogConfig {
        var log = LogConfig()
        guard let section = reader.mapping(allowedKeys: ["level", "target"]) else { return log }
        if let value = section["level"]?.oneOf(LogConfig.Level.self) { log.level = value }
        if let value = section["target"]?.oneOf(LogConfig.Target.self) { log.target = value }
        return log
    }
}
