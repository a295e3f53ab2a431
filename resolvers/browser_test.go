package resolvers_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ssfgraph/ssfgraph/internal/browsertest"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// TestGraphiQLRunsOffline opens GraphiQL in a real browser that reaches
// nothing but the server, runs a query and reads its answer.
func TestGraphiQLRunsOffline(t *testing.T) {
	srv := newServer(t, resolvers.Options{Version: "v-offline"})
	ctx := browsertest.New(t)
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`.graphiql-query-editor .CodeMirror`)),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue('{ serverInfo { version } }')`),
		chromedp.Click(chromedp.CSS(`.graphiql-execute-button`)),
	)
	if err != nil {
		t.Fatalf("GraphiQL did not load or run the query: %v", err)
	}
	response, err := chromedp.Run(ctx, chromedp.Poll[string](
		`(t => t.includes('v-offline') && t)((document.querySelector('.result-window') || {}).innerText || '')`,
		chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil {
		t.Fatalf("GraphiQL shows no answer: %v", err)
	}
	if !strings.Contains(response, `"version": "v-offline"`) {
		t.Errorf("GraphiQL shows %q", response)
	}
}

// TestComparisonPageIsLive signs in on the comparison page, checks its
// matrix and statistics against the API's, and then makes a change through
// the API: the open page must redraw with a higher revision, without a
// reload.
func TestComparisonPageIsLive(t *testing.T) {
	e := newComparisonEnv(t)
	e.analyse(t, e.analystA, e.prefix+"analysis-a", []int{1, 2, 3, 4}, []int{2, 2, 4, 1})
	e.analyse(t, e.analystB, e.prefix+"analysis-b", []int{1, 3, 3, 2}, []int{2, 1, 4, 1})
	var api struct {
		CompareAnalyses struct {
			Revision  int
			Analyses  []any
			Incidents []any
			Agreement struct{ Axis1 struct{ Value *float64 } }
		}
	}
	e.must(t, e.analystA, `query($t: ID!) { compareAnalyses(targetId: $t, includeDrafts: true) { revision analyses { incidents } incidents { divergent } agreement { axis1 { value } } } }`,
		map[string]any{"t": e.target}, &api)
	want := api.CompareAnalyses
	if want.Agreement.Axis1.Value == nil {
		t.Fatal("the API gives no alpha for axis 1")
	}

	ctx := browsertest.New(t)
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	browsertest.SignIn(t, ctx, e.srv.URL+"/targets/"+e.target+"/compare", e.analystA)
	cells := len(want.Analyses) * len(want.Incidents)
	got, err := chromedp.Run(ctx, chromedp.Poll[map[string]any](fmt.Sprintf(
		`document.querySelectorAll('td.cell').length === %d && {revision: document.getElementById('revision').textContent, alpha: document.getElementById('alpha-axis1').textContent, divergent: document.querySelectorAll('tr.divergent').length}`, cells),
		chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil {
		status, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('status').textContent`))
		t.Fatalf("the page never showed %d cells (status %q): %v", cells, status, err)
	}
	if got["revision"] != strconv.Itoa(want.Revision) || got["alpha"] != strconv.FormatFloat(*want.Agreement.Axis1.Value, 'f', 2, 64) {
		t.Errorf("the page shows %v; the API revision %d, alpha %.2f", got, want.Revision, *want.Agreement.Axis1.Value)
	}
	// A cell opens what that analysis said of the incident.
	rationale, err := chromedp.Run(ctx, chromedp.Poll[string](
		`(document.querySelector('td.cell button').click(), (d => d && !document.getElementById('details').hidden && d.textContent)(document.getElementById('details-rationale')))`,
		chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil || rationale != "r" {
		t.Errorf("the cell's details show rationale %q (%v), want the assessment's %q", rationale, err, "r")
	}
	browsertest.Screenshot(t, ctx, "compare")

	// In Japanese, with the same figures.
	ja, err := chromedp.Run(ctx, chromedp.Poll[string](
		`(s => (s.value = 'ja', s.dispatchEvent(new Event('change')), document.querySelector('#summary dt').textContent))(document.getElementById('lang'))`,
		chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil || ja != "リビジョン" {
		t.Errorf("in Japanese the first statistic is %q (%v), want リビジョン", ja, err)
	}
	if label, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#details-body dt:nth-of-type(4)').textContent`)); err != nil || label != "根拠" {
		t.Errorf("the open details in Japanese say %q (%v), want 根拠", label, err)
	}
	start := time.Now()
	e.mustDo(t, e.analystA, `mutation($id: ID!, $t: ID!) { createAnalysis(input: {id: $id, targetId: $t, title: "Second look", visibility: PUBLIC}) { id } }`,
		map[string]any{"id": e.prefix + "analysis-c", "t": e.target})
	rev, err := chromedp.Run(ctx, chromedp.Poll[string](fmt.Sprintf(
		`(r => Number(r) > %d && r)(document.getElementById('revision').textContent)`, want.Revision),
		chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil {
		t.Fatalf("the page did not redraw after the change: %v", err)
	}
	t.Logf("redrawn with revision %s %s after the mutation was sent", rev, time.Since(start).Round(time.Millisecond))
}

// TestComparisonPageStates checks what the page says when things go
// wrong, and that it never shows an analysis its token may not read: a
// refused token signs out with the server's reason, an unknown target says
// so, and another organization's PRIVATE analysis has no column.
func TestComparisonPageStates(t *testing.T) {
	e := newComparisonEnv(t)
	e.analyse(t, e.analystA, e.prefix+"analysis-a", []int{1, 2, 3, 4}, []int{2, 2, 4, 1})
	e.mustDo(t, e.analystB, `mutation($id: ID!, $t: ID!) { createAnalysis(input: {id: $id, targetId: $t, title: "Kept to ourselves", visibility: PRIVATE}) { id } }`,
		map[string]any{"id": e.prefix + "private-b", "t": e.target})
	e.mustDo(t, e.analystB, `mutation($a: ID!, $i: ID!) { assessIncident(input: {analysisId: $a, incidentId: $i, axis1: 4, axis2: 4, rationale: "secret"}) { id } }`,
		map[string]any{"a": e.prefix + "private-b", "i": e.incidents[0]})

	ctx := browsertest.New(t)
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	signIn := func(path, token string) {
		t.Helper()
		browsertest.SignIn(t, ctx, e.srv.URL+path, token)
	}
	statusWith := func(want string) string {
		t.Helper()
		defer func(start time.Time) { t.Logf("status %q after %s", want, time.Since(start).Round(time.Millisecond)) }(time.Now())
		got, err := chromedp.Run(ctx, chromedp.Poll[string](fmt.Sprintf(
			`(s => s.includes(%q) && s)(document.getElementById('status').textContent)`, want), chromedp.WithPollingTimeout(15*time.Second)))
		if err != nil {
			last, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('status').textContent`))
			t.Errorf("the status never said %q; it says %q", want, last)
		}
		return got
	}

	signIn("/targets/"+e.target+"/compare", "ssf_not-a-token")
	statusWith("Signed out")
	if visible, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.getElementById('signin').hidden`)); !visible {
		t.Error("after a refused token the sign-in form is hidden")
	}

	signIn("/targets/"+e.prefix+"no-such-target/compare", e.analystA)
	statusWith("no-such-target")

	signIn("/targets/"+e.target+"/compare", e.analystA)
	cols, err := chromedp.Run(ctx, chromedp.Poll[int](
		`(n => n > 0 && n)(document.querySelectorAll('#matrix thead th').length)`, chromedp.WithPollingTimeout(15*time.Second)))
	if err != nil {
		t.Fatalf("no matrix: %v", err)
	}
	if cols != 2 { // the incident column and analysis-a
		html, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('matrix').innerText`))
		t.Errorf("%d header cells, want 2 (another organization's PRIVATE analysis shown?):\n%s", cols, html)
	}
	if text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`)); strings.Contains(text, "Kept to ourselves") {
		t.Error("the page shows another organization's PRIVATE analysis")
	}
}
