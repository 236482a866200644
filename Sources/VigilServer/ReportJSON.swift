import Foundation
import VigilCore
import VigilJSON

/// The JSON export of a report (`vigil report --format json`), for transparency reporting.
///
/// The shape is stable: `schema` names its version, keys are never renamed or removed within a
/// version, and new keys are only added. Times are UTC ISO 8601; durations are seconds; a
/// `met_ratio` is 0…1, or `null` when no deadline was decided. The README documents every key.
public enum ReportJSON {
    public static let schema = "vigil.report/1"

    public static func document(
        _ report: KPIReport, policy: Policy, generatedAt: Date, showsRestrictedTitles: Bool
    ) -> JSONValue {
        let words = ReportText(policy: policy, now: generatedAt, showsRestrictedTitles: showsRestrictedTitles)
        return [
            "schema": .string(schema),
            "generated_at": time(generatedAt),
            "period": [
                "label": .string(report.period.label), "since": time(report.period.since), "until": time(report.period.until),
                "as_of": time(report.asOf), "time_zone": .string(policy.timeZone.identifier),
            ],
            "incidents": [
                "opened": int(report.opened), "resolved": int(report.resolved), "still_open": int(report.stillOpen),
                "opened_by_severity": counts(report.openedBySeverity), "opened_by_category": counts(report.openedByCategory),
                "resolved_by_severity": counts(report.resolvedBySeverity),
            ],
            "response_times": [
                "all": times(report.responseTimes),
                "by_severity": .object(report.responseTimesBySeverity.map { ($0.label, times($0)) }),
            ],
            "deadlines": [
                "all": compliance(report.compliance),
                "by_clock": .object(report.complianceByKind.map { ($0.label, compliance($0)) }),
                "by_severity": .object(report.complianceBySeverity.map { ($0.label, compliance($0)) }),
                "by_category": .object(report.complianceByCategory.map { ($0.label, compliance($0)) }),
                "legal": .array(report.legal.map { rule in
                    var members = [("rule", JSONValue.string(rule.label))]
                    if case let .object(figures) = compliance(rule) { members += figures }
                    return .object(members)
                }),
            ],
            "breaches": [
                "count": int(report.breachCount),
                "listed": .array(report.breaches.map { breach(words, $0) }),
            ],
            "escalations": ["count": int(report.escalations), "incidents": int(report.escalatedIncidents)],
            "backlog": [
                "still_open": int(report.stillOpen),
                "by_age": .array(report.backlog.map { ["label": .string($0.label), "count": int($0.count)] }),
                "oldest": .array(report.oldestOpen.map { incident in
                    .object(headline(words, incident) + [
                        ("open_s", seconds(report.asOf.timeIntervalSince(incident.openedAt) * 1000)),
                        ("owner", incident.owner.map { .string($0.name) } ?? .null),
                    ])
                }),
            ],
            "trend": [
                "unit": .string(report.trend.unit.rawValue),
                "buckets": .array(report.trend.starts.indices.map { index in
                    [
                        "start": time(report.trend.starts[index]),
                        "opened": int(report.trend.opened[index]),
                        "resolved": int(report.trend.resolved[index]),
                    ]
                }),
            ],
        ]
    }

    static func headline(_ words: ReportText, _ incident: IncidentHeadline) -> [(String, JSONValue)] {
        [
            ("id", .string(words.policy.displayID(incident.number))),
            ("title", incident.restricted && !words.showsRestrictedTitles ? .null : .string(incident.title)),
            ("restricted", .bool(incident.restricted)), ("severity", .string(incident.severity)),
            ("category", .string(incident.category)), ("state", .string(incident.state.rawValue)),
            ("opened_at", time(incident.openedAt)),
        ]
    }

    static func breach(_ words: ReportText, _ breach: BreachRecord) -> JSONValue {
        .object(headline(words, breach.incident) + [
            ("clock", .string(breach.clock)), ("kind", .string(breach.kind.rawValue)), ("rule", breach.rule.map(JSONValue.string) ?? .null),
            ("due_at", time(breach.dueAt)), ("stopped_at", breach.stoppedAt.map(time) ?? .null), ("alerts", int(breach.alertsSent)),
        ])
    }

    static func counts(_ counts: [KPIReport.LabelledCount]) -> JSONValue {
        .object(counts.map { ($0.label, int($0.count)) })
    }

    static func times(_ times: KPIReport.ResponseTimes) -> JSONValue {
        ["time_to_acknowledge": stats(times.acknowledge), "time_to_resolve": stats(times.resolve)]
    }

    static func stats(_ stats: DurationStats?) -> JSONValue {
        guard let stats else { return .null }
        return [
            "count": int(stats.count), "median_s": seconds(stats.medianMilliseconds), "p90_s": seconds(stats.p90Milliseconds),
            "mean_s": seconds(stats.meanMilliseconds),
        ]
    }

    static func compliance(_ row: ComplianceRow) -> JSONValue {
        ["met": int(row.met), "breached": int(row.breached), "met_ratio": row.rate.map { .double(($0 * 10_000).rounded() / 10_000) } ?? .null]
    }

    static func int(_ value: Int) -> JSONValue { .int(Int64(value)) }

    /// Seconds to the millisecond.
    static func seconds(_ milliseconds: Double) -> JSONValue { .double((milliseconds).rounded() / 1000) }

    static func time(_ date: Date) -> JSONValue {
        .string(ISOTimestamp.string(date))
    }
}
