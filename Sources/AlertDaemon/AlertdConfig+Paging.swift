import AlertConfig
import AlertCore

extension AlertdConfig {
    /// What the engine needs of `policies`, `receivers` and `business_hours`.
    var pagingPolicy: PagingPolicy {
        var policies: [Severity: Policy] = [:]
        for severity in Severity.allCases { policies[severity] = policy(for: severity) }
        return PagingPolicy(
            policies: policies,
            channelCounts: receivers.mapValues(\.channels.count),
            fallbacks: receivers.compactMapValues(\.fallback),
            retries: receivers.mapValues {
                RetryPolicy(base: $0.retryInterval, maximum: max($0.retryMax, $0.retryInterval), giveUpAfter: $0.giveUpAfter)
            },
            businessHours: businessHours)
    }
}
