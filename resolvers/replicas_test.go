package resolvers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/natsbus"
	"github.com/ssfgraph/ssfgraph/graph/natsbus/natstest"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/internal/tstest"
	"github.com/ssfgraph/ssfgraph/internal/wsclient"
	"github.com/ssfgraph/ssfgraph/metrics"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// replicas are two servers on the same Neo4j, each with its own live
// comparisons and in-process snapshot and feedback buses, sharing changes
// over one embedded NATS server (each through its own connection), as two
// `ssfgraph serve --bus` processes do.
type replicas struct {
	a    *comparisonEnv // its target, incidents and tokens serve both
	b    *testEnv
	nats *natstest.Server
	// metrics of A and B, served on their /metrics
	ma, mb *metrics.Metrics
}

func newReplicas(t *testing.T) *replicas {
	t.Helper()
	srv := natstest.Start(t)
	store := neo4jtest.Open(t)
	r := &replicas{nats: srv, ma: metrics.New(), mb: metrics.New()}
	r.b = natsReplica(t, srv, "b", resolvers.Options{Store: store, Metrics: r.mb})
	r.a = comparisonEnvOn(t, natsReplica(t, srv, "a", resolvers.Options{Store: store, Metrics: r.ma}))
	return r
}

// natsReplica serves newEnv(o) with a Changes bus of its own connection
// named name to the NATS server srv, as `ssfgraph serve --bus` has it.
func natsReplica(tb testing.TB, srv *natstest.Server, name string, o resolvers.Options) *testEnv {
	tb.Helper()
	co := natsbus.ChangesOptions() // as serve --bus has it
	co.Name, co.ReconnectWait, co.Observer = name, 50*time.Millisecond, o.Metrics
	changes, err := natsbus.Dial[*model.ChangeEvent](tb.Context(), srv.URL(), co)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(changes.Close) // after the server's and live's clean-ups
	o.Changes = changes
	return newEnv(tb, o)
}

const replicaSubscription = `subscription($t: ID!) { comparisonUpdated(targetId: $t, includeDrafts: true) { revision analyses { analysis { id } } } }`

// comparisonOn subscribes to the target's comparison on env and returns
// the client after its first event (the current state).
func (r *replicas) comparisonOn(ctx context.Context, t *testing.T, env *testEnv) (*wsclient.Client, comparisonEvent) {
	t.Helper()
	c := env.subscribe(ctx, t, wsclient.TransportWS, r.a.analystA, replicaSubscription, map[string]any{"t": r.a.target})
	return c, nextComparison(ctx, t, c)
}

// fresh returns compareAnalyses of the target as it is now, through A.
func (r *replicas) fresh(t *testing.T) comparisonEvent {
	t.Helper()
	var got struct{ CompareAnalyses comparisonEvent }
	r.a.must(t, r.a.analystA, `query($t: ID!) { compareAnalyses(targetId: $t, includeDrafts: true) { revision analyses { analysis { id } } } }`, map[string]any{"t": r.a.target}, &got)
	return got.CompareAnalyses
}

func analysisIDs(ev comparisonEvent) []string {
	var ids []string
	for _, a := range ev.Analyses {
		ids = append(ids, a.Analysis.ID)
	}
	slices.Sort(ids)
	return ids
}

// until reads c's comparisons until one has revision want, and returns it.
func until(ctx context.Context, t *testing.T, c *wsclient.Client, want int) comparisonEvent {
	t.Helper()
	for {
		ev := nextComparison(ctx, t, c)
		if ev.Revision > want {
			t.Fatalf("got revision %d, past the %d expected", ev.Revision, want)
		}
		if ev.Revision == want {
			return ev
		}
	}
}

// TestReplicasShareComparisons: a mutation through server A reaches
// comparisonUpdated subscribers on A and on B with the same revision and
// analyses, those compareAnalyses answers.
func TestReplicasShareComparisons(t *testing.T) {
	r := newReplicas(t)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	onA, firstA := r.comparisonOn(ctx, t, r.a.testEnv)
	onB, firstB := r.comparisonOn(ctx, t, r.b)
	if firstA.Revision != firstB.Revision {
		t.Fatalf("first events: revision %d on A, %d on B", firstA.Revision, firstB.Revision)
	}

	id := r.a.prefix + "analysis-1"
	start := time.Now()
	r.a.mustDo(t, r.a.analystA, `mutation($id: ID!, $t: ID!) { createAnalysis(input: {id: $id, targetId: $t, title: "A"}) { id } }`,
		map[string]any{"id": id, "t": r.a.target})
	want := r.fresh(t)
	if want.Revision <= firstA.Revision {
		t.Fatalf("revision %d after the mutation, want more than %d", want.Revision, firstA.Revision)
	}
	for name, c := range map[string]*wsclient.Client{"A": onA, "B": onB} {
		got := until(ctx, t, c, want.Revision)
		t.Logf("subscriber on %s: revision %d %s after the mutation was sent", name, got.Revision, time.Since(start).Round(time.Millisecond))
		if !slices.Equal(analysisIDs(got), analysisIDs(want)) || !slices.Contains(analysisIDs(got), id) {
			t.Errorf("subscriber on %s: analyses %v, want %v (compareAnalyses)", name, analysisIDs(got), analysisIDs(want))
		}
	}

	// B serves the new state to a reader too, not a cached one (its cache
	// TTL is live.BusCacheTTL: only the bus invalidated it).
	var onBNow struct{ CompareAnalyses comparisonEvent }
	r.b.must(t, r.a.analystA, `query($t: ID!) { compareAnalyses(targetId: $t, includeDrafts: true) { revision analyses { analysis { id } } } }`, map[string]any{"t": r.a.target}, &onBNow)
	if onBNow.CompareAnalyses.Revision != want.Revision {
		t.Errorf("compareAnalyses on B: revision %d, want %d", onBNow.CompareAnalyses.Revision, want.Revision)
	}
}

// TestReplicasShareFeedback: feedback submitted through A reaches a
// feedbackAdded subscriber on B.
func TestReplicasShareFeedback(t *testing.T) {
	r := newReplicas(t)
	idA := r.a.analyse(t, r.a.analystA, r.a.prefix+"analysis-a", []int{1, 1, 1, 1}, []int{1, 1, 1, 1})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	c := r.b.subscribe(ctx, t, wsclient.TransportWS, r.a.analystA, `subscription($t: ID) { feedbackAdded(targetId: $t) { id kind about { id } } }`, map[string]any{"t": r.a.target})
	tstest.WaitFor(t, 10*time.Second, func() error {
		if n := r.b.fbBus.Subscribers(resolvers.FeedbackTopic); n != 1 {
			return fmt.Errorf("%d subscribers to feedback on B, want 1", n)
		}
		return nil
	})
	var fb struct{ SubmitFeedback struct{ ID string } }
	r.a.must(t, r.a.vw, `mutation($a: ID!) { submitFeedback(input: {kind: NEW_RISK, text: "Pets can trigger the shutter", aboutId: $a}) { id } }`, map[string]any{"a": idA}, &fb)
	_, payload, err := c.NextData(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Data struct {
			FeedbackAdded struct {
				ID, Kind string
				About    struct{ ID string }
			}
		}
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatal(err)
	}
	if f := ev.Data.FeedbackAdded; f.ID != fb.SubmitFeedback.ID || f.Kind != "NEW_RISK" || f.About.ID != idA {
		t.Fatalf("feedbackAdded on B = %s, want feedback %s about %s", payload, fb.SubmitFeedback.ID, idA)
	}
}

// TestReplicasShareTokenRevocation: a token revoked through A is refused
// by B at once, although B had just checked and cached it (without the bus,
// B would trust it for the rest of tokenCacheTTL, 500 ms), and B closes
// its websockets.
func TestReplicasShareTokenRevocation(t *testing.T) {
	r := newReplicas(t)
	org := r.a.org(t, "org-r", "home")
	admin := r.a.token(t, org, model.RoleOrgAdmin)
	token := r.a.token(t, org, model.RoleViewer)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	socket := r.b.subscribe(ctx, t, wsclient.TransportWS, token, `subscription { feedbackAdded { id } }`, nil)

	r.b.must(t, token, viewerQuery, nil, nil) // B caches it
	cached := time.Now()
	r.a.must(t, admin, `mutation($id: ID!) { revokeToken(id: $id) { id } }`, map[string]any{"id": tokenID(token)}, nil)
	tstest.WaitFor(t, 200*time.Millisecond, func() error { return r.b.refusedWith(t, token, "revoked") })
	if d := time.Since(cached); d >= 500*time.Millisecond {
		t.Errorf("B refused the revoked token %s after caching it: as late as the cache TTL would", d)
	}
	closeCtx, cancelClose := context.WithTimeout(ctx, time.Second)
	defer cancelClose()
	closedWith(t, closeCtx, socket, "token revoked")
}

// TestReplicasSurviveNATSRestart: with NATS down, writes through A still
// commit and answer, and subscribers on A and on B get comparisons equal
// to a fresh compareAnalyses, a write that no bus announced included;
// once NATS is back, changes travel over it again.
func TestReplicasSurviveNATSRestart(t *testing.T) {
	r := newReplicas(t)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	onA, _ := r.comparisonOn(ctx, t, r.a.testEnv)
	onB, _ := r.comparisonOn(ctx, t, r.b)
	create := func(i int) {
		r.a.mustDo(t, r.a.analystA, `mutation($id: ID!, $t: ID!) { createAnalysis(input: {id: $id, targetId: $t, title: "A"}) { id } }`,
			map[string]any{"id": fmt.Sprintf("%sanalysis-%d", r.a.prefix, i), "t": r.a.target})
	}
	create(0)
	until(ctx, t, onB, r.fresh(t).Revision) // the bus works

	r.nats.Stop()
	tstest.WaitFor(t, 10*time.Second, func() error { return readyzSays(r.b, `"bus":"disconnected"`) })
	for i := 1; i <= 3; i++ {
		create(i) // commits and answers without NATS
	}
	// A write that announces itself nowhere (as a command without --bus
	// does): only the resync after the reconnection shows it, on A and B.
	if _, err := r.a.db.CreateAnalysis(ctx, r.a.prefix+"org-a", model.AnalysisInput{ID: new(r.a.prefix + "analysis-quiet"), TargetID: r.a.target, Title: "Q"}); err != nil {
		t.Fatal(err)
	}
	down := r.fresh(t)
	// No subscriber is starved meanwhile: A's gets A's writes as they
	// commit, and each replica, its bus down, recomputes the comparisons
	// it has subscribers for every live.DefaultCacheTTL, so B's gets them
	// too, and both get the quiet write (README: "NATS down").
	for name, c := range map[string]*wsclient.Client{"A": onA, "B": onB} {
		if got := until(ctx, t, c, down.Revision); !slices.Equal(analysisIDs(got), analysisIDs(down)) || len(got.Analyses) != 5 {
			t.Errorf("subscriber on %s while NATS is down: analyses %v, want %v", name, analysisIDs(got), analysisIDs(down))
		}
	}
	r.nats.Restart()
	tstest.WaitFor(t, 10*time.Second, func() error { return readyzSays(r.b, `"bus":"connected"`) })

	// And the bus carries changes again.
	create(4)
	want := r.fresh(t)
	for name, c := range map[string]*wsclient.Client{"A": onA, "B": onB} {
		if got := until(ctx, t, c, want.Revision); !slices.Equal(analysisIDs(got), analysisIDs(want)) {
			t.Errorf("subscriber on %s after a change past the restart: analyses %v, want %v", name, analysisIDs(got), analysisIDs(want))
		}
	}
}

// readyzSays returns nil when the env's /readyz answers 200 with want in
// its body.
func readyzSays(env *testEnv, want string) error {
	resp, err := http.Get(env.srv.URL + "/readyz")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
		return fmt.Errorf("/readyz = %d %s, want 200 with %s", resp.StatusCode, body, want)
	}
	return nil
}

// metricOn returns the value of series (a name with its labels, as
// served) on env's /metrics, 0 when it is not there yet.
func metricOn(t *testing.T, env *testEnv, series string) float64 {
	t.Helper()
	resp, err := http.Get(env.srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d %v", resp.StatusCode, err)
	}
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindSubmatch(body)
	if m == nil {
		return 0
	}
	v, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestReplicasMetrics: a change through A counts as published on A's
// /metrics and as applied, with its lag, on B's; the connection gauge
// follows NATS going down and coming back.
func TestReplicasMetrics(t *testing.T) {
	r := newReplicas(t)
	const (
		published = `ssfgraph_bus_events_published_total{outcome="ok"}`
		applied   = `ssfgraph_bus_events_applied_total`
		lagCount  = `ssfgraph_bus_event_lag_seconds_count`
		lagSum    = `ssfgraph_bus_event_lag_seconds_sum`
		connected = `ssfgraph_bus_connected`
	)
	// The environment's own writes through A may still be on their way to B.
	tstest.WaitFor(t, 10*time.Second, func() error {
		if a, b := metricOn(t, r.a.testEnv, published), metricOn(t, r.b, applied); a != b {
			return fmt.Errorf("A published %v events, B applied %v", a, b)
		}
		return nil
	})
	pubA, appB, lagB := metricOn(t, r.a.testEnv, published), metricOn(t, r.b, applied), metricOn(t, r.b, lagCount)
	for name, env := range map[string]*testEnv{"A": r.a.testEnv, "B": r.b} {
		if v := metricOn(t, env, connected); v != 1 {
			t.Errorf("%s: %s = %v, want 1", name, connected, v)
		}
	}

	r.a.mustDo(t, r.a.analystA, `mutation($id: ID!, $t: ID!) { createAnalysis(input: {id: $id, targetId: $t, title: "M"}) { id } }`,
		map[string]any{"id": r.a.prefix + "analysis-m", "t": r.a.target})
	tstest.WaitFor(t, 10*time.Second, func() error {
		if v := metricOn(t, r.b, lagCount); v != lagB+1 {
			return fmt.Errorf("%s on B = %v, want %v", lagCount, v, lagB+1)
		}
		return nil
	})
	if v := metricOn(t, r.a.testEnv, published); v != pubA+1 {
		t.Errorf("%s on A = %v, want %v", published, v, pubA+1)
	}
	if v := metricOn(t, r.b, applied); v != appB+1 {
		t.Errorf("%s on B = %v, want %v", applied, v, appB+1)
	}
	if v := metricOn(t, r.a.testEnv, applied); v != 0 {
		t.Errorf("%s on A = %v: A applied its own changes from the bus", applied, v)
	}
	sum, count := metricOn(t, r.b, lagSum), metricOn(t, r.b, lagCount)
	t.Logf("B applied %v events from the bus, mean lag %.2f ms", count, 1000*sum/count)
	if sum <= 0 || sum/count > 5 {
		t.Errorf("lag on B: sum %v s over %v events, want a positive mean under 5 s", sum, count)
	}

	r.nats.Stop()
	tstest.WaitFor(t, 10*time.Second, func() error {
		if v := metricOn(t, r.b, connected); v != 0 {
			return fmt.Errorf("%s on B = %v with NATS down, want 0", connected, v)
		}
		return nil
	})
	r.nats.Restart()
	tstest.WaitFor(t, 10*time.Second, func() error {
		if v := metricOn(t, r.b, connected); v != 1 {
			return fmt.Errorf("%s on B = %v with NATS back, want 1", connected, v)
		}
		return nil
	})
}
