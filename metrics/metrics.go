// Package metrics holds ssfgraph's Prometheus metrics: GraphQL operations by
// name and outcome, their latency, open websocket connections and Neo4j query
// latency, and the changes bus shared by replicas (events published, lost,
// applied, their lag and the connection's state). It is served on /metrics.
package metrics

import (
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// maxOperationNames caps the distinct operation names kept as label values,
// so that clients cannot grow the metric set without bound. Later names are
// counted as "other".
const maxOperationNames = 200

// operationName is what a client-chosen operation name must look like to be
// kept as a label value (GraphQL's Name production, bounded in length).
var operationName = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]{0,63}$`)

// Metrics is the set of ssfgraph's metrics, in a registry of its own.
// Its methods are safe for concurrent use; a nil *Metrics records nothing.
type Metrics struct {
	registry   *prometheus.Registry
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	websockets prometheus.Gauge
	streams    prometheus.Gauge
	neo4j      *prometheus.HistogramVec
	neo4jTx    *prometheus.HistogramVec
	events     *prometheus.CounterVec

	busPublished *prometheus.CounterVec
	busApplied   prometheus.Counter
	busLag       prometheus.Histogram
	busConnected prometheus.Gauge

	mu    sync.Mutex
	names map[string]struct{}
	bus   sync.Once // registers the bus metrics
}

// New returns a Metrics with every metric registered, plus the Go runtime and
// process collectors.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ssfgraph_graphql_requests_total",
			Help: "GraphQL operations handled, by operation name, type and outcome (ok or the error code).",
		}, []string{"operation", "type", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ssfgraph_graphql_request_duration_seconds",
			Help:    "Time to answer a GraphQL query or mutation, by operation name and type.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12),
		}, []string{"operation", "type"}),
		websockets: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ssfgraph_websocket_connections_open",
			Help: "Websocket connections open now.",
		}),
		streams: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ssfgraph_http_streams_open",
			Help: "Streamed HTTP answers (Server-Sent Events and multipart subscriptions) open now.",
		}),
		neo4j: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ssfgraph_neo4j_query_duration_seconds",
			Help:    "Time of each call to Neo4j, by store operation and outcome.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 12),
		}, []string{"op", "outcome"}),
		neo4jTx: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ssfgraph_neo4j_transaction_duration_seconds",
			Help:    "Time of each Neo4j transaction (its statements, retries and commit), by store operation and outcome.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 12),
		}, []string{"op", "outcome"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ssfgraph_subscription_events_total",
			Help: "comparisonUpdated events sent to subscribers, by answer: executed (the selection ran for this subscriber) or shared (the answer of a subscriber who asked the same of the same event).",
		}, []string{"answer"}),
		busPublished: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ssfgraph_bus_events_published_total",
			Help: "Change events this process published on the changes bus, by outcome: ok (handed to NATS; with a stream, then acknowledged unless an error follows), error (NATS or the stream refused it), dropped (the publish queue was full or the bus closed). Every event not ok is lost to the other replicas.",
		}, []string{"outcome"}),
		busApplied: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ssfgraph_bus_events_applied_total",
			Help: "Change events of other processes that this process applied from the changes bus.",
		}),
		busLag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "ssfgraph_bus_event_lag_seconds",
			Help:    "Time from another process publishing a change event to this process having applied it (comparisons queued for recomputation, caches dropped), by the two processes' clocks.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 14),
		}),
		busConnected: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ssfgraph_bus_connected",
			Help: "1 while the changes bus's NATS connection is up, 0 while it is lost (events published meanwhile may be lost); absent without --bus.",
		}),
		names: map[string]struct{}{},
	}
	m.registry.MustRegister(m.requests, m.latency, m.websockets, m.streams, m.neo4j, m.neo4jTx, m.events,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// ObserveOperation records one GraphQL operation. outcome is "ok" or an error
// code; d is ignored for subscriptions, whose life has no useful latency.
func (m *Metrics) ObserveOperation(name, opType, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	name = m.label(name)
	m.requests.WithLabelValues(name, opType, outcome).Inc()
	if opType != "subscription" {
		m.latency.WithLabelValues(name, opType).Observe(d.Seconds())
	}
}

// label returns the label value for a client-chosen operation name.
func (m *Metrics) label(name string) string {
	if name == "" {
		return "anonymous"
	}
	if !operationName.MatchString(name) {
		return "other"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.names[name]; ok {
		return name
	}
	if len(m.names) >= maxOperationNames {
		return "other"
	}
	m.names[name] = struct{}{}
	return name
}

// WebsocketOpened counts a websocket connection that was accepted.
func (m *Metrics) WebsocketOpened() {
	if m != nil {
		m.websockets.Inc()
	}
}

// WebsocketClosed counts a websocket connection that ended.
func (m *Metrics) WebsocketClosed() {
	if m != nil {
		m.websockets.Dec()
	}
}

// StreamOpened counts a streamed HTTP answer (SSE or multipart) that began.
func (m *Metrics) StreamOpened() {
	if m != nil {
		m.streams.Inc()
	}
}

// StreamClosed counts a streamed HTTP answer that ended.
func (m *Metrics) StreamClosed() {
	if m != nil {
		m.streams.Dec()
	}
}

// ObserveQuery records the latency of one statement sent to Neo4j; it
// implements graph/neo4j's QueryObserver.
func (m *Metrics) ObserveQuery(op string, d time.Duration, err error) {
	if m != nil {
		m.neo4j.WithLabelValues(op, outcomeOf(err)).Observe(d.Seconds())
	}
}

// ObserveTransaction records the latency of one Neo4j transaction; it
// implements graph/neo4j's TransactionObserver.
func (m *Metrics) ObserveTransaction(op string, d time.Duration, err error) {
	if m != nil {
		m.neo4jTx.WithLabelValues(op, outcomeOf(err)).Observe(d.Seconds())
	}
}

// BusEnabled adds the changes bus metrics to those served, once: they
// appear only in a process with a bus, so that no gauge says
// "disconnected" where there is no bus at all.
func (m *Metrics) BusEnabled() {
	if m != nil {
		m.bus.Do(func() { m.registry.MustRegister(m.busPublished, m.busApplied, m.busLag, m.busConnected) })
	}
}

// BusPublished counts one event published on the changes bus: outcome is
// "ok", "error" or "dropped". It implements natsbus.Observer.
func (m *Metrics) BusPublished(outcome string) {
	if m != nil {
		m.busPublished.WithLabelValues(outcome).Inc()
	}
}

// BusConnection records the state of the changes bus's connection. It
// implements natsbus.Observer.
func (m *Metrics) BusConnection(up bool) {
	if m == nil {
		return
	}
	if up {
		m.busConnected.Set(1)
	} else {
		m.busConnected.Set(0)
	}
}

// SubscriptionEvent counts one comparisonUpdated event sent, its answer
// shared with another subscriber's or executed for this one.
func (m *Metrics) SubscriptionEvent(shared bool) {
	if m == nil {
		return
	}
	answer := "executed"
	if shared {
		answer = "shared"
	}
	m.events.WithLabelValues(answer).Inc()
}

// BusApplied counts one change event of another process applied now, and
// its lag from published (the zero time, from a writer that does not say
// when it published, counts without a lag).
func (m *Metrics) BusApplied(published time.Time) {
	if m == nil {
		return
	}
	m.busApplied.Inc()
	if !published.IsZero() {
		m.busLag.Observe(max(time.Since(published).Seconds(), 0))
	}
}

func outcomeOf(err error) string {
	if err != nil {
		return "error"
	}
	return "ok"
}
