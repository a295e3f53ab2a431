package resolvers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/internal/tstest"
	"github.com/ssfgraph/ssfgraph/internal/wsclient"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// comparisonEnv is a testEnv with two analyst organizations and a viewer
// organization, and one target with four incidents, all created through
// the API.
type comparisonEnv struct {
	*testEnv
	prefix, target         string // prefix is testEnv.p
	incidents              []string
	analystA, analystB, vw string
}

func newComparisonEnv(t *testing.T) *comparisonEnv {
	t.Helper()
	return comparisonEnvOn(t, newEnv(t, resolvers.Options{}))
}

// comparisonEnvOn is newComparisonEnv on a server env already serves.
func comparisonEnvOn(t *testing.T, env *testEnv) *comparisonEnv {
	t.Helper()
	e := &comparisonEnv{testEnv: env, prefix: env.p}
	e.analystA = e.token(t, e.org(t, "org-a", "home"), model.RoleAnalyst)
	e.analystB = e.token(t, e.org(t, "org-b", "building"), model.RoleAnalyst)
	e.vw = e.token(t, e.org(t, "org-c", "insurance"), model.RoleViewer)
	e.target = e.prefix + "shutter"
	e.mustDo(t, e.analystA, `mutation($id: ID!) { createTarget(input: {id: $id, name: "Smart window shutter", sector: "home"}) { id } }`, map[string]any{"id": e.target})
	for i := range 4 {
		id := fmt.Sprintf("%sinc-%d", e.prefix, i)
		e.incidents = append(e.incidents, id)
		e.mustDo(t, e.analystA, `mutation($id: ID!, $t: ID!) { createIncident(input: {id: $id, targetId: $t, name: "Incident", consequence: "property"}) { id } }`,
			map[string]any{"id": id, "t": e.target})
	}
	return e
}

// mustDo sends a request that must succeed.
func (e *comparisonEnv) mustDo(t *testing.T, token, q string, vars map[string]any) {
	t.Helper()
	e.must(t, token, q, vars, nil)
}

// analyse creates, fills and submits a PUBLIC analysis with the given axis
// ranks for the env's incidents, and returns its id.
func (e *comparisonEnv) analyse(t *testing.T, token, id string, axis1, axis2 []int) string {
	t.Helper()
	e.mustDo(t, token, `mutation($id: ID!, $t: ID!) { createAnalysis(input: {id: $id, targetId: $t, title: "Analysis", visibility: PUBLIC}) { id } }`,
		map[string]any{"id": id, "t": e.target})
	for i, inc := range e.incidents {
		e.mustDo(t, token, `mutation($a: ID!, $i: ID!, $x: Int!, $y: Int!) { assessIncident(input: {analysisId: $a, incidentId: $i, axis1: $x, axis2: $y, rationale: "r"}) { id } }`,
			map[string]any{"a": id, "i": inc, "x": axis1[i], "y": axis2[i]})
	}
	e.mustDo(t, token, `mutation($id: ID!) { submitAnalysis(id: $id) { status } }`, map[string]any{"id": id})
	return id
}

const comparisonFields = `revision
  analyses { analysis { id } incidents }
  agreement { metric axis1 { value n reason } axis2 { value n reason } category { value } }
  pairs { a b axis1 { kappa { value } percent { value } } axis2 { kappa { value } percent { value } } incidents }
  incidents { incident { id } divergent axis1 { min max range } entries { analysisId axis1 axis2 } }
  hotspots { incident { id } score }`

// comparisonEvent is the part of a TargetComparison the tests read.
type comparisonEvent struct {
	Revision int
	Analyses []struct {
		Analysis  struct{ ID string }
		Incidents int
	}
	Agreement struct {
		Metric       string
		Axis1, Axis2 struct {
			Value  *float64
			N      int
			Reason *string
		}
	}
	Pairs []struct {
		A, B         string
		Axis1, Axis2 struct {
			Kappa, Percent struct{ Value *float64 }
		}
		Incidents float64
	}
	Incidents []struct {
		Incident  struct{ ID string }
		Divergent bool
	}
}

// nextComparison reads the next comparisonUpdated event.
func nextComparison(ctx context.Context, t *testing.T, c *wsclient.Client) comparisonEvent {
	t.Helper()
	_, payload, err := c.NextData(ctx)
	if err != nil {
		t.Fatalf("%s: waiting for a comparison: %v", c.Protocol, err)
	}
	var ev struct {
		Data struct {
			ComparisonUpdated comparisonEvent
		}
		Errors []any
	}
	if err := json.Unmarshal(payload, &ev); err != nil || len(ev.Errors) > 0 {
		t.Fatalf("%s: bad event %s: %v", c.Protocol, payload, err)
	}
	return ev.Data.ComparisonUpdated
}

func TestComparisonUpdatedBroadcastsAgreement(t *testing.T) {
	t.Parallel()
	e := newComparisonEnv(t)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	var clients []*wsclient.Client
	for _, proto := range []string{wsclient.TransportWS, wsclient.LegacyWS} {
		c := e.subscribe(ctx, t, proto, e.vw, `subscription($t: ID!) { comparisonUpdated(targetId: $t) { `+comparisonFields+` } }`, map[string]any{"t": e.target})
		first := nextComparison(ctx, t, c)
		if len(first.Analyses) != 0 {
			t.Fatalf("%s: first event compares %d analyses, want 0", proto, len(first.Analyses))
		}
		clients = append(clients, c)
	}

	a1A, a2A := []int{1, 2, 3, 4}, []int{2, 2, 4, 1}
	a1B, a2B := []int{1, 3, 3, 2}, []int{2, 1, 4, 1}
	idA := e.analyse(t, e.analystA, e.prefix+"analysis-a", a1A, a2A)
	idB := e.analyse(t, e.analystB, e.prefix+"analysis-b", a1B, a2B)

	for _, c := range clients {
		last := -1
		var ev comparisonEvent
		for len(ev.Analyses) < 2 {
			ev = nextComparison(ctx, t, c)
			if ev.Revision <= last {
				t.Fatalf("%s: revision %d after %d: revisions must grow", c.Protocol, ev.Revision, last)
			}
			last = ev.Revision
		}
		if ev.Analyses[0].Analysis.ID != idA || ev.Analyses[1].Analysis.ID != idB {
			t.Fatalf("%s: compared %+v, want %s and %s", c.Protocol, ev.Analyses, idA, idB)
		}
		wantAlpha1 := ordinalAlpha([][]int{a1A, a1B})
		wantAlpha2 := ordinalAlpha([][]int{a2A, a2B})
		assertClose(t, c.Protocol+" alpha axis1", ev.Agreement.Axis1.Value, wantAlpha1)
		assertClose(t, c.Protocol+" alpha axis2", ev.Agreement.Axis2.Value, wantAlpha2)
		if len(ev.Pairs) != 1 {
			t.Fatalf("%s: %d pairs, want 1", c.Protocol, len(ev.Pairs))
		}
		p := ev.Pairs[0]
		assertClose(t, c.Protocol+" kappa axis1", p.Axis1.Kappa.Value, quadraticKappa(a1A, a1B))
		assertClose(t, c.Protocol+" kappa axis2", p.Axis2.Kappa.Value, quadraticKappa(a2A, a2B))
		assertClose(t, c.Protocol+" percent axis1", p.Axis1.Percent.Value, 2.0/4)
		if p.Incidents != 1 {
			t.Errorf("%s: incident Jaccard %v, want 1", c.Protocol, p.Incidents)
		}
		divergent := 0
		for _, row := range ev.Incidents {
			if row.Divergent {
				divergent++
			}
		}
		if divergent != 2 { // incidents 1 and 3 differ on an axis; 0 and 2 agree
			t.Errorf("%s: %d divergent incidents, want 2", c.Protocol, divergent)
		}
	}
}

func TestRolledBackMutationPublishesNothing(t *testing.T) {
	t.Parallel()
	e := newComparisonEnv(t)
	e.mustDo(t, e.analystA, `mutation($id: ID!, $t: ID!) { createAnalysis(input: {id: $id, targetId: $t, title: "Draft", visibility: PUBLIC}) { id } }`,
		map[string]any{"id": e.prefix + "draft", "t": e.target})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	// The creation's own update goes out first.
	tstest.WaitFor(t, 10*time.Second, func() error {
		if s, err := e.lv.Current(ctx, e.target); err != nil || s.Revision < 1 {
			return fmt.Errorf("the comparison of the new analysis was not published (%v)", err)
		}
		return nil
	})
	c := e.subscribe(ctx, t, wsclient.TransportWS, e.analystA, `subscription($t: ID!) { comparisonUpdated(targetId: $t, includeDrafts: true) { revision } }`, map[string]any{"t": e.target})
	first := nextComparison(ctx, t, c)

	// Fails validation inside the write: a rank that is not on the scale,
	// and an asset of no such id. Neither may publish.
	for _, vars := range []map[string]any{
		{"a": e.prefix + "draft", "i": e.incidents[0], "x": 99, "assets": []string{}},
		{"a": e.prefix + "draft", "i": e.incidents[0], "x": 2, "assets": []string{e.prefix + "no-such-asset"}},
	} {
		_, r := postAs(t, e.srv, e.analystA, `mutation($a: ID!, $i: ID!, $x: Int!, $assets: [ID!]) { assessIncident(input: {analysisId: $a, incidentId: $i, axis1: $x, axis2: 1, assetIds: $assets}) { id } }`, vars)
		if len(r.Errors) == 0 {
			t.Fatalf("assessIncident %v succeeded, want an error", vars)
		}
	}
	quiet, stop := context.WithTimeout(ctx, 4*liveWindow())
	defer stop()
	if _, payload, err := c.NextData(quiet); err == nil {
		t.Fatalf("an event after failed mutations: %s", payload)
	}
	// The socket timed out reading; a fresh client shows that a committed
	// change does publish.
	c2 := e.subscribe(ctx, t, wsclient.TransportWS, e.analystA, `subscription($t: ID!) { comparisonUpdated(targetId: $t, includeDrafts: true) { revision } }`, map[string]any{"t": e.target})
	again := nextComparison(ctx, t, c2)
	if again.Revision != first.Revision {
		t.Fatalf("revision moved from %d to %d with no committed change", first.Revision, again.Revision)
	}
	e.mustDo(t, e.analystA, `mutation($a: ID!, $i: ID!) { assessIncident(input: {analysisId: $a, incidentId: $i, axis1: 2, axis2: 1}) { id } }`,
		map[string]any{"a": e.prefix + "draft", "i": e.incidents[0]})
	if ev := nextComparison(ctx, t, c2); ev.Revision <= first.Revision {
		t.Fatalf("after a committed change: revision %d, want > %d", ev.Revision, first.Revision)
	}
}

// liveWindow is the server's coalescing window.
func liveWindow() time.Duration { return 100 * time.Millisecond }

func TestManySubscribersAllReceiveAndLeaveNoGoroutines(t *testing.T) {
	e := newComparisonEnv(t)
	e.mustDo(t, e.analystA, `mutation($id: ID!, $t: ID!) { createAnalysis(input: {id: $id, targetId: $t, title: "Draft", visibility: PUBLIC}) { id } }`,
		map[string]any{"id": e.prefix + "draft", "t": e.target})
	runtime.GC()
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithTimeout(t.Context(), 120*time.Second)
	defer cancel()
	const n = 200
	clients := make([]*wsclient.Client, n)
	firsts := make([]int, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			proto := []string{wsclient.TransportWS, wsclient.LegacyWS}[i%2]
			c, err := wsclient.Dial(ctx, e.srv.URL+"/graphql", proto, map[string]any{"Authorization": "Bearer " + e.vw})
			if err != nil {
				errs <- err
				return
			}
			clients[i] = c
			if err := c.Subscribe("cmp", `subscription($t: ID!) { comparisonUpdated(targetId: $t, includeDrafts: true) { revision analyses { analysis { id } } } }`, map[string]any{"t": e.target}); err != nil {
				errs <- err
				return
			}
			_, payload, err := c.NextData(ctx)
			if err != nil {
				errs <- err
				return
			}
			var ev struct {
				Data struct{ ComparisonUpdated comparisonEvent }
			}
			_ = json.Unmarshal(payload, &ev)
			firsts[i] = ev.Data.ComparisonUpdated.Revision
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	e.mustDo(t, e.analystA, `mutation($a: ID!, $i: ID!) { assessIncident(input: {analysisId: $a, incidentId: $i, axis1: 3, axis2: 2}) { id } }`,
		map[string]any{"a": e.prefix + "draft", "i": e.incidents[1]})
	got := make(chan int, n)
	for i, c := range clients {
		go func() {
			for {
				_, payload, err := c.NextData(ctx)
				if err != nil {
					got <- -1
					return
				}
				var ev struct {
					Data struct{ ComparisonUpdated comparisonEvent }
				}
				_ = json.Unmarshal(payload, &ev)
				if ev.Data.ComparisonUpdated.Revision > firsts[i] {
					got <- i
					return
				}
			}
		}()
	}
	received := 0
	for range n {
		if i := <-got; i >= 0 {
			received++
		}
	}
	if received != n {
		t.Fatalf("%d of %d subscribers received the update", received, n)
	}
	for _, c := range clients {
		c.Close()
	}
	tstest.WaitGoroutines(t, 20*time.Second, before+5) // a few may be the HTTP client's idle connections
}

func TestCompareAndDiffQueries(t *testing.T) {
	t.Parallel()
	e := newComparisonEnv(t)
	idA := e.analyse(t, e.analystA, e.prefix+"analysis-a", []int{1, 2, 3, 4}, []int{1, 1, 1, 1})
	idB := e.analyse(t, e.analystB, e.prefix+"analysis-b", []int{1, 2, 3, 3}, []int{1, 1, 1, 1})

	var got struct{ CompareAnalyses comparisonEvent }
	_, r := postAs(t, e.srv, e.vw, `query($t: ID!) { compareAnalyses(targetId: $t, metric: INTERVAL) { `+comparisonFields+` } }`, map[string]any{"t": e.target})
	r.decode(t, &got)
	if len(got.CompareAnalyses.Analyses) != 2 || got.CompareAnalyses.Agreement.Metric != "INTERVAL" {
		t.Fatalf("compareAnalyses = %+v", got.CompareAnalyses)
	}
	if v := got.CompareAnalyses.Agreement.Axis2; v.Value != nil || v.Reason == nil {
		t.Errorf("alpha on axis 2 with no variation = %+v, want null with a reason", v)
	}

	// A revision of A that changes one level: diff across versions.
	var rev struct{ ReviseAnalysis struct{ ID string } }
	_, r = postAs(t, e.srv, e.analystA, `mutation($id: ID!) { reviseAnalysis(id: $id) { id } }`, map[string]any{"id": idA})
	r.decode(t, &rev)
	e.mustDo(t, e.analystA, `mutation($a: ID!, $i: ID!) { assessIncident(input: {analysisId: $a, incidentId: $i, axis1: 2, axis2: 1}) { id } }`,
		map[string]any{"a": rev.ReviseAnalysis.ID, "i": e.incidents[0]})
	var diff struct {
		DiffAnalyses struct {
			A, B    struct{ ID string }
			Changed []struct {
				Incident struct{ ID string }
				Axis1    *struct{ From, To int }
			}
			Pair struct {
				Axis1 struct{ Percent struct{ Value float64 } }
			}
		}
	}
	_, r = postAs(t, e.srv, e.analystA, `query($a: ID!, $b: ID!) { diffAnalyses(a: $a, b: $b) { a { id } b { id } changed { incident { id } axis1 { from to } } pair { axis1 { percent { value } } } } }`,
		map[string]any{"a": idA, "b": rev.ReviseAnalysis.ID})
	r.decode(t, &diff)
	d := diff.DiffAnalyses
	if len(d.Changed) != 1 || d.Changed[0].Incident.ID != e.incidents[0] || d.Changed[0].Axis1 == nil || d.Changed[0].Axis1.From != 1 || d.Changed[0].Axis1.To != 2 {
		t.Fatalf("diff across versions = %+v", d)
	}
	if d.Pair.Axis1.Percent.Value != 0.75 {
		t.Errorf("percent agreement = %v, want 0.75", d.Pair.Axis1.Percent.Value)
	}

	for _, tt := range []struct {
		name, query string
		vars        map[string]any
		code, field string
	}{
		{"ForeignAnalysisID", `query($t: ID!, $ids: [ID!]) { compareAnalyses(targetId: $t, analysisIds: $ids) { revision } }`,
			map[string]any{"t": e.target, "ids": []string{idA, e.prefix + "nope"}}, "BAD_USER_INPUT", "analysisIds.1"},
		{"UnknownTarget", `query($t: ID!) { compareAnalyses(targetId: $t) { revision } }`, map[string]any{"t": e.prefix + "nope"}, "NOT_FOUND", "targetId"},
		{"DiffUnknown", `query($a: ID!, $b: ID!) { diffAnalyses(a: $a, b: $b) { a { id } } }`, map[string]any{"a": idA, "b": e.prefix + "nope"}, "NOT_FOUND", "b"},
		{"BadMetric", `query($t: ID!) { compareAnalyses(targetId: $t, metric: LOUDEST) { revision } }`, map[string]any{"t": e.target}, "GRAPHQL_VALIDATION_FAILED", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, r := postAs(t, e.srv, e.vw, tt.query, tt.vars)
			if r.code() != tt.code {
				t.Fatalf("errors %+v, want code %s", r.Errors, tt.code)
			}
			if tt.field != "" && r.Errors[0].Extensions["field"] != tt.field {
				t.Errorf("field = %v, want %s", r.Errors[0].Extensions["field"], tt.field)
			}
		})
	}
	_ = idB
}

func TestFeedbackAddedReachesSubscribers(t *testing.T) {
	t.Parallel()
	e := newComparisonEnv(t)
	idA := e.analyse(t, e.analystA, e.prefix+"analysis-a", []int{1, 1, 1, 1}, []int{1, 1, 1, 1})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	c := e.subscribe(ctx, t, wsclient.TransportWS, e.analystA, `subscription($t: ID) { feedbackAdded(targetId: $t) { id kind text about { id } } }`, map[string]any{"t": e.target})
	// The subscription registers before the feedback is given.
	tstest.WaitFor(t, 10*time.Second, func() error {
		if n := e.fbBus.Subscribers(resolvers.FeedbackTopic); n != 1 {
			return fmt.Errorf("%d subscribers to feedback, want 1", n)
		}
		return nil
	})
	e.mustDo(t, e.vw, `mutation($a: ID!) { submitFeedback(input: {kind: NEW_RISK, text: "Pets can trigger the shutter", aboutId: $a}) { id } }`, map[string]any{"a": idA})
	_, payload, err := c.NextData(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Data struct {
			FeedbackAdded struct {
				Kind, Text string
				About      struct{ ID string }
			}
		}
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatal(err)
	}
	if f := ev.Data.FeedbackAdded; f.Kind != "NEW_RISK" || f.About.ID != idA {
		t.Fatalf("feedbackAdded = %s", payload)
	}
}

// ordinalAlpha computes Krippendorff's alpha with the ordinal metric for
// complete data (coders × units), written out from Krippendorff (2011)
// independently of package compare.
func ordinalAlpha(data [][]int) float64 {
	values := map[int]bool{}
	for _, row := range data {
		for _, v := range row {
			values[v] = true
		}
	}
	var vs []int
	for v := range values {
		vs = append(vs, v)
	}
	slices.Sort(vs)
	idx := map[int]int{}
	for i, v := range vs {
		idx[v] = i
	}
	k := len(vs)
	o := make([][]float64, k)
	for i := range o {
		o[i] = make([]float64, k)
	}
	m := float64(len(data))
	for u := range data[0] {
		for i := range data {
			for j := range data {
				if i != j {
					o[idx[data[i][u]]][idx[data[j][u]]] += 1 / (m - 1)
				}
			}
		}
	}
	nc := make([]float64, k)
	n := 0.0
	for c := range k {
		for kk := range k {
			nc[c] += o[c][kk]
		}
		n += nc[c]
	}
	delta := func(c, kk int) float64 {
		if c > kk {
			c, kk = kk, c
		}
		s := 0.0
		for g := c; g <= kk; g++ {
			s += nc[g]
		}
		s -= (nc[c] + nc[kk]) / 2
		return s * s
	}
	do, de := 0.0, 0.0
	for c := range k {
		for kk := range k {
			do += o[c][kk] * delta(c, kk)
			de += nc[c] * nc[kk] * delta(c, kk)
		}
	}
	return 1 - do/(de/(n-1))
}

// quadraticKappa computes Cohen's kappa with quadratic weights on the rank
// values, from its textbook definition.
func quadraticKappa(a, b []int) float64 {
	n := float64(len(a))
	num, den := 0.0, 0.0
	for i := range a {
		num += float64((a[i] - b[i]) * (a[i] - b[i]))
	}
	for i := range a {
		for j := range b {
			den += float64((a[i] - b[j]) * (a[i] - b[j]))
		}
	}
	return 1 - (num/n)/(den/(n*n))
}

func assertClose(t *testing.T, what string, got *float64, want float64) {
	t.Helper()
	if got == nil {
		t.Errorf("%s = null, want %.4f", what, want)
		return
	}
	if math.Abs(*got-want) > 1e-9 {
		t.Errorf("%s = %.6f, want %.6f", what, *got, want)
	}
}
