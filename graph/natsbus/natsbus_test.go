package natsbus_test

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model/bustest"
	"github.com/ssfgraph/ssfgraph/graph/natsbus"
	"github.com/ssfgraph/ssfgraph/graph/natsbus/natstest"
	"github.com/ssfgraph/ssfgraph/internal/tstest"
)

func dial[E any](t *testing.T, url string, o natsbus.Options) *natsbus.Bus[E] {
	t.Helper()
	b, err := natsbus.Dial[E](t.Context(), url, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

func TestContract(t *testing.T) {
	srv := natstest.Start(t)
	bustest.Run(t, func(t *testing.T) bustest.Bus {
		// Each test on its own prefix: the buses of earlier tests may
		// still be closing.
		return dial[bustest.Event](t, srv.URL(), natsbus.Options{Prefix: "contract" + time.Now().Format("150405.000000000")})
	})
}

func TestEventsReachOtherProcesses(t *testing.T) {
	srv := natstest.Start(t)
	a := dial[bustest.Event](t, srv.URL(), natsbus.Options{Name: "a"})
	b := dial[bustest.Event](t, srv.URL(), natsbus.Options{Name: "b"})
	onB := b.Subscribe(t.Context(), "comparison/t.1", 8)
	onA := a.Subscribe(t.Context(), "comparison/t.1", 8)
	a.Publish("comparison/t.1", bustest.Event{N: 7})
	for name, ch := range map[string]<-chan bustest.Event{"A (the publisher)": onA, "B": onB} {
		select {
		case ev := <-ch:
			if ev.N != 7 {
				t.Errorf("subscriber on %s got %d, want 7", name, ev.N)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("subscriber on %s got nothing", name)
		}
	}
}

func TestSubjects(t *testing.T) {
	for _, topic := range []string{"", "changes", "comparison/t.1", "a b*>_c", "日本"} {
		subj := natsbus.Subject("ssfgraph", topic)
		for i := len("ssfgraph."); i < len(subj); i++ {
			if c := subj[i]; c == '.' || c == '*' || c == '>' || c == ' ' || c > 0x7e {
				t.Errorf("Subject(%q) = %q: byte %q is not subject-safe", topic, subj, c)
			}
		}
		if got, ok := natsbus.Topic("ssfgraph", subj); !ok || got != topic {
			t.Errorf("Topic(Subject(%q)) = %q, %v", topic, got, ok)
		}
	}
	if got := natsbus.Subject("ssfgraph", "comparison/t.1"); got != "ssfgraph.comparison_2Ft_2E1" {
		t.Errorf("Subject = %q", got)
	}
	for _, bad := range []string{"other.x", "ssfgraph.x_", "ssfgraph.x_4", "ssfgraph.x_ZZ"} {
		if got, ok := natsbus.Topic("ssfgraph", bad); ok {
			t.Errorf("Topic(%q) = %q, true; want false", bad, got)
		}
	}
}

// TestReconnect stops the server and starts it again: the bus says so on
// Connection (false, then true), Ready follows, and events flow again.
func TestReconnect(t *testing.T) {
	srv := natstest.Start(t)
	a := dial[bustest.Event](t, srv.URL(), natsbus.Options{ReconnectWait: 50 * time.Millisecond})
	b := dial[bustest.Event](t, srv.URL(), natsbus.Options{ReconnectWait: 50 * time.Millisecond})
	states := b.Connection(t.Context())
	events := b.Subscribe(t.Context(), "x", 64)
	if err := b.Ready(t.Context()); err != nil {
		t.Fatalf("Ready while connected: %v", err)
	}

	srv.Stop()
	waitState(t, states, false)
	if err := b.Ready(t.Context()); err == nil {
		t.Error("Ready while the server is down = nil, want an error")
	}
	a.Publish("x", bustest.Event{N: 1}) // must not block while disconnected
	srv.Restart()
	waitState(t, states, true)
	if err := b.Ready(t.Context()); err != nil {
		t.Errorf("Ready after reconnecting: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := a.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	// Wait until A, reconnected too, gets its events through.
	deadline := time.After(10 * time.Second)
	for n := 2; ; n++ {
		a.Publish("x", bustest.Event{N: n})
		select {
		case ev := <-events:
			t.Logf("after the restart B got event %d", ev.N)
			return
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatal("no event reached B after the server came back")
		}
	}
}

func waitState(t *testing.T, states <-chan bool, want bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case s := <-states:
			if s == want {
				return
			}
		case <-deadline:
			t.Fatalf("the bus did not report connected=%v within 10s", want)
		}
	}
}

var streams atomic.Int64

// streamOptions returns options for a bus on a stream of its own.
func streamOptions() natsbus.Options {
	n := streams.Add(1)
	return natsbus.Options{Prefix: fmt.Sprintf("stream%d", n), Stream: fmt.Sprintf("TEST_%d", n), ReconnectWait: 50 * time.Millisecond}
}

func TestContractWithStream(t *testing.T) {
	srv := natstest.Start(t)
	bustest.Run(t, func(t *testing.T) bustest.Bus {
		return dial[bustest.Event](t, srv.URL(), streamOptions())
	})
}

// TestStreamReplaysAfterReconnect cuts one process's connection (through
// a proxy) while another publishes: when it reconnects, the stream gives
// it the events it missed, in order.
func TestStreamReplaysAfterReconnect(t *testing.T) {
	srv := natstest.Start(t)
	o := streamOptions()
	a := dial[bustest.Event](t, srv.URL(), o)
	px := newProxy(t, srv.URL())
	b := dial[bustest.Event](t, px.url, o)
	states := b.Connection(t.Context())
	events := b.Subscribe(t.Context(), "x", 64)

	a.Publish("x", bustest.Event{N: 1})
	if ev := <-events; ev.N != 1 {
		t.Fatalf("got %d, want 1", ev.N)
	}
	px.cut()
	waitState(t, states, false)
	for n := 2; n <= 4; n++ {
		a.Publish("x", bustest.Event{N: n})
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := a.Flush(ctx); err != nil {
		t.Fatalf("Flush with the server up: %v", err)
	}
	px.resume()
	waitState(t, states, true)
	for want := 2; want <= 4; want++ {
		select {
		case ev := <-events:
			if ev.N != want {
				t.Fatalf("after reconnecting B got %d, want %d", ev.N, want)
			}
		case <-time.After(15 * time.Second):
			t.Fatalf("after reconnecting B did not get event %d", want)
		}
	}
}

// TestStreamFlushReportsLoss: Flush fails when the server cannot store
// what was published.
func TestStreamFlushReportsLoss(t *testing.T) {
	srv := natstest.Start(t)
	a := dial[bustest.Event](t, srv.URL(), streamOptions())
	srv.Stop()
	a.Publish("x", bustest.Event{N: 1})
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	if err := a.Flush(ctx); err == nil {
		t.Fatal("Flush with the server down = nil, want an error")
	}
}

// proxy forwards TCP connections to a NATS server until cut.
type proxy struct {
	url    string
	target string
	mu     sync.Mutex
	open   bool
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	p := &proxy{url: "nats://" + ln.Addr().String(), target: strings.TrimPrefix(target, "nats://"), open: true}
	t.Cleanup(p.cut)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			if !p.open {
				p.mu.Unlock()
				c.Close()
				continue
			}
			s, err := net.Dial("tcp", p.target)
			if err != nil {
				p.mu.Unlock()
				c.Close()
				continue
			}
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { io.Copy(s, c); s.Close() }()
			go func() { io.Copy(c, s); c.Close() }()
		}
	}()
	return p
}

// cut closes every forwarded connection and refuses new ones.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.open = false
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// resume forwards new connections again.
func (p *proxy) resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.open = true
}

// TestCloseLeavesNoGoroutine: a bus, core or on a stream, ends every
// goroutine it started (its sender, nats.go's, the consumer's) on Close.
// The embedded server's goroutines (its streams and consumers live on)
// are not counted.
func TestCloseLeavesNoGoroutine(t *testing.T) {
	srv := natstest.Start(t)
	before := clientGoroutines()
	for _, o := range []natsbus.Options{{Name: "core"}, streamOptions()} {
		b, err := natsbus.Dial[bustest.Event](t.Context(), srv.URL(), o)
		if err != nil {
			t.Fatal(err)
		}
		ch := b.Subscribe(t.Context(), "x", 8)
		_ = b.Connection(t.Context())
		b.Publish("x", bustest.Event{N: 1})
		<-ch
		if n := len(clientGoroutines()); n <= len(before) {
			t.Fatalf("%d goroutines outside the server with a bus open, want more than the %d before", n, len(before))
		}
		b.Close()
	}
	tstest.WaitFor(t, 10*time.Second, func() error {
		if now := clientGoroutines(); len(now) > len(before) {
			return fmt.Errorf("%d goroutines outside the server, want at most %d:\n%s", len(now), len(before), strings.Join(now, "\n\n"))
		}
		return nil
	})
}

// clientGoroutines returns the stacks of the goroutines that are not the
// embedded NATS server's.
func clientGoroutines() []string {
	buf := make([]byte, 1<<22)
	var out []string
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if !strings.Contains(g, "nats-server/v2") {
			out = append(out, g)
		}
	}
	return out
}

// BenchmarkHop measures one event from a publisher's Publish to a
// subscriber on another connection, core NATS and on a stream, one event
// at a time; it reports p50 and p99.
func BenchmarkHop(b *testing.B) {
	srv := natstest.Start(b)
	for _, tt := range []struct {
		name string
		o    natsbus.Options
	}{{"Core", natsbus.Options{Prefix: "hop"}}, {"Stream", streamOptions()}} {
		b.Run(tt.name, func(b *testing.B) {
			pub, err := natsbus.Dial[bustest.Event](b.Context(), srv.URL(), tt.o)
			if err != nil {
				b.Fatal(err)
			}
			defer pub.Close()
			sub, err := natsbus.Dial[bustest.Event](b.Context(), srv.URL(), tt.o)
			if err != nil {
				b.Fatal(err)
			}
			defer sub.Close()
			ch := sub.Subscribe(b.Context(), "hop", 16)
			var hops []time.Duration
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				pub.Publish("hop", bustest.Event{N: i})
				if ev := <-ch; ev.N != i {
					b.Fatalf("got %d, want %d", ev.N, i)
				}
				hops = append(hops, time.Since(start))
			}
			slices.Sort(hops)
			b.ReportMetric(float64(hops[len(hops)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(hops[len(hops)*99/100].Microseconds()), "p99-µs")
		})
	}
}

// TestStreamCreatedAnew: when the server comes back without its stream,
// the bus creates it again and its consumer reads the new stream from its
// start (an ordered consumer would resume after the old stream's last
// sequence and skip the new stream's first events).
func TestStreamCreatedAnew(t *testing.T) {
	srv := natstest.Start(t)
	o := streamOptions()
	a := dial[bustest.Event](t, srv.URL(), o)
	b := dial[bustest.Event](t, srv.URL(), o)
	statesA, statesB := a.Connection(t.Context()), b.Connection(t.Context())
	events := b.Subscribe(t.Context(), "x", 64)
	for n := 1; n <= 3; n++ {
		a.Publish("x", bustest.Event{N: n})
		if ev := <-events; ev.N != n {
			t.Fatalf("got %d, want %d", ev.N, n)
		}
	}
	srv.Stop()
	waitState(t, statesA, false)
	waitState(t, statesB, false)
	srv.RestartEmpty()
	waitState(t, statesA, true)
	waitState(t, statesB, true)

	attempts, stored := 0, 0 // stored: the first event the new stream acknowledged
	tstest.WaitFor(t, 10*time.Second, func() error {
		attempts++
		n := 100 + attempts
		a.Publish("x", bustest.Event{N: n})
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		if err := a.Flush(ctx); err != nil {
			return err // the stream is not there yet
		}
		stored = n
		return nil
	})
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-events:
			if ev.N == stored {
				return
			}
		case <-deadline:
			t.Fatalf("B did not get event %d, the first the new stream stored", stored)
		}
	}
}

// observer records what a Bus tells its Observer.
type observer struct {
	mu        sync.Mutex
	published map[string]int
	states    []bool
}

func (o *observer) BusPublished(outcome string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.published[outcome]++
}

func (o *observer) BusConnection(up bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.states = append(o.states, up)
}

func (o *observer) get() (map[string]int, []bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return maps.Clone(o.published), slices.Clone(o.states)
}

// TestObserver: the Observer counts each publish once by outcome, and
// follows the connection's states.
func TestObserver(t *testing.T) {
	srv := natstest.Start(t)
	obs := &observer{published: map[string]int{}}
	o := streamOptions()
	o.Observer = obs
	b, err := natsbus.Dial[bustest.Event](t.Context(), srv.URL(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	states := b.Connection(t.Context())
	if _, s := obs.get(); !slices.Equal(s, []bool{true}) {
		t.Errorf("states after Dial = %v, want [true]", s)
	}
	for i := range 3 {
		b.Publish("x", bustest.Event{N: i})
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := b.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if p, _ := obs.get(); p[natsbus.PublishOK] != 3 || len(p) != 1 {
		t.Errorf("published = %v, want 3 ok", p)
	}

	srv.Stop()
	waitState(t, states, false)
	srv.Restart()
	waitState(t, states, true)
	if _, s := obs.get(); !slices.Equal(s, []bool{true, false, true}) {
		t.Errorf("states = %v, want [true false true]", s)
	}

	b.Close()
	b.Publish("x", bustest.Event{N: 9}) // closed: dropped
	if p, _ := obs.get(); p[natsbus.PublishDropped] != 1 || p[natsbus.PublishOK] != 3 {
		t.Errorf("published = %v after a publish on a closed bus, want 3 ok and 1 dropped", p)
	}
}
