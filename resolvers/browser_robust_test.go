package resolvers_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http/httptest"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ssfgraph/ssfgraph/graph/broker"
	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j"
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

	ctx := headlessBrowser(t)
	ctx, cancel := context.WithTimeout(ctx, 120*time.Second)
	defer cancel()
	signInPage(t, ctx, first.URL+"/targets/"+e.target+"/compare", e.analystA)
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
	liveWith := func(what string) string {
		t.Helper()
		rev, err := chromedp.Run(ctx, chromedp.Poll[string](
			`document.querySelectorAll('td.cell').length === 4 && document.getElementById('status').textContent.startsWith('ライブ') && document.getElementById('revision').textContent`,
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
		t.Fatalf("5 s after the server stopped the status says %q, not that it went away", status)
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
