package resolvers_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/ssfgraph/ssfgraph/graph/broker"
	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j"
	"github.com/ssfgraph/ssfgraph/internal/browsertest"
	"github.com/ssfgraph/ssfgraph/live"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// trackedListener remembers every connection it accepts, so that a test
// can cut them all, websockets included (net/http forgets a hijacked
// connection, and httptest.Server.Close leaves it open).
type trackedListener struct {
	net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func (l *trackedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.mu.Lock()
		l.conns = append(l.conns, c)
		l.mu.Unlock()
	}
	return c, err
}

// cut closes every connection accepted so far.
func (l *trackedListener) cut() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		c.Close()
	}
	l.conns = nil
}

// processServer is one run of the server process: NewHandler over store
// with a bus and live comparisons of its own (as a restarted process has),
// served at addr ("127.0.0.1:0" for any port).
type processServer struct {
	*httptest.Server
	ln *trackedListener
}

// startProcess serves a new handler over store at addr. It retries the
// listen for a few seconds while the address is still in use.
func startProcess(t *testing.T, store *neo4j.DB, addr string) *processServer {
	t.Helper()
	var (
		ln  net.Listener
		err error
	)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		ln, err = net.Listen("tcp", addr)
		if err == nil || !errors.Is(err, syscall.EADDRINUSE) || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatalf("listening on %s: %v", addr, err)
	}
	bus := broker.New[*live.Snapshot]()
	fbBus := broker.New[*model.FeedbackEvent]()
	lv := live.New(store, bus, 0, nil)
	p := &processServer{ln: &trackedListener{Listener: ln}}
	p.Server = httptest.NewUnstartedServer(resolvers.NewHandler(resolvers.Options{Store: store, Bus: bus, FeedbackBus: fbBus, Live: lv}))
	p.Listener.Close()
	p.Listener = p.ln
	p.Start()
	t.Cleanup(func() { p.stop(); lv.Close(); fbBus.Close(); bus.Close() })
	return p
}

// stop ends the process's serving: no more connections, and every open one
// (websockets included) cut.
func (p *processServer) stop() {
	p.ln.cut()
	p.Close()
	p.ln.cut()
}

// TestComparisonPageReconnects opens the live comparison page in
// Japanese, stops the server under it and starts a new one at the same
// address: the page must say (in Japanese) that the server went away,
// retry with growing pauses rather than hammer the address, come back by
// itself with the matrix, and redraw after a change made through the new
// server.
func TestComparisonPageReconnects(t *testing.T) {
	e := newComparisonEnv(t)
	e.analyse(t, e.analystA, e.prefix+"analysis-a", []int{1, 2, 3, 4}, []int{2, 2, 4, 1})
	first := startProcess(t, e.db, "127.0.0.1:0")
	addr := first.Listener.Addr().String()

	ctx := browsertest.New(t)
	ctx, cancel := context.WithTimeout(ctx, 120*time.Second)
	defer cancel()
	browsertest.SignIn(t, ctx, first.URL+"/targets/"+e.target+"/compare", e.analystA)
	// Every websocket the page opens from now on, by when (Date.now()).
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`(W => {
		window.dials = [];
		window.WebSocket = function (...args) { window.dials.push(Date.now()); return new W(...args); };
	})(window.WebSocket)`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`(s => (s.value = 'ja', s.dispatchEvent(new Event('change'))))(document.getElementById('lang'))`)); err != nil {
		t.Fatal(err)
	}
	// liveWith waits for a matrix drawn since the last call (the drawn one
	// is marked old) and the status saying live.
	liveWith := func(what string) string {
		t.Helper()
		rev, err := chromedp.Run(ctx, chromedp.Poll[string](
			`(b => b && !b.dataset.old && (b.dataset.old = 'yes'))(document.querySelector('#matrix tbody')) && document.querySelectorAll('td.cell').length === 4 && document.getElementById('status').textContent.startsWith('ライブ') && document.getElementById('revision').textContent`,
			chromedp.WithPollingTimeout(30*time.Second)))
		if err != nil {
			status, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('status').textContent`))
			t.Fatalf("%s: the page is not live with its 4 cells (status %q): %v", what, status, err)
		}
		return rev
	}
	liveWith("before the stop")

	first.stop()
	down := time.Now()
	gone, err := chromedp.Run(ctx, chromedp.Poll[string](
		`(s => s.className === 'error' && s.textContent.includes('サーバーとの接続が切れました') && s.textContent)(document.getElementById('status'))`,
		chromedp.WithPollingTimeout(5*time.Second)))
	if err != nil {
		status, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('status').textContent`))
		t.Fatalf("5 s after the server stopped the status says %q, not that it went away: %v", status, err)
	}
	t.Logf("status %q %s after the stop", gone, time.Since(down).Round(time.Millisecond))

	// 4.5 s without a server: pauses of 1 s, 2 s, 4 s (each between half
	// and all of it) allow at most 3 attempts, a fixed 1 s pause 4.
	const outage = 4500 * time.Millisecond
	time.Sleep(time.Until(down.Add(outage)))
	dials, err := chromedp.Run(ctx, chromedp.Evaluate[[]int64](`window.dials`))
	if err != nil {
		t.Fatal(err)
	}
	var tries []time.Time
	for _, d := range dials {
		if at := time.UnixMilli(d); at.After(down) {
			tries = append(tries, at)
		}
	}
	gaps := make([]time.Duration, 0, len(tries))
	for i := 1; i < len(tries); i++ {
		gaps = append(gaps, tries[i].Sub(tries[i-1]).Round(time.Millisecond))
	}
	t.Logf("%d attempts in the %s outage, %s apart", len(tries), outage, gaps)
	if len(tries) == 0 || len(tries) > 3 {
		t.Errorf("the page tried %d times in %s; want 1 to 3 (backing off from 1 s)", len(tries), outage)
	}
	for i, g := range gaps {
		if g < 900*time.Millisecond || i > 0 && g < gaps[i-1]-100*time.Millisecond {
			t.Errorf("pauses between attempts %s: want each at least 1 s and none shorter than the one before", gaps)
			break
		}
	}

	second := startProcess(t, e.db, addr)
	back := time.Now()
	rev := liveWith("after the restart")
	t.Logf("live again %s after the new server started (revision %s)", time.Since(back).Round(time.Millisecond), rev)

	_, r := postAs(t, second.Server, e.analystA, `mutation($id: ID!, $t: ID!) { createAnalysis(input: {id: $id, targetId: $t, title: "After the restart", visibility: PUBLIC}) { id } }`,
		map[string]any{"id": e.prefix + "analysis-c", "t": e.target})
	if len(r.Errors) > 0 {
		t.Fatalf("createAnalysis on the new server: %+v", r.Errors)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[string](fmt.Sprintf(
		`(r => Number(r) > %s && r)(document.getElementById('revision').textContent)`, rev),
		chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("the reconnected page did not redraw after a change: %v", err)
	}
}

// focused describes the focused element: its id, else its tag and, for a
// cell, its incident and analysis.
const focused = `(a => a.id || (a.dataset.incident ? 'cell ' + a.dataset.incident + ' ' + a.dataset.analysis : a.tagName.toLowerCase()))(document.activeElement)`

// focusStyle is the focused element's computed outline, "" when it has
// none or it is not :focus-visible.
const focusStyle = `(a => (s => a.matches(':focus-visible') && s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 ? s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor : '')(getComputedStyle(a)))(document.activeElement)`

// TestComparisonPageKeyboard works the page from the keyboard alone: Tab
// from the top reaches the language switch and then the first cell, Enter
// on it opens the details with the focus on their Close button, and
// Escape closes them and gives the focus back to the cell, even when a
// change redrew the matrix meanwhile. Each focused control shows a visible
// outline.
func TestComparisonPageKeyboard(t *testing.T) {
	e := newComparisonEnv(t)
	e.analyse(t, e.analystA, e.prefix+"analysis-a", []int{1, 2, 3, 4}, []int{2, 2, 4, 1})
	ctx := browsertest.New(t)
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	browsertest.SignIn(t, ctx, e.srv.URL+"/targets/"+e.target+"/compare", e.analystA)
	// Signed in, from the top of a fresh load.
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	firstCell, err := chromedp.Run(ctx, chromedp.Poll[string](
		`document.querySelectorAll('td.cell').length === 4 && (b => 'cell ' + b.dataset.incident + ' ' + b.dataset.analysis)(document.querySelector('#matrix .cell-button'))`,
		chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil {
		t.Fatalf("no matrix: %v", err)
	}
	revision, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('revision').textContent`))
	if err != nil {
		t.Fatal(err)
	}

	tab := func() (string, string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
			t.Fatal(err)
		}
		at, err := chromedp.Run(ctx, chromedp.Evaluate[string](focused))
		if err != nil {
			t.Fatal(err)
		}
		style, _ := chromedp.Run(ctx, chromedp.Evaluate[string](focusStyle))
		return at, style
	}
	var path []string
	for len(path) < 10 {
		at, style := tab()
		path = append(path, at)
		if style == "" {
			t.Errorf("%s has no visible focus outline", at)
		}
		if at == "lang" {
			break
		}
	}
	if path[len(path)-1] != "lang" {
		t.Fatalf("Tab from the top goes %v, never to the language switch", path)
	}
	// After the language switch come the statistics' "?" buttons (each
	// showing its explanation when focused) and the choice of analyses,
	// and then the first cell, each with a visible focus.
	var between []string
	at, style := tab()
	for !strings.HasPrefix(at, "cell ") && len(between) < 20 {
		if style == "" {
			t.Errorf("%s has no visible focus outline", at)
		}
		if strings.HasPrefix(at, "help-") {
			if shown, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`(t => !!t && !t.hidden)(document.getElementById(document.activeElement.getAttribute('aria-describedby')))`)); !shown {
				t.Errorf("%s, focused, shows no explanation", at)
			}
		}
		between = append(between, at)
		at, style = tab()
	}
	t.Logf("Tab goes %v, then %v, then %s (outline %s)", path, between, at, style)
	if at != firstCell {
		t.Fatalf("after the language switch Tab goes through %v to %s, want the first cell (%s)", between, at, firstCell)
	}

	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	if at, err := chromedp.Run(ctx, chromedp.Poll[string](
		`!document.getElementById('details').hidden && document.getElementById('details-rationale') && `+focused,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil || at != "details-close" {
		t.Fatalf("Enter on the cell: details shown with the focus on %q (%v), want details-close", at, err)
	}
	if style, _ := chromedp.Run(ctx, chromedp.Evaluate[string](focusStyle)); style == "" {
		t.Error("the details' Close button has no visible focus outline")
	}

	// A change redraws the matrix (new buttons) while the details are open.
	e.mustDo(t, e.analystA, `mutation($id: ID!, $t: ID!) { createAnalysis(input: {id: $id, targetId: $t, title: "Meanwhile", visibility: PUBLIC}) { id } }`,
		map[string]any{"id": e.prefix + "analysis-b", "t": e.target})
	if _, err := chromedp.Run(ctx, chromedp.Poll[string](fmt.Sprintf(
		`(r => Number(r) > %s && r)(document.getElementById('revision').textContent)`, revision),
		chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("no redraw after the change: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
		t.Fatal(err)
	}
	back, err := chromedp.Run(ctx, chromedp.Poll[string](`document.getElementById('details').hidden && `+focused,
		chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil || back != firstCell {
		t.Errorf("Escape: details hidden with the focus on %q (%v), want the cell that opened them (%s)", back, err, firstCell)
	}
}

// contrasts computes, in the page, the WCAG contrast ratio of the text of
// the first element of each selector against its background (the
// backgrounds of it and its ancestors composed over white); an element
// missing is reported with ratio 0.
const contrasts = `(sels => {
  const rgba = (c) => { const m = c.match(/[\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const over = (top, under) => top.slice(0, 3).map((v, i) => top[3] * v + (1 - top[3]) * under[i]).concat(1);
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  return sels.map((sel) => {
    const el = document.querySelector(sel);
    if (!el) return { sel, ratio: 0 };
    const layers = [];
    for (let e = el; e; e = e.parentElement) layers.push(rgba(getComputedStyle(e).backgroundColor));
    const bg = layers.reverse().reduce((under, top) => over(top, under), [255, 255, 255, 1]);
    const fg = over(rgba(getComputedStyle(el).color), bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    return { sel, ratio: (hi + 0.05) / (lo + 0.05), fg: String(fg.slice(0, 3).map(Math.round)), bg: String(bg.slice(0, 3).map(Math.round)) };
  });
})`

// unlabelled lists the form controls of the page without an accessible
// name (label element, aria-label, aria-labelledby, or a button's text).
const unlabelled = `[...document.querySelectorAll('input, select, textarea, button')].filter((c) => {
  const text = (s) => (s || '').trim();
  const by = text(c.getAttribute('aria-labelledby')).split(/\s+/).filter(Boolean).map((id) => (document.getElementById(id) || {}).textContent).join('');
  const labels = [...(c.labels || [])].map((l) => l.textContent).join('');
  return !(text(c.getAttribute('aria-label')) || text(by) || text(labels) || (c.tagName === 'BUTTON' && text(c.textContent)));
}).map((c) => c.outerHTML.slice(0, 120))`

// TestComparisonPageContrastAndLabels measures, in the browser, the
// contrast of the status line (normal and error), the headers and the
// cells of each level and of a missing assessment, and fails under WCAG
// AA's 4.5:1; and checks that every form control has an accessible name.
func TestComparisonPageContrastAndLabels(t *testing.T) {
	e := newComparisonEnv(t)
	e.analyse(t, e.analystA, e.prefix+"analysis-a", []int{1, 2, 3, 4}, []int{2, 2, 4, 1})
	partial := e.prefix + "analysis-b" // assesses one incident of four: the others are missing
	e.mustDo(t, e.analystB, `mutation($id: ID!, $t: ID!) { createAnalysis(input: {id: $id, targetId: $t, title: "Partial", visibility: PUBLIC}) { id } }`,
		map[string]any{"id": partial, "t": e.target})
	e.mustDo(t, e.analystB, `mutation($a: ID!, $i: ID!) { assessIncident(input: {analysisId: $a, incidentId: $i, axis1: 2, axis2: 2, rationale: "r"}) { id } }`,
		map[string]any{"a": partial, "i": e.incidents[0]})
	ctx := browsertest.New(t)
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	browsertest.SignIn(t, ctx, e.srv.URL+"/targets/"+e.target+"/compare", e.analystA)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll('td.cell').length === 8 && document.querySelectorAll('td.missing').length === 3`,
		chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("no matrix with 8 cells, 3 of them missing: %v", err)
	}
	type contrast struct {
		Sel    string
		Ratio  float64
		FG, BG string
	}
	check := func(state string, sels ...string) {
		t.Helper()
		selsJSON, _ := json.Marshal(sels)
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]contrast](contrasts+"("+string(selsJSON)+")"))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range got {
			if c.Ratio < 4.5 {
				t.Errorf("%s: %s has contrast %.2f:1 (text %s on %s), want at least 4.5:1", state, c.Sel, c.Ratio, c.FG, c.BG)
			}
		}
		t.Logf("%s: %+v", state, got)
	}
	check("live", "#status", "h1", "nav a", "label", "#summary dt", "#summary dd", "#matrix thead th", "#matrix th[scope=row]",
		"td.level-1 .cell-button", "td.level-2 .cell-button", "td.level-3 .cell-button", "td.level-4 .cell-button", "td.missing")
	// The status line in its error style (as after a lost server or a refused token).
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('status').className = 'error'`)); err != nil {
		t.Fatal(err)
	}
	check("error status", "#status")

	bad, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](unlabelled))
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Errorf("form controls without an accessible name: %q", bad)
	}
	n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('input, select, textarea, button').length`))
	if n < 8 { // the language switch, the token and its button, Close, and a button per assessed cell
		t.Errorf("only %d form controls checked", n)
	}
}

// importComparison writes, through importDocument (one native document
// per analysis, not a mutation per assessment), a target of org with
// `incidents` incidents and `analyses` PUBLIC analyses that each assess
// every incident (loaded as drafts and submitted, as only an admin may
// load a submitted one), with ranks that differ between analyses. It
// returns the target's id.
func importComparison(t *testing.T, e *testEnv, token, org string, analyses, incidents int) string {
	t.Helper()
	target := e.p + "big-target"
	var incs []map[string]any
	for i := range incidents {
		incs = append(incs, map[string]any{"id": fmt.Sprintf("%sbig-inc-%03d", e.p, i), "name": fmt.Sprintf("Incident %d: the shutter moves on a forged command", i), "consequence": "property"})
	}
	const load = `mutation($c: String!) { importDocument(content: $c, format: NATIVE) { nodes { kind created } } }`
	start := time.Now()
	for a := range analyses {
		var assessments []map[string]any
		for i := range incidents {
			assessments = append(assessments, map[string]any{"incident": incs[i]["id"],
				"axis1": 1 + (i+a*(i%3))%4, "axis2": 1 + (i*7+a*(i%2))%4, "rationale": fmt.Sprintf("Reason %d of analysis %d", i, a)})
		}
		doc, err := json.Marshal(map[string]any{
			"apiVersion":   "ssfgraph/v1",
			"kind":         "AnalysisDocument",
			"organization": map[string]any{"id": org, "name": org, "sector": "home"},
			"target":       map[string]any{"id": target, "name": "Smart window shutter fleet", "sector": "home", "incidents": incs},
			"analysis": map[string]any{"id": fmt.Sprintf("%sbig-analysis-%02d", e.p, a), "title": fmt.Sprintf("Home appliance team's view %d", a),
				"status": "DRAFT", "version": 1, "visibility": "PUBLIC", "assessments": assessments},
		})
		if err != nil {
			t.Fatal(err)
		}
		e.must(t, token, load, map[string]any{"c": string(doc)}, nil)
		e.must(t, token, `mutation($id: ID!) { submitAnalysis(id: $id) { status } }`, map[string]any{"id": fmt.Sprintf("%sbig-analysis-%02d", e.p, a)}, nil)
	}
	t.Logf("imported %d analyses × %d incidents in %s", analyses, incidents, time.Since(start).Round(time.Millisecond))
	return target
}

// TestComparisonPageFirstRender opens the page of a target with 10
// submitted analyses of 200 incidents each and measures, in the browser,
// the time from the navigation's start to the first matrix drawn (the
// page's ssfgraph:first-render mark), with its 2,000 cells; it logs that
// time, the size of the first comparison the server sent, and the page's
// weight (its own HTML, JavaScript and CSS).
//
//	NEO4J_URI=bolt://127.0.0.1:7687 go test -count=1 -run TestComparisonPageFirstRender -v ./resolvers
func TestComparisonPageFirstRender(t *testing.T) {
	const analyses, incidents = 10, 200
	e := newEnv(t, resolvers.Options{})
	org := e.org(t, "org", "home")
	token := e.token(t, org, model.RoleAnalyst)
	target := importComparison(t, e, token, org, analyses, incidents)

	ctx := browsertest.New(t)
	ctx, cancel := context.WithTimeout(ctx, 120*time.Second)
	defer cancel()
	url := e.srv.URL + "/targets/" + target + "/compare"
	browsertest.SignIn(t, ctx, url, token)
	const drawn = `(m => m.length && document.querySelectorAll('td.cell').length)(performance.getEntriesByName('ssfgraph:first-render'))`
	if _, err := chromedp.Run(ctx, chromedp.Poll[int](drawn, chromedp.WithPollingTimeout(60*time.Second))); err != nil {
		t.Fatalf("no matrix after signing in: %v", err)
	}
	type measure struct {
		FirstRender, DOMContentLoaded float64
		Cells                         int
	}
	var runs []measure
	for range 3 { // signed in: each load draws from the server's comparison (the first also warms the caches)
		if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
			t.Fatal(err)
		}
		m, err := chromedp.Run(ctx, chromedp.Poll[measure](`(m => m.length && {firstRender: m[0].startTime,
			domContentLoaded: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
			cells: document.querySelectorAll('td.cell').length})(performance.getEntriesByName('ssfgraph:first-render'))`,
			chromedp.WithPollingTimeout(60*time.Second)))
		if err != nil {
			t.Fatalf("no first-render mark after a reload: %v", err)
		}
		if m.Cells != analyses*incidents {
			t.Fatalf("the first matrix drawn has %d cells, want %d", m.Cells, analyses*incidents)
		}
		runs = append(runs, m)
	}
	for i, m := range runs {
		t.Logf("load %d: first matrix (%d cells) drawn %.0f ms after the navigation started (DOMContentLoaded at %.0f ms)", i+1, m.Cells, m.FirstRender, m.DOMContentLoaded)
	}
	// The drawing alone: the language switch redraws the matrix from the
	// comparison the page holds, synchronously (the median of 9).
	redraw, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`(s => {
		const times = [];
		for (let i = 0; i < 9; i++) {
			const t0 = performance.now();
			s.value = s.value === 'ja' ? 'en' : 'ja';
			s.dispatchEvent(new Event('change'));
			times.push(performance.now() - t0);
		}
		return times.sort((a, b) => a - b)[4];
	})(document.getElementById('lang'))`))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("redrawing the %d cells (language switch, median of 9): %.0f ms", analyses*incidents, redraw)

	// The page's own weight, as the browser loaded it, and as files.
	type resource struct {
		Name                                           string
		TransferSize, EncodedBodySize, DecodedBodySize float64
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[[]resource](`[...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
		.filter((r) => r.name.startsWith(location.origin))
		.map((r) => ({name: new URL(r.name).pathname, transferSize: r.transferSize, encodedBodySize: r.encodedBodySize, decodedBodySize: r.decodedBodySize}))`))
	if err != nil {
		t.Fatal(err)
	}
	var encoded, decoded float64
	seen := map[string]bool{}
	for _, r := range res {
		encoded += r.EncodedBodySize
		decoded += r.DecodedBodySize
		seen[filepath.Base(r.Name)] = true
	}
	for _, want := range []string{"compare.js", "common.js", "i18n.js", "app.css"} {
		if !seen[want] {
			t.Errorf("the page did not load %s: %+v", want, res)
		}
	}
	var files int64
	dir := filepath.Join("..", "web", "static", "app")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range entries {
		if name := f.Name(); name == "compare.html" || strings.HasSuffix(name, ".js") || strings.HasSuffix(name, ".css") {
			info, err := f.Info()
			if err != nil {
				t.Fatal(err)
			}
			files += info.Size()
			names = append(names, name)
		}
	}
	t.Logf("page weight: %.1f KiB over the wire (%d resources, %.1f KiB decoded); %s: %.1f KiB as files",
		encoded/1024, len(res), decoded/1024, strings.Join(names, ", "), float64(files)/1024)
}

// TestComparisonPageAtTabletWidth opens a wide matrix (8 analyses) at
// 768 × 1024: the page itself must not scroll sideways (the matrix scrolls
// in its own box), the header must wrap within the width, and the text
// keep a readable size. It writes the screenshot compare-tablet.
func TestComparisonPageAtTabletWidth(t *testing.T) {
	e := newEnv(t, resolvers.Options{})
	org := e.org(t, "org", "home")
	token := e.token(t, org, model.RoleAnalyst)
	target := importComparison(t, e, token, org, 8, 12)

	ctx := browsertest.New(t)
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(768, 1024)); err != nil {
		t.Fatal(err)
	}
	browsertest.SignIn(t, ctx, e.srv.URL+"/targets/"+target+"/compare", token)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll('td.cell').length === 96`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("no matrix of 96 cells: %v", err)
	}
	type layout struct {
		InnerWidth, PageWidth, ScrollWidth, ScrollClient, TableWidth int
		OverflowX                                                    string
		HeaderLines                                                  int
		HeaderOut, Small                                             []string
		NavGaps                                                      []int // between the header's links
		RowLines                                                     int   // the most lines an incident's name takes
		StuckAt                                                      int   // the first incident name's left edge less the box's, scrolled to the far right
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[layout](`(() => {
  const scroll = document.querySelector('.scroll');
  const header = [...document.querySelector('header').children];
  const text = [...document.querySelectorAll('header *, main *')].filter((e) => e.offsetParent && [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()));
  return {
    innerWidth, pageWidth: document.documentElement.scrollWidth,
    scrollWidth: scroll.scrollWidth, scrollClient: scroll.clientWidth, tableWidth: document.getElementById('matrix').offsetWidth,
    overflowX: getComputedStyle(scroll).overflowX,
    headerLines: new Set(header.map((e) => Math.round(e.getBoundingClientRect().top))).size,
    headerOut: header.filter((e) => e.getBoundingClientRect().right > innerWidth).map((e) => e.outerHTML.slice(0, 80)),
    small: text.filter((e) => parseFloat(getComputedStyle(e).fontSize) < 12).map((e) => e.tagName + ' ' + getComputedStyle(e).fontSize),
    navGaps: [...document.querySelectorAll('#nav a')].map((a) => a.getBoundingClientRect()).slice(1).map((r, i, rs) => Math.round(r.left - (i ? rs[i - 1] : document.querySelector('#nav a').getBoundingClientRect()).right)),
    rowLines: Math.max(...[...document.querySelectorAll('#matrix th[scope=row]')].map((th) => { const s = getComputedStyle(th); return Math.round((th.clientHeight - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom)) / parseFloat(s.lineHeight)); })),
    stuckAt: (scroll.scrollLeft = scroll.scrollWidth, Math.round(document.querySelector('#matrix th[scope=row]').getBoundingClientRect().left - scroll.getBoundingClientRect().left)),
  };
})()`))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("at 768 px: %+v", got)
	if got.InnerWidth != 768 {
		t.Fatalf("the viewport is %d px wide, want 768", got.InnerWidth)
	}
	if got.PageWidth > got.InnerWidth {
		t.Errorf("the page is %d px wide in a %d px viewport: it scrolls sideways", got.PageWidth, got.InnerWidth)
	}
	if got.TableWidth > got.ScrollClient && (got.OverflowX != "auto" && got.OverflowX != "scroll" || got.ScrollWidth < got.TableWidth) {
		t.Errorf("the %d px matrix does not scroll in its %d px box (overflow-x %s, scrollWidth %d)", got.TableWidth, got.ScrollClient, got.OverflowX, got.ScrollWidth)
	}
	if got.HeaderLines < 2 || len(got.HeaderOut) > 0 {
		t.Errorf("the header is on %d line(s) with %q past the right edge; want it wrapped within the width", got.HeaderLines, got.HeaderOut)
	}
	if len(got.Small) > 0 {
		t.Errorf("text under 12 px: %q", got.Small)
	}
	for _, g := range got.NavGaps {
		if g < 8 {
			t.Errorf("the header's links are %v px apart, want at least 8 px (they read as one word)", got.NavGaps)
			break
		}
	}
	if got.RowLines > 3 {
		t.Errorf("an incident's name takes %d lines, want at most 3", got.RowLines)
	}
	if got.StuckAt < 0 || got.StuckAt > 2 {
		t.Errorf("scrolled to the right, the incident names are %d px from the box's left edge: they scrolled out of view", got.StuckAt)
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('.scroll').scrollLeft = 0`)); err != nil {
		t.Fatal(err)
	}
	browsertest.Screenshot(t, ctx, "compare-tablet")
}
