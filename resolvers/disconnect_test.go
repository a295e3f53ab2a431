package resolvers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// levelCounter is a slog.Handler that counts records by level.
type levelCounter struct {
	mu *sync.Mutex
	n  map[slog.Level]int
}

func (h levelCounter) Enabled(context.Context, slog.Level) bool { return true }
func (h levelCounter) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	h.n[r.Level]++
	h.mu.Unlock()
	return nil
}
func (h levelCounter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h levelCounter) WithGroup(string) slog.Handler      { return h }

func (h levelCounter) get(l slog.Level) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n[l]
}

// TestClientDisconnectIsOneDebugLine cuts a nested read off half-way,
// several times, and asserts no ERROR line and at most one DEBUG line per
// request.
func TestClientDisconnectIsOneDebugLine(t *testing.T) {
	size := neo4jtest.AnalysisBulkSize{Targets: 20, AnalysesPerTarget: 3, AssessmentsPerAnalysis: 20}
	bulk := neo4jtest.AnalysisBulkCreate(t, neo4jtest.Prefix(t), size)
	logs := levelCounter{mu: &sync.Mutex{}, n: map[slog.Level]int{}}
	srv := newServer(t, resolvers.Options{Log: slog.New(logs)})

	body, _ := json.Marshal(map[string]any{"query": nestedReadDoc, "variables": map[string]any{"text": bulk.Word, "first": 500}})
	send := func(ctx context.Context) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	start := time.Now()
	if err := send(t.Context()); err != nil {
		t.Fatal(err)
	}
	full := time.Since(start)
	const n = 6
	for i := range n {
		ctx, cancel := context.WithTimeout(t.Context(), full*time.Duration(i+1)/(n+1))
		send(ctx)
		cancel()
	}
	time.Sleep(full) // let the server's cancelled handlers finish (nothing to poll for: the point is what is not logged)
	if e, d := logs.get(slog.LevelError), logs.get(slog.LevelDebug); e != 0 || d > n {
		t.Errorf("%d ERROR and %d DEBUG lines for %d cut requests; want none and at most %d", e, d, n, n)
	} else {
		t.Logf("full read %s; %d cut requests logged %d DEBUG lines, no ERROR", full, n, d)
	}
}
