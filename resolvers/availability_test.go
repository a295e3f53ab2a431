package resolvers_test

import (
	"cmp"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/neo4j"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// cuttableProxy forwards TCP connections to target until cut.
type cuttableProxy struct {
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func (p *cuttableProxy) listen(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", cmp.Or(p.addr, "127.0.0.1:0"))
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, u)
			p.mu.Unlock()
			go func() { io.Copy(u, c); u.Close() }()
			go func() { io.Copy(c, u); c.Close() }()
		}
	}()
}

// cut closes the listener and every forwarded connection: an outage.
func (p *cuttableProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestRequestsFailFastWhileNeo4jIsDown cuts the server off Neo4j: once
// /readyz says 503, a query fails with UNAVAILABLE in under a second (the
// driver alone would retry for many seconds), and the server recovers when
// Neo4j answers again.
func TestRequestsFailFastWhileNeo4jIsDown(t *testing.T) {
	uri := cmp.Or(os.Getenv("NEO4J_URI"), "bolt://127.0.0.1:7687")
	p := &cuttableProxy{target: strings.TrimPrefix(uri, "bolt://")}
	p.listen(t)
	db := neo4j.NewDB("bolt://" + p.addr)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close(context.Background()) })
	e := newEnv(t, resolvers.Options{Store: db})
	const q = `{ targets(first: 1) { nodes { id } } }`
	e.must(t, "", q, nil, nil)

	p.cut()
	resp, err := http.Get(e.srv.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/readyz during the outage: HTTP %d", resp.StatusCode)
	}
	start := time.Now()
	status, r := post(t, e.srv, q, nil)
	if took := time.Since(start); status != http.StatusServiceUnavailable || r.code() != "UNAVAILABLE" || took > time.Second {
		t.Fatalf("during the outage: HTTP %d %+v in %s; want 503 UNAVAILABLE within 1 s", status, r.Errors, took)
	} else {
		t.Logf("refused in %s", took)
	}

	p.listen(t) // Neo4j is back
	defer p.cut()
	waitFor(t, func() bool {
		_, r := post(t, e.srv, q, nil)
		return len(r.Errors) == 0
	})
}
