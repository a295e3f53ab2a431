package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/internal/wsclient"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// floodSockets is how many websockets TestWebsocketFloodOfOneToken opens
// with one token, and floodPerToken the cap it serves with.
const (
	floodSockets  = 1000
	floodPerToken = 50
	floodRSSLimit = 300 << 20
)

// TestWebsocketFloodOfOneToken runs the real server binary (built without
// the race detector, so that its memory is what an operator sees) and
// opens 1,000 websockets with one token, all at once, each asking for as
// many subscriptions as a connection may run. Exactly the configured
// number per token stay open (the others are closed with 4429
// TOO_MANY_CONNECTIONS), and the server's peak resident memory (VmHWM)
// stays under 300 MB.
func TestWebsocketFloodOfOneToken(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Fatalf("this test reads the server's memory from /proc (Linux): %v", err)
	}
	bin := filepath.Join(t.TempDir(), "ssfgraph")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t)
	token := neo4jtest.Token(t, db, neo4jtest.Org(t, p+"org", "home"), model.RoleViewer)

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	srv := exec.CommandContext(ctx, bin, "serve", "--addr", "127.0.0.1:0", "--log-level", "error",
		"--max-websockets", "0", "--max-websockets-per-ip", "0", "--max-websockets-per-token", strconv.Itoa(floodPerToken),
		"--rate-per-ip", "0", "--rate-per-token", "0")
	srv.Env = append(os.Environ(), "NEO4J_URI="+neo4jtest.URI())
	stdout, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	srv.Stderr = os.Stderr
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Process.Signal(os.Interrupt); _ = srv.Wait() })
	url := serverURL(t, stdout)

	var opened, refused atomic.Int64
	var mu sync.Mutex
	var open []*wsclient.Client
	var other []string
	sem := make(chan struct{}, 100) // dials in flight
	var wg sync.WaitGroup
	for range floodSockets {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			c, err := wsclient.Dial(ctx, url+"/graphql", wsclient.TransportWS, map[string]any{"Authorization": "Bearer " + token})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				opened.Add(1)
				open = append(open, c)
				for i := range 20 {
					_ = c.Subscribe(strconv.Itoa(i), `subscription { ticks(every: 60000) { n } }`, nil)
				}
			case strings.Contains(err.Error(), resolvers.CodeTooManyConnections):
				refused.Add(1)
			default:
				other = append(other, err.Error())
			}
		})
	}
	wg.Wait()
	defer func() {
		for _, c := range open {
			_ = c.Close()
		}
	}()
	time.Sleep(500 * time.Millisecond) // let the subscriptions start
	rss, peak := procMemory(t, srv.Process.Pid)
	t.Logf("%d websockets of one token: %d open, %d refused, %d other; server RSS %d MB, peak %d MB",
		floodSockets, opened.Load(), refused.Load(), len(other), rss>>20, peak>>20)
	if len(other) > 0 {
		t.Errorf("%d dials failed otherwise, first: %s", len(other), other[0])
	}
	if opened.Load() != floodPerToken || refused.Load() != floodSockets-floodPerToken {
		t.Errorf("%d open and %d refused; want %d and %d", opened.Load(), refused.Load(), floodPerToken, floodSockets-floodPerToken)
	}
	if peak >= floodRSSLimit {
		t.Errorf("the server's peak RSS is %d MB; want under %d MB", peak>>20, floodRSSLimit>>20)
	}
}

// serverURL reads the server's address from the line `ssfgraph serve`
// prints when it listens, and drains the rest of its output.
func serverURL(t *testing.T, stdout interface{ Read([]byte) (int, error) }) string {
	t.Helper()
	lines := bufio.NewScanner(stdout)
	found := make(chan string, 1)
	go func() {
		for lines.Scan() {
			if rest, ok := strings.CutPrefix(lines.Text(), "ssfgraph serving on "); ok {
				found <- strings.Fields(rest)[0]
			}
		}
		close(found)
	}()
	select {
	case u, ok := <-found:
		if !ok {
			t.Fatal("the server exited before it listened (see its output above); start Neo4j with: make neo4j-start")
		}
		return u
	case <-time.After(90 * time.Second):
		t.Fatal("the server did not listen within 90 s")
	}
	return ""
}

// procMemory returns the resident memory of process pid and its peak, in
// bytes, from /proc/pid/status.
func procMemory(t *testing.T, pid int) (rss, peak int64) {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			rss = kb << 10
		case "VmHWM":
			peak = kb << 10
		}
	}
	if rss == 0 || peak == 0 {
		t.Fatalf("no VmRSS/VmHWM in /proc/%d/status", pid)
	}
	return rss, peak
}
