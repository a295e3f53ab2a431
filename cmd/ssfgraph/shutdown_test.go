package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/internal/tstest"
)

// lockedBuffer is a bytes.Buffer safe for the server's concurrent logging.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestShutdownDuringAssessIncidentStream closes the server while four
// clients keep assessing incidents: Close returns no error, every answer
// is a success, UNAVAILABLE or a refused connection (never an internal
// error), and nothing is logged at error level (a statement racing the
// driver's close would be).
func TestShutdownDuringAssessIncidentStream(t *testing.T) {
	t.Parallel()
	logs := &lockedBuffer{}
	cfg := Config{
		Addr: "127.0.0.1:0", Neo4jURI: neo4jtest.URI(), Neo4jDatabase: "neo4j",
		Neo4jUsername: os.Getenv("NEO4J_USERNAME"), Neo4jPassword: os.Getenv("NEO4J_PASSWORD"),
		Neo4jWait: 60 * time.Second, ShutdownTimeout: 5 * time.Second, MaxBodyBytes: 1 << 20,
		LogLevel: "error", LogFormat: "text",
	}
	m := NewMain(cfg, cfg.logger(logs))
	if err := m.Run(t.Context()); err != nil {
		_ = m.Close()
		t.Fatalf("Run: %v\nstart Neo4j with: make neo4j-start", err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			_ = m.Close()
		}
	})
	ctx := t.Context()
	p := neo4jtest.Prefix(t)
	org := neo4jtest.Org(t, p+"org", "home")
	token := neo4jtest.Token(t, m.DB, org, model.RoleAnalyst)
	target := p + "target"
	if _, err := m.DB.CreateTarget(ctx, "", model.TargetInput{ID: &target, Name: "Shutter", Sector: "home"}); err != nil {
		t.Fatal(err)
	}
	var incidents []string
	for i := range 8 {
		id := fmt.Sprintf("%sincident-%d", p, i)
		if _, err := m.DB.CreateIncident(ctx, model.IncidentInput{ID: &id, TargetID: target, Name: "Incident", Consequence: "property"}); err != nil {
			t.Fatal(err)
		}
		incidents = append(incidents, id)
	}
	analysisID := p + "analysis"
	if _, err := m.DB.CreateAnalysis(ctx, org, model.AnalysisInput{ID: &analysisID, TargetID: target, Title: "Stream"}); err != nil {
		t.Fatal(err)
	}

	var ok, unavailable, refused atomic.Int64
	var bad sync.Map // unexpected answers, by text
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 3 * time.Second}
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				body, _ := json.Marshal(map[string]any{
					"query": `mutation($in: AssessIncidentInput!) { assessIncident(input: $in) { id } }`,
					"variables": map[string]any{"in": map[string]any{"analysisId": analysisID, "incidentId": incidents[(w*2+i)%len(incidents)],
						"axis1": 1 + i%3, "axis2": 1 + (i+w)%3, "rationale": "stream"}},
				})
				req, _ := http.NewRequest(http.MethodPost, m.URL()+"/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := client.Do(req)
				if err != nil {
					refused.Add(1) // the listener is closed: the server is gone
					continue
				}
				var r struct {
					Errors []struct {
						Message    string
						Extensions map[string]any
					}
				}
				err = json.NewDecoder(resp.Body).Decode(&r)
				resp.Body.Close()
				switch {
				case err != nil:
					bad.Store(fmt.Sprintf("HTTP %d, undecodable body: %v", resp.StatusCode, err), true)
				case len(r.Errors) == 0:
					ok.Add(1)
				case r.Errors[0].Extensions["code"] == "UNAVAILABLE":
					unavailable.Add(1)
				default:
					bad.Store(fmt.Sprintf("%v: %s", r.Errors[0].Extensions["code"], r.Errors[0].Message), true)
				}
			}
		})
	}
	tstest.WaitFor(t, 30*time.Second, func() error {
		if n := ok.Load(); n < 20 {
			return fmt.Errorf("only %d of the clients' writes got through", n)
		}
		return nil
	})
	closed = true
	if err := m.Close(); err != nil {
		t.Errorf("Close during writes: %v", err)
	}
	tstest.WaitFor(t, 10*time.Second, func() error {
		if refused.Load() == 0 {
			return errors.New("clients still answered after Close")
		}
		return nil
	})
	close(stop)
	wg.Wait()
	bad.Range(func(k, _ any) bool {
		t.Errorf("unexpected answer during shutdown: %s", k)
		return true
	})
	if l := logs.String(); strings.Contains(l, "level=ERROR") {
		t.Errorf("errors logged during shutdown:\n%s", l)
	}
	t.Logf("%d writes succeeded, %d answered UNAVAILABLE, %d refused after Close", ok.Load(), unavailable.Load(), refused.Load())
}
