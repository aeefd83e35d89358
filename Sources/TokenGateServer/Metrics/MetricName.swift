import Prometheus

extension MetricNameDescriptor {
    /// `tokengate_<name>[_<unit>]`, with its help text.
    static func tokengate(_ name: String, unit: String = "", help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "tokengate", metricName: name, unitName: unit, helpText: help)
    }
}
