package natsbus_test

import (
	"context"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model/bustest"
	"github.com/ssfgraph/ssfgraph/graph/natsbus"
	"github.com/ssfgraph/ssfgraph/graph/natsbus/natstest"
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
