package resolvers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/broker"
	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/natsbus/natstest"
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

// BenchmarkComparisonFanout measures how long one change takes to reach
// each of 1,000 websocket subscribers (graphql-transport-ws) of the
// target's comparisonUpdated, with the server memory each subscriber
// holds, in two sub-benchmarks run one after the other:
//
//   - one-replica-in-process: one server with the in-process bus, all 1,000
//     subscribers on it;
//   - two-replicas-nats: two servers on the same Neo4j sharing changes over
//     an embedded NATS server with JetStream (as `serve --bus` has it), 500
//     subscribers on each.
//
// Each iteration retitles a draft analysis with updateAnalysis through the
// (first) server and waits until every subscriber has decoded the
// comparison of the new revision. p50-ms and p99-ms run from the moment
// the mutation's HTTP answer arrived (the write has committed) to each
// subscriber's decoding; sent-p50-ms and sent-p99-ms from just before the
// mutation was sent; publish-p99-ms from the comparison's computedAt (its
// publication on the subscriber's own server) and so is the fan-out alone.
// With two replicas, p99-A-ms and p99-B-ms split p99-ms by the replica the
// subscriber is on (A took the write). Both cases gather changes for
// live.DefaultWindow (100 ms) before recomputing, as a server does.
func BenchmarkComparisonFanout(b *testing.B) {
	const subscribers = 1000
	trips := &neo4jtest.Counter{}
	db := neo4jtest.OpenObserved(b, trips)
	prefix := neo4jtest.Prefix(b)
	fx := neo4jtest.ComparisonFixture(b, prefix, 3, 20)
	org := prefix + "org-00" // the fixture's first analysis's
	token := neo4jtest.Token(b, db, org, model.RoleAnalyst)
	draft := prefix + "draft"
	if _, err := db.CreateAnalysis(b.Context(), org, model.AnalysisInput{ID: new(draft), TargetID: fx.TargetID, Title: "Draft"}); err != nil {
		b.Fatal(err)
	}
	for _, sel := range []struct{ name, query string }{
		{"summary", fanoutSummary},
		{"page", fanoutPage},
	} {
		b.Run("one-replica-in-process/"+sel.name, func(b *testing.B) {
			srv := newServer(b, resolvers.Options{Store: db}) // no rate or websocket limits: its Limits are zero
			fanout(b, trips, sel.query, fx.TargetID, draft, token, subscribers, srv.URL, srv.URL)
		})
		b.Run("two-replicas-nats/"+sel.name, func(b *testing.B) {
			nats := natstest.Start(b)
			a := natsReplica(b, nats, "a", resolvers.Options{Store: db})
			bb := natsReplica(b, nats, "b", resolvers.Options{Store: db})
			fanout(b, trips, sel.query, fx.TargetID, draft, token, subscribers, a.srv.URL, bb.srv.URL)
		})
	}
}

// fanoutSubscriber is one websocket of BenchmarkComparisonFanout.
type fanoutSubscriber struct {
	c        *wsclient.Client
	replica  string // "A" or "B"
	revision int    // the last one it decoded
}

// fanoutSummary is a subscription that selects no node: the revision,
// a statistic and counts.
const fanoutSummary = `subscription($t: ID!) { comparisonUpdated(targetId: $t, includeDrafts: true) {
	revision computedAt agreement { axis1 { value } } analyses { incidents } } }`

// fanoutPage is what the comparison page selects (web/static/app/compare.js):
// the analyses, incidents, organizations, threats, assets, measures and
// departments by name beside every cell, which each replica reads once
// per event for all its subscribers (live.Snapshot.Nodes).
const fanoutPage = `subscription($t: ID!) { comparisonUpdated(targetId: $t, includeDrafts: true) {
	target { id name } revision computedAt
	analyses { analysis { id title version status organization { name } } }
	agreement { axis1 { value n } axis2 { value n } category { value n } }
	pairs { a b axis1 { kappa { value n } percent { value n } } incidents }
	incidents { incident { id name } divergent entries { analysisId axis1 axis2 category rationale
		threats { name } assets { name } measures { perspective measure { name } } ownerDepartment { name } } }
	hotspots { incident { id } score } } }`

// fanoutComparison is the part of a comparisonUpdated event fanout reads.
type fanoutComparison struct {
	Revision   int
	ComputedAt time.Time
}

// fanout is BenchmarkComparisonFanout on the servers at urlA and urlB
// (the same for one replica): n subscribers of query, half on each, and
// the mutations through urlA. Each retitles the draft analysis. It reports
// the Neo4j round trips per change that trips counted (the write, each
// replica's recomputation and whatever the events' fields read).
func fanout(b *testing.B, trips *neo4jtest.Counter, query, target, draft, token string, n int, urlA, urlB string) {
	ctx, cancel := context.WithTimeout(b.Context(), 10*time.Minute)
	defer cancel()
	auth := map[string]any{"Authorization": "Bearer " + token}
	runtime.GC()
	var ms0 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	subs := make([]*fanoutSubscriber, n)
	var wg sync.WaitGroup
	for i := range subs {
		wg.Go(func() {
			url, replica := urlA, "A"
			if i%2 == 1 && urlB != urlA {
				url, replica = urlB, "B"
			}
			c, err := wsclient.Dial(ctx, url+"/graphql", wsclient.TransportWS, auth)
			if err != nil {
				b.Error(err)
				return
			}
			if err := c.Subscribe("cmp", query,
				map[string]any{"t": target}); err != nil {
				b.Error(err)
				c.Close()
				return
			}
			s := &fanoutSubscriber{c: c, replica: replica}
			subs[i] = s
			if _, err := s.next(ctx); err != nil { // the current state
				b.Error(err)
			}
		})
	}
	wg.Wait()
	b.Cleanup(func() {
		for _, s := range subs {
			if s != nil {
				s.c.Close()
			}
		}
	})
	if b.Failed() {
		b.FailNow()
	}
	runtime.GC()
	var ms1 runtime.MemStats
	runtime.ReadMemStats(&ms1)

	type sample struct {
		replica                   string
		fromAnswer, fromSent, pub time.Duration
	}
	var (
		mu      sync.Mutex
		samples []sample
		round   int
	)
	trips.Take()
	for b.Loop() {
		round++
		title := fmt.Sprintf("Draft %d", time.Now().UnixNano()) // a change every subscriber's view shows
		body, _ := json.Marshal(map[string]any{
			"query":     `mutation($id: ID!, $title: String!) { updateAnalysis(id: $id, input: {title: $title}) { id } }`,
			"variables": map[string]any{"id": draft, "title": title},
		})
		sent := time.Now()
		status, raw := postBytesAs(b, urlA+"/graphql", token, body)
		answered := time.Now()
		if status != 200 || bytes.Contains(raw, []byte(`"errors"`)) {
			b.Fatalf("updateAnalysis: HTTP %d: %.300s", status, raw)
		}
		var wait sync.WaitGroup
		for _, s := range subs {
			wait.Go(func() {
				before := s.revision
				for {
					ev, err := s.next(ctx)
					got := time.Now()
					if err != nil {
						b.Errorf("round %d, subscriber on %s: %v", round, s.replica, err)
						return
					}
					if ev.Revision <= before {
						continue // an event of an earlier write (none is expected)
					}
					mu.Lock()
					samples = append(samples, sample{s.replica, got.Sub(answered), got.Sub(sent), got.Sub(ev.ComputedAt)})
					mu.Unlock()
					return
				}
			})
		}
		wait.Wait()
		if b.Failed() {
			b.FailNow()
		}
	}
	b.StopTimer()
	reads, by := trips.Take()
	b.Logf("%d changes, %d Neo4j statements: %s", round, reads, by)
	b.ReportMetric(float64(reads)/float64(round), "neo4j-statements/change")
	if want := round * n; len(samples) != want {
		b.Fatalf("%d latencies, want %d", len(samples), want)
	}
	ms := func(sel func(sample) time.Duration, keep func(sample) bool, q int) float64 {
		var ds []time.Duration
		for _, s := range samples {
			if keep(s) {
				ds = append(ds, sel(s))
			}
		}
		slices.Sort(ds)
		return float64(ds[len(ds)*q/100].Microseconds()) / 1000
	}
	all := func(sample) bool { return true }
	fromAnswer := func(s sample) time.Duration { return s.fromAnswer }
	b.ReportMetric(ms(fromAnswer, all, 50), "p50-ms")
	b.ReportMetric(ms(fromAnswer, all, 99), "p99-ms")
	b.ReportMetric(ms(func(s sample) time.Duration { return s.fromSent }, all, 50), "sent-p50-ms")
	b.ReportMetric(ms(func(s sample) time.Duration { return s.fromSent }, all, 99), "sent-p99-ms")
	b.ReportMetric(ms(func(s sample) time.Duration { return s.pub }, all, 99), "publish-p99-ms")
	if urlB != urlA {
		b.ReportMetric(ms(fromAnswer, func(s sample) bool { return s.replica == "A" }, 99), "p99-A-ms")
		b.ReportMetric(ms(fromAnswer, func(s sample) bool { return s.replica == "B" }, 99), "p99-B-ms")
	}
	b.ReportMetric(float64(int64(ms1.HeapInuse)-int64(ms0.HeapInuse))/float64(n), "heap-B/subscriber")
}

// next reads s's next comparisonUpdated event and remembers its revision,
// which must not go back.
func (s *fanoutSubscriber) next(ctx context.Context) (fanoutComparison, error) {
	var ev fanoutComparison
	_, payload, err := s.c.NextData(ctx)
	if err != nil {
		return ev, err
	}
	var msg struct {
		Data   struct{ ComparisonUpdated fanoutComparison }
		Errors []any
	}
	if err := json.Unmarshal(payload, &msg); err != nil {
		return ev, err
	}
	if len(msg.Errors) > 0 {
		return ev, fmt.Errorf("comparisonUpdated: %s", payload)
	}
	ev = msg.Data.ComparisonUpdated
	if ev.Revision < s.revision {
		return ev, fmt.Errorf("revision %d after %d", ev.Revision, s.revision)
	}
	s.revision = ev.Revision
	return ev, nil
}

// postBytesAs posts body to url with a bearer token and returns the
// status and the response body.
func postBytesAs(tb testing.TB, url, token string, body []byte) (int, []byte) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, raw
}
