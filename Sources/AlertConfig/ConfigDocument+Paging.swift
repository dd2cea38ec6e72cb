import AlertCore
import Foundation
import Yams

/// `policies:` and `business_hours:` (SPEC §5). A policy's steps name
/// receivers; each name must be written under `receivers:` or be one of
/// `Policy.embeddedReceiverNames`, which are `log` receivers until the file
/// defines them. Severities the file leaves out keep their embedded policy.
extension ConfigDocument {
    static let policyKeys = ["ack_within", "steps", "update_every", "postmortem_within", "business_hours_only"]
    static let stepKeys = ["after", "notify"]
    static let businessHoursKeys = ["timezone", "days", "start", "end"]

    /// `policies:`, keyed by any severity spelling; two spellings of one
    /// severity (`SEV1` and `P1`) are a conflict, not an override.
    static func policies(_ reader: ConfigReader, receiverNames: Set<String>) -> [Severity: Policy] {
        guard let pairs = reader.pairs() else { return [:] }
        var policies: [Severity: Policy] = [:]
        var firstUse: [Severity: (key: String, mark: Mark?)] = [:]
        for (key, keyMark, value) in pairs {
            guard let severity = Severity(parsing: key) else {
                value.report(
                    "unknown severity \"\(key)\"; policies are keyed by SEV1, SEV2, SEV3 or SEV4 "
                        + "(P1–P4, critical, high, warning and low are accepted too)", at: keyMark)
                continue
            }
            if let earlier = firstUse[severity] {
                let line = earlier.mark.map { " (line \($0.line))" } ?? ""
                value.report(
                    "`\(key)` is \(severity), which `\(earlier.key)`\(line) already configures; "
                        + "give each severity one policy", at: keyMark)
                continue
            }
            firstUse[severity] = (key, keyMark)
            if let policy = policy(value, receiverNames: receiverNames) { policies[severity] = policy }
        }
        return policies
    }

    /// One severity's policy; nil (after reporting) when any part of it is wrong.
    static func policy(_ reader: ConfigReader, receiverNames: Set<String>) -> Policy? {
        let inAStep = "belongs in an escalation step: `steps: [{ after: 15m, notify: [oncall] }]`"
        let misplaced = ["notify": "`notify` \(inAStep)", "after": "`after` \(inAStep)"]
        guard let entry = reader.mapping(allowedKeys: policyKeys, misplacedKeys: misplaced) else { return nil }
        var valid = true
        func read<Value>(_ key: String, _ parse: (ConfigReader) -> Value?) -> Value? {
            guard let value = entry[key] else { return nil }
            let parsed = parse(value)
            valid = valid && parsed != nil
            return parsed
        }
        let ackWithin = entry.required("ack_within", example: "ack_within: 15m").flatMap { $0.duration(positive: true) }
        let steps = entry.required("steps", example: "steps: [{ notify: [oncall] }]").flatMap {
            escalationSteps($0, receiverNames: receiverNames)
        }
        let updateEvery = read("update_every") { $0.duration(positive: true) }
        let postmortemWithin = read("postmortem_within") { $0.duration(positive: true) }
        let businessHoursOnly = read("business_hours_only") { $0.bool() } ?? false
        guard valid, let ackWithin, let steps else { return nil }
        return Policy(
            ackWithin: ackWithin, steps: steps, updateEvery: updateEvery, postmortemWithin: postmortemWithin,
            businessHoursOnly: businessHoursOnly)
    }

    /// `steps:`: at least one, each `after` no earlier than the one before,
    /// since every `after` counts from when the incident reached its severity.
    static func escalationSteps(_ reader: ConfigReader, receiverNames: Set<String>) -> [EscalationStep]? {
        guard let elements = reader.list() else { return nil }
        guard !elements.isEmpty else {
            reader.report("a policy needs at least one step, e.g. `steps: [{ notify: [oncall] }]`")
            return nil
        }
        var steps: [EscalationStep] = []
        var previous: (after: TimeInterval, written: String, path: String)?
        for element in elements {
            guard let found = escalationStep(element, receiverNames: receiverNames) else { continue }
            let (step, afterReader) = found
            let written = afterReader.flatMap { $0.node.scalar?.string.trimmingWhitespace } ?? "0s"
            if let previous, step.after < previous.after {
                (afterReader ?? element).report(
                    "`after` is \(written), earlier than \(previous.path) (\(previous.written)); steps must be in "
                        + "order: each `after` counts from when the incident reached its severity, not from the step "
                        + "before")
                continue
            }
            previous = (step.after, written, element.path)
            steps.append(step)
        }
        return steps.count == elements.count ? steps : nil
    }

    /// One step, with the reader of its `after` (nil when left at 0s).
    static func escalationStep(
        _ reader: ConfigReader, receiverNames: Set<String>
    ) -> (EscalationStep, ConfigReader?)? {
        guard let entry = reader.mapping(allowedKeys: stepKeys) else { return nil }
        let notify = entry.required("notify", example: "notify: [oncall]").flatMap {
            notifiedReceivers($0, receiverNames: receiverNames)
        }
        var after: TimeInterval = 0
        if let value = entry["after"] {
            guard let parsed = value.duration() else { return nil }
            after = parsed
        }
        guard let notify else { return nil }
        return (EscalationStep(after: after, notify: notify), entry["after"])
    }

    /// `notify:`: receiver names, at least one, each defined and named once.
    static func notifiedReceivers(_ reader: ConfigReader, receiverNames: Set<String>) -> [String]? {
        guard let elements = reader.list() else { return nil }
        guard !elements.isEmpty else {
            reader.report("name at least one receiver, e.g. `notify: [oncall]`")
            return nil
        }
        var names: [String] = []
        for element in elements {
            guard let name = element.nonEmptyString() else { continue }
            guard receiverNames.contains(name) else {
                element.report(unknownReceiverMessage(name, defined: receiverNames))
                continue
            }
            guard !names.contains(name) else {
                element.report("receiver \"\(name)\" is already named in this step; name it once")
                continue
            }
            names.append(name)
        }
        return names.count == elements.count ? names : nil
    }

    static func unknownReceiverMessage(_ name: String, defined: Set<String>) -> String {
        let known = defined.sorted()
        var message = "unknown receiver \"\(name)\""
        if let guess = KeySuggester.closest(to: name, among: known) { message += "; did you mean \"\(guess)\"?" }
        return message + " (define it under `receivers:`; defined: \(known.joined(separator: ", ")))"
    }

    // MARK: Business hours

    /// `business_hours:`; each key left out keeps `BusinessHours.default`'s value.
    static func businessHours(_ reader: ConfigReader) -> BusinessHours {
        var hours = BusinessHours.default
        guard let section = reader.mapping(allowedKeys: businessHoursKeys) else { return hours }
        if let value = section["timezone"].flatMap(timeZone) { hours.timeZone = value }
        if let value = section["days"].flatMap(weekdays) { hours.days = value }
        // A start or end that is written but wrong is reported already; nil skips the order check.
        var start: Int? = hours.start
        var end: Int? = hours.end
        if let reader = section["start"] { start = timeOfDay(reader) }
        if let reader = section["end"] { end = timeOfDay(reader) }
        guard let start, let end else { return hours }
        if end <= start, let reader = section["end"] ?? section["start"] {
            reader.report(
                "`end` (\(clockTime(end))) must be later than `start` (\(clockTime(start))); "
                    + "business hours are one stretch within a day, not across midnight")
        }
        hours.start = start
        hours.end = end
        return hours
    }

    /// An IANA zone name such as `Europe/Amsterdam`, or `UTC`.
    static func timeZone(_ reader: ConfigReader) -> TimeZone? {
        guard let name = reader.scalarText(expecting: "a time zone like Europe/Amsterdam") else { return nil }
        if let zone = TimeZone(identifier: name) { return zone }
        var message = "unknown time zone \"\(name)\""
        if let guess = KeySuggester.closest(to: name, among: TimeZone.knownTimeZoneIdentifiers) {
            message += "; did you mean \(guess)?"
        } else {
            message += "; use an IANA name like Europe/Amsterdam, America/New_York or UTC"
        }
        reader.report(message)
        return nil
    }

    /// `days:`: weekday names (`mon` or `monday`), at least one, each once.
    static func weekdays(_ reader: ConfigReader) -> Set<BusinessHours.Weekday>? {
        guard let elements = reader.list() else { return nil }
        guard !elements.isEmpty else {
            reader.report("name at least one day, e.g. [mon, tue, wed, thu, fri]")
            return nil
        }
        var days: Set<BusinessHours.Weekday> = []
        var valid = true
        for element in elements {
            guard let text = element.scalarText(expecting: "a day like mon") else {
                valid = false
                continue
            }
            guard let day = BusinessHours.parseWeekday(text) else {
                element.report("unknown day \"\(text)\"; use mon, tue, wed, thu, fri, sat or sun")
                valid = false
                continue
            }
            guard days.insert(day).inserted else {
                element.report("\(day) is already listed; name each day once")
                valid = false
                continue
            }
        }
        return valid ? days : nil
    }

    /// `HH:MM` (`BusinessHours.parseTime`) as minutes after midnight; `"24:00"` is midnight at the end of the day.
    static func timeOfDay(_ reader: ConfigReader) -> Int? {
        guard let text = reader.scalarText(expecting: "a time like \"09:00\"") else { return nil }
        guard let minutes = BusinessHours.parseTime(text) else {
            reader.report(
                "\"\(text)\" is not a time of day; use 24-hour HH:MM in quotes, e.g. \"09:00\" or \"17:30\" "
                    + "(\"24:00\" for midnight at the end of the day)")
            return nil
        }
        return minutes
    }

    private static func clockTime(_ minutes: Int) -> String {
        let hour = minutes / 60, minute = minutes % 60
        return (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
    }
}
