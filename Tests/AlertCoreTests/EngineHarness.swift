import Foundation

@testable import AlertCore

/// Runs alerts through the real classifier and fingerprint into an engine,
/// on a clock the test moves by hand.
struct EngineHarness {
    var engine: IncidentEngine
    var classifier: Classifier
    let clock = ManualWallClock(testEpoch)

    init(settings: IncidentSettings = IncidentSettings(), rules: [Rule] = [], engine: IncidentEngine? = nil) {
        self.engine = engine ?? IncidentEngine(settings: settings)
        self.classifier = Classifier(rules: rules)
    }

    var now: Date { clock.now() }

    @discardableResult
    mutating func send(_ alert: Alert) -> Fate {
        var alert = alert
        let fingerprint = Fingerprint.of(alert)
        let classification = classifier.classify(&alert)
        return engine.ingest(alert, fingerprint: fingerprint, classification: classification, now: clock.now())
    }

    mutating func take() -> ChangeSet { engine.takeChanges(now: clock.now()) }

    func advance(minutes: Double) { clock.advance(by: minutes * 60) }
}

extension Alert {
    var resolved: Alert {
        var copy = self
        copy.status = .resolved
        return copy
    }

    func with(severity: Severity?) -> Alert {
        var copy = self
        copy.severity = severity
        return copy
    }
}
