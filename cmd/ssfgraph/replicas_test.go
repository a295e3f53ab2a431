package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/natsbus"
	"github.com/ssfgraph/ssfgraph/graph/natsbus/natstest"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/internal/wsclient"
)

// startReplica is startMain with --bus.
func startReplica(t *testing.T, bus string) *Main {
	t.Helper()
	cfg := testConfig(neo4jtest.URI())
	cfg.Bus = bus
	return startConfig(t, cfg)
}

// nativeDoc writes a native analysis document of analysis id by the
// organization org on target, with ids under prefix p.
func nativeDoc(t *testing.T, p, id string) string {
	t.Helper()
	doc := fmt.Sprintf(`apiVersion: ssfgraph/v1
kind: AnalysisDocument
organization: {id: %[1]sorg, name: O, sector: home}
target:
  id: %[1]starget
  name: T
  sector: home
  incidents: [{id: %[1]si, name: I, consequence: life-body}]
analysis:
  id: %[1]s%[2]s
  title: %[2]s
  status: SUBMITTED
  visibility: PUBLIC
  submittedAt: 2026-01-01T00:00:00Z
  assessments:
    - {incident: %[1]si, axis1: 2, axis2: 3}
`, p, id)
	path := filepath.Join(t.TempDir(), id+".yaml")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestIngestWithBusReachesEveryReplica: `ssfgraph ingest --bus` of a
// native analysis document reaches comparisonUpdated subscribers on two
// `ssfgraph serve --bus` replicas, which both report the bus in /readyz.
func TestIngestWithBusReachesEveryReplica(t *testing.T) {
	nats := natstest.Start(t)
	a, b := startReplica(t, nats.URL()), startReplica(t, nats.URL())
	for _, m := range []*Main{a, b} {
		code, body := get(t, m.URL()+"/readyz")
		if code != http.StatusOK || !strings.Contains(body, `"bus":"connected"`) {
			t.Errorf("/readyz = %d %s, want 200 with the bus connected", code, body)
		}
	}
	p := neo4jtest.Prefix(t)
	if code, _, stderr := ingestCLI(t, nativeDoc(t, p, "first")); code != 0 { // without a bus: the target to subscribe to
		t.Fatalf("ingest: exit %d: %s", code, stderr)
	}
	token := neo4jtest.Token(t, a.DB, p+"org", model.RoleViewer)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	subs := map[string]*wsclient.Client{}
	for name, m := range map[string]*Main{"A": a, "B": b} {
		c, err := wsclient.Dial(ctx, m.URL()+"/graphql", wsclient.TransportWS, map[string]any{"Authorization": "Bearer " + token})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if err := c.Subscribe("cmp", `subscription($t: ID!) { comparisonUpdated(targetId: $t) { revision analyses { analysis { id } } } }`, map[string]any{"t": p + "target"}); err != nil {
			t.Fatal(err)
		}
		if ids := comparedIDs(ctx, t, c); len(ids) != 1 {
			t.Fatalf("first comparison on %s: %v, want the first analysis", name, ids)
		}
		subs[name] = c
	}

	start := time.Now()
	if code, _, stderr := ingestCLI(t, "--bus", nats.URL(), nativeDoc(t, p, "second")); code != 0 {
		t.Fatalf("ingest --bus: exit %d: %s", code, stderr)
	}
	for name, c := range subs {
		if ids := comparedIDs(ctx, t, c); len(ids) != 2 || ids[1] != p+"second" {
			t.Errorf("comparison on %s after ingest --bus: %v, want both analyses", name, ids)
		}
		t.Logf("replica %s: the ingested analysis arrived %s after ingest started", name, time.Since(start).Round(time.Millisecond))
	}
}

// comparedIDs reads the next comparison and returns its analyses' ids.
func comparedIDs(ctx context.Context, t *testing.T, c *wsclient.Client) []string {
	t.Helper()
	_, payload, err := c.NextData(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Data struct {
			ComparisonUpdated struct {
				Analyses []struct{ Analysis struct{ ID string } }
			}
		}
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range ev.Data.ComparisonUpdated.Analyses {
		ids = append(ids, a.Analysis.ID)
	}
	return ids
}

// TestTokenRevokeWithBusAnnounces: `ssfgraph token revoke ID --bus`
// publishes the revocation on the changes bus, so that every server on it
// forgets the token at once.
func TestTokenRevokeWithBusAnnounces(t *testing.T) {
	nats := natstest.Start(t)
	listener, err := natsbus.Dial[*model.ChangeEvent](t.Context(), nats.URL(), natsbus.ChangesOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(listener.Close)
	events := listener.Subscribe(t.Context(), model.ChangesTopic, 8)

	db := neo4jtest.Open(t)
	org := neo4jtest.Org(t, neo4jtest.Prefix(t)+"org", "home")
	token := neo4jtest.Token(t, db, org, model.RoleViewer)
	p, err := db.Authenticate(t.Context(), token)
	if err != nil {
		t.Fatal(err)
	}
	out := mustRunToken(t, "revoke", p.TokenID, "--bus", nats.URL())
	if !strings.Contains(out, "revoked token "+p.TokenID) {
		t.Fatalf("token revoke: %q", out)
	}
	select {
	case ev := <-events:
		if len(ev.Tokens) != 1 || ev.Tokens[0] != p.TokenID || !strings.HasPrefix(ev.Origin, "token-revoke-") {
			t.Errorf("change event %+v, want the revocation of %s", ev, p.TokenID)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no change event on the bus after token revoke --bus")
	}
}
