// Package metrics holds ssfgraph's Prometheus metrics: GraphQL operations by
// name and outcome, their latency, open websocket connections and Neo4j query
// latency. It is served on /metrics.
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

	mu    sync.Mutex
	names map[string]struct{}
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
		names: map[string]struct{}{},
	}
	m.registry.MustRegister(m.requests, m.latency, m.websockets, m.streams, m.neo4j, m.neo4jTx,
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

func outcomeOf(err error) string {
	if err != nil {
		return "error"
	}
	return "ok"
}
