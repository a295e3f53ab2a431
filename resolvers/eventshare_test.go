package resolvers_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/internal/wsclient"
	"github.com/ssfgraph/ssfgraph/metrics"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// TestComparisonEventAnswersShared: the subscribers of one target who ask
// the same (one user, one query, the same variables) share one execution
// of each event: the incidents their selection reads beside the
// comparison (target { incidents }) are read once for ten of them, not
// ten times. Another user's subscribers, or the same user's with other
// variables, get answers of their own: a viewer of another organization
// sees no PRIVATE analysis the analyst's answer holds.
func TestComparisonEventAnswersShared(t *testing.T) {
	counter := &neo4jtest.Counter{}
	e := comparisonEnvOn(t, newEnv(t, resolvers.Options{Store: neo4jtest.OpenObserved(t, counter), Metrics: metrics.New()}))
	const (
		executed = `ssfgraph_subscription_events_total{answer="executed"}`
		shared   = `ssfgraph_subscription_events_total{answer="shared"}`
	)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	const query = `subscription($t: ID!, $d: Boolean) { comparisonUpdated(targetId: $t, includeDrafts: $d) {
		revision target { incidents { id } } analyses { analysis { id organization { name } } } } }`
	type answer struct {
		Revision int
		Target   struct{ Incidents []struct{ ID string } }
		Analyses []struct{ Analysis struct{ ID string } }
	}
	next := func(c *wsclient.Client) answer {
		t.Helper()
		_, payload, err := c.NextData(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var msg struct {
			Data   struct{ ComparisonUpdated answer }
			Errors []any
		}
		if err := json.Unmarshal(payload, &msg); err != nil || len(msg.Errors) > 0 {
			t.Fatalf("bad event %s: %v", payload, err)
		}
		return msg.Data.ComparisonUpdated
	}
	type group struct {
		name    string
		token   string
		drafts  bool
		clients []*wsclient.Client
	}
	groups := []*group{
		{name: "analyst A with drafts", token: e.analystA, drafts: true},
		{name: "analyst A without drafts", token: e.analystA},
		{name: "viewer C with drafts", token: e.vw, drafts: true},
	}
	for _, g := range groups {
		n := 10
		if g != groups[0] {
			n = 2
		}
		for range n {
			c := e.subscribe(ctx, t, wsclient.TransportWS, g.token, query, map[string]any{"t": e.target, "d": g.drafts})
			next(c) // the current state
			g.clients = append(g.clients, c)
		}
	}
	counter.Take()
	executed0, shared0 := metricOn(t, e.testEnv, executed), metricOn(t, e.testEnv, shared)
	// A PRIVATE draft of A's: an event for A's subscribers with drafts
	// only (the others' views do not change).
	draft := e.prefix + "private-draft"
	e.mustDo(t, e.analystA, `mutation($id: ID!, $t: ID!) { createAnalysis(input: {id: $id, targetId: $t, title: "Draft", visibility: PRIVATE}) { id } }`,
		map[string]any{"id": draft, "t": e.target})
	for _, c := range groups[0].clients {
		a := next(c)
		if len(a.Analyses) != 1 || a.Analyses[0].Analysis.ID != draft || len(a.Target.Incidents) != len(e.incidents) {
			t.Fatalf("%s: %+v, want the draft and %d incidents", groups[0].name, a, len(e.incidents))
		}
	}
	if n, by := statementsOf(counter, "neo4j.Related"); n != 1 {
		t.Errorf("one change to 10 subscribers asking the same read the incidents %d times (%s), want once", n, by)
	}
	if x, s := metricOn(t, e.testEnv, executed)-executed0, metricOn(t, e.testEnv, shared)-shared0; x != 1 || s != 9 {
		t.Errorf("/metrics counts %v answers executed and %v shared for the change, want 1 and 9", x, s)
	}

	// A PUBLIC analysis: every group sees it, A's with drafts beside the
	// draft; the viewer never sees the draft.
	public := e.analyse(t, e.analystB, e.prefix+"public", []int{1, 1, 1, 1}, []int{1, 1, 1, 1})
	snap, err := e.lv.Current(ctx, e.target)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		want := public
		if g == groups[0] {
			want = draft + "," + public
		}
		for _, c := range g.clients {
			a := next(c)
			for a.Revision < snap.Revision {
				a = next(c)
			}
			var ids []string
			for _, x := range a.Analyses {
				ids = append(ids, x.Analysis.ID)
			}
			if got := strings.Join(ids, ","); got != want {
				t.Errorf("%s: analyses %s, want %s", g.name, got, want)
			}
		}
	}
}

// statementsOf returns how many statements whose operation starts with op
// counter took since its last Take, and all it took.
func statementsOf(counter *neo4jtest.Counter, op string) (int, string) {
	_, by := counter.Take()
	n := 0
	for _, part := range strings.Split(by, ", ") {
		name, count, ok := strings.Cut(part, "×")
		if k, err := strconv.Atoi(count); ok && err == nil && strings.HasPrefix(name, op) {
			n += k
		}
	}
	return n, by
}
