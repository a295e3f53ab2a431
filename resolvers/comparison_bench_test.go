package resolvers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/broker"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/internal/wsclient"
	"github.com/ssfgraph/ssfgraph/live"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// cmpTripCounter counts Neo4j round trips (graph/neo4j's QueryObserver).
type cmpTripCounter struct{ n atomic.Int64 }

func (c *cmpTripCounter) ObserveQuery(string, time.Duration, error) { c.n.Add(1) }

// BenchmarkCompareAnalyses compares 10 analyses × 1,000 incidents through
// GraphQL over HTTP and reports the Cypher round trips per comparison. The
// uncached cases are the cold figure: the comparison cache is empty on
// every request (the snapshot is read from Neo4j and compared anew).
// split times, in each iteration, a cold summary request (cold-ms) and
// its parts: the read alone (store-ms: Neo4j, the driver's decoding and
// ours; BenchmarkTargetAnalyses in graph/neo4j splits it further), the
// statistics alone (compare-ms), and a request with both cached
// (graphql-ms: GraphQL execution, marshalling and HTTP). Its fixture
// takes a minute to write the first time.
func BenchmarkCompareAnalyses(b *testing.B) {
	trips := &cmpTripCounter{}
	db := neo4jtest.OpenObserved(b, trips)
	prefix := neo4jtest.Prefix(b)
	fx := neo4jtest.ComparisonFixture(b, prefix, 10, 1000)
	neo4jtest.SubmitThroughStore(b, fx) // with what each assessment rated, as real submitted analyses keep it
	bus := broker.New[*live.Snapshot]()
	b.Cleanup(bus.Close)
	lv := live.New(db, bus, 0, nil)
	b.Cleanup(lv.Close)
	srv := newServer(b, resolvers.Options{Store: db, Bus: bus, Live: lv})

	summary := `query($t: ID!) { compareAnalyses(targetId: $t) { revision analyses { analysis { id } incidents perspectives { perspective measures } }
			agreement { axis1 { value } axis2 { value } category { value } } pairs { a b axis1 { kappa { value } } incidents measures }
			hotspots { score incident { id } } } }`
	full := `query($t: ID!) { compareAnalyses(targetId: $t) { revision agreement { axis1 { value } }
			incidents { incident { id } divergent axis1 { range } entries { analysisId axis1 axis2 category measures { measure { id } status } } } } }`
	for _, bc := range []struct {
		name, query string
		cache       time.Duration
	}{
		{"summary/uncached", summary, 0},       // every request reads the 10,000 assessments from Neo4j
		{"summary/cached", summary, time.Hour}, // no change since the last read: the snapshot is reused
		{"full/uncached", full, 0},             // cold, with 10,000 side-by-side entries in the response
		{"full/cached", full, time.Hour},       // 10,000 side-by-side entries in the response
	} {
		b.Run(bc.name, func(b *testing.B) {
			lv.CacheTTL = bc.cache
			body, _ := json.Marshal(map[string]any{"query": bc.query, "variables": map[string]any{"t": fx.TargetID}})
			postBytes(b, srv.URL+"/graphql", body) // warm the cache (when on) and the plan
			trips.n.Store(0)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				status, raw := postBytes(b, srv.URL+"/graphql", body)
				if status != 200 || len(raw) < 100 {
					b.Fatalf("HTTP %d: %.300s", status, raw)
				}
			}
			b.ReportMetric(float64(trips.n.Load())/float64(b.N), "roundtrips/op")
		})
	}
	b.Run("split", func(b *testing.B) {
		// One cold summary request, then its parts one after another, all in
		// each iteration, so that a noisy machine weighs on them alike.
		body, _ := json.Marshal(map[string]any{"query": summary, "variables": map[string]any{"t": fx.TargetID}})
		var cold, store, stats, rest time.Duration
		b.ReportAllocs()
		for b.Loop() {
			lv.CacheTTL = 0
			start := time.Now()
			if status, raw := postBytes(b, srv.URL+"/graphql", body); status != 200 || len(raw) < 100 {
				b.Fatalf("HTTP %d: %.300s", status, raw)
			}
			cold += time.Since(start)

			start = time.Now()
			snaps, rev, err := db.TargetAnalyses(b.Context(), fx.TargetID)
			if err != nil || len(snaps) != 10 {
				b.Fatalf("TargetAnalyses: %d analyses, %v", len(snaps), err)
			}
			store += time.Since(start)

			start = time.Now()
			s := &live.Snapshot{TargetID: fx.TargetID, Revision: rev, At: time.Now(), Analyses: snaps} // an empty memo
			if c := s.Compare(live.View{}); len(c.Comparison.Incidents) != 1000 {
				b.Fatalf("compared %d incidents", len(c.Comparison.Incidents))
			}
			stats += time.Since(start)

			lv.CacheTTL = time.Hour // the snapshot and its comparison cached: GraphQL and HTTP alone
			postBytes(b, srv.URL+"/graphql", body)
			start = time.Now()
			if status, raw := postBytes(b, srv.URL+"/graphql", body); status != 200 || len(raw) < 100 {
				b.Fatalf("HTTP %d: %.300s", status, raw)
			}
			rest += time.Since(start)
		}
		for _, m := range []struct {
			d    time.Duration
			unit string
		}{{cold, "cold-ms"}, {store, "store-ms"}, {stats, "compare-ms"}, {rest, "graphql-ms"}} {
			b.ReportMetric(float64(m.d.Microseconds())/1000/float64(b.N), m.unit)
		}
	})
}

// BenchmarkComparisonFanout measures how long one comparison update takes
// to reach each of 1,000 websocket subscribers, from the moment it is
// published (its computedAt) to the moment each client has decoded it,
// and the server memory each subscriber holds.
func BenchmarkComparisonFanout(b *testing.B) {
	const subscribers = 1000
	db := neo4jtest.Open(b)
	prefix := neo4jtest.Prefix(b)
	fx := neo4jtest.ComparisonFixture(b, prefix, 3, 20)
	bus := broker.New[*live.Snapshot]()
	lv := live.New(db, bus, 10*time.Millisecond, nil)
	b.Cleanup(lv.Close)
	b.Cleanup(bus.Close)
	srv := newServer(b, resolvers.Options{Store: db, Bus: bus, Live: lv})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	runtime.GC()
	var ms0 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	clients := make([]*wsclient.Client, subscribers)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := wsclient.Dial(ctx, srv.URL+"/graphql", wsclient.TransportWS, nil)
			if err != nil {
				b.Error(err)
				return
			}
			if err := c.Subscribe("cmp", `subscription($t: ID!) { comparisonUpdated(targetId: $t) { revision computedAt agreement { axis1 { value } } } }`,
				map[string]any{"t": fx.TargetID}); err != nil {
				b.Error(err)
				return
			}
			if _, _, err := c.NextData(ctx); err != nil {
				b.Error(err)
				return
			}
			clients[i] = c
		}()
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	runtime.GC()
	var ms1 runtime.MemStats
	runtime.ReadMemStats(&ms1)

	var (
		mu        sync.Mutex
		latencies []time.Duration
	)
	b.ResetTimer()
	for b.Loop() {
		neo4jtest.Retitle(b, fx, fmt.Sprintf("Fixture %d", time.Now().UnixNano())) // a change every view sees: an unchanged comparison is not sent
		lv.Changed(fx.TargetID)
		var round sync.WaitGroup
		for _, c := range clients {
			round.Add(1)
			go func() {
				defer round.Done()
				_, payload, err := c.NextData(ctx)
				got := time.Now()
				if err != nil {
					b.Error(err)
					return
				}
				var ev struct {
					Data struct {
						ComparisonUpdated struct{ ComputedAt time.Time }
					}
				}
				if err := json.Unmarshal(payload, &ev); err != nil {
					b.Error(err)
					return
				}
				mu.Lock()
				latencies = append(latencies, got.Sub(ev.Data.ComparisonUpdated.ComputedAt))
				mu.Unlock()
			}()
		}
		round.Wait()
	}
	b.StopTimer()
	slices.Sort(latencies)
	if len(latencies) > 0 {
		b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
	}
	b.ReportMetric(float64(int64(ms1.HeapInuse)-int64(ms0.HeapInuse))/subscribers, "heap-B/subscriber")
}
