package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
)

// auditCLI runs `ssfgraph audit args...` and returns the exit code,
// stdout and stderr.
func auditCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), append([]string{"audit"}, args...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// cliLoads returns the audit events of LoadBatch since since that name an
// id holding p, read from the store.
func cliLoads(t *testing.T, p string, since time.Time) []*model.AuditEvent {
	t.Helper()
	page, err := neo4jtest.Open(t).AuditLog(t.Context(), model.AuditQuery{Op: "neo4j.LoadBatch", Since: since, First: 500})
	if err != nil {
		t.Fatal(err)
	}
	var out []*model.AuditEvent
	for _, ev := range page.Events {
		if slices.ContainsFunc(ev.IDs, func(id string) bool { return strings.Contains(id, p) }) {
			out = append(out, ev)
		}
	}
	return out
}

func TestIngestIsAuditedAsTheCLI(t *testing.T) {
	t.Parallel()
	p := neo4jtest.Prefix(t)
	path := ingestBundle(t, p, "bundle.json")
	uri := []string{"--neo4j-uri", neo4jtest.URI()}
	since := time.Now().Add(-time.Second)

	if code, _, stderr := ingestCLI(t, append(uri, "--dry-run", path)...); code != exitOK {
		t.Fatalf("--dry-run: exit %d: %s", code, stderr)
	}
	if evs := cliLoads(t, p, since); len(evs) != 0 {
		t.Fatalf("a dry run wrote %d audit events: %+v", len(evs), evs)
	}
	if code, _, stderr := ingestCLI(t, append(uri, path)...); code != exitOK {
		t.Fatalf("ingest: exit %d: %s", code, stderr)
	}
	evs := cliLoads(t, p, since)
	if len(evs) != 1 {
		t.Fatalf("%d audit events after one ingest, want 1: %+v", len(evs), evs)
	}
	ev := evs[0]
	want := "load " + path + " (stix): nodes 4 created, 0 updated, 0 unchanged; relationships 2 created, 0 updated, 0 unchanged"
	if ev.UserID != model.AuditCLI || ev.OrganizationID != "" || ev.Role != "" || ev.TokenID != "" || ev.Summary != want ||
		ev.IDCount != 4 || !slices.Contains(ev.IDs, "stix:"+p+"T0001") {
		t.Errorf("audit event = %+v, want user cli, summary %q and the 4 ids", ev, want)
	}
}

func TestAuditExportShowsWhatTheQueryShows(t *testing.T) {
	t.Parallel()
	m := startMain(t, neo4jtest.URI())
	p := neo4jtest.Prefix(t)
	org := neo4jtest.Org(t, p+"org", "factory")
	analyst := neo4jtest.Token(t, m.DB, org, model.RoleAnalyst)
	admin := neo4jtest.Token(t, m.DB, org, model.RoleAdmin)
	gql := func(token, query string, vars map[string]any) json.RawMessage {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		req, _ := http.NewRequest(http.MethodPost, m.URL()+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r struct {
			Data   json.RawMessage
			Errors []any
		}
		if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || len(r.Errors) > 0 {
			t.Fatalf("%s: %v %v", query, err, r.Errors)
		}
		return r.Data
	}
	for _, id := range []string{p + "t1", p + "t2", p + "t3"} {
		gql(analyst, `mutation($in: TargetInput!) { createTarget(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"id": id, "name": "T", "sector": "factory"}})
	}
	var got struct {
		AuditLog struct{ Nodes []*model.AuditEvent }
	}
	data := gql(admin, `query($org: ID) { auditLog(organizationId: $org) { nodes { id at op userId organizationId role tokenId summary ids idCount } } }`,
		map[string]any{"org": org})
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	shown := got.AuditLog.Nodes
	if len(shown) != 3 {
		t.Fatalf("auditLog shows %d events, want 3: %s", len(shown), data)
	}

	uri := []string{"--neo4j-uri", neo4jtest.URI()}
	code, stdout, stderr := auditCLI(t, append([]string{"export", "--org", org}, uri...)...)
	if code != exitOK {
		t.Fatalf("audit export: exit %d: %s", code, stderr)
	}
	var exported []*model.AuditEvent
	dec := json.NewDecoder(strings.NewReader(stdout))
	for dec.More() {
		var ev model.AuditEvent
		if err := dec.Decode(&ev); err != nil {
			t.Fatalf("line %d: %v", len(exported)+1, err)
		}
		exported = append(exported, &ev)
	}
	if len(exported) != len(shown) {
		t.Fatalf("export wrote %d events, the query shows %d:\n%s", len(exported), len(shown), stdout)
	}
	for i := range shown {
		a, b := *shown[i], *exported[i]
		if !a.At.Equal(b.At) {
			t.Errorf("event %d at %v in the query, %v in the export", i, a.At, b.At)
		}
		a.At, b.At = time.Time{}, time.Time{}
		if !slices.Equal(a.IDs, b.IDs) || a.ID != b.ID || a.Op != b.Op || a.UserID != b.UserID || a.OrganizationID != b.OrganizationID ||
			a.Role != b.Role || a.TokenID != b.TokenID || a.Summary != b.Summary || a.IDCount != b.IDCount {
			t.Errorf("event %d: query %+v, export %+v", i, a, b)
		}
	}

	// CSV to a file, bounded in time: the newest two of the three.
	out := filepath.Join(t.TempDir(), "audit.csv")
	since := shown[1].At.Format(time.RFC3339Nano)
	code, _, stderr = auditCLI(t, append([]string{"export", "--org", org, "--format", "csv", "--since", since, "--out", out}, uri...)...)
	if code != exitOK {
		t.Fatalf("audit export --format csv: exit %d: %s", code, stderr)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || !slices.Equal(rows[0], auditCSVHeader) || rows[1][0] != shown[0].ID || rows[2][0] != shown[1].ID || rows[1][9] != shown[0].IDs[0] {
		t.Errorf("CSV since the second event:\n%s", raw)
	}

	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"NoSubcommand", nil, "missing subcommand"},
		{"BadFormat", []string{"export", "--format", "xml"}, "--format must be jsonl or csv"},
		{"BadTime", []string{"export", "--since", "yesterday"}, "--since must be an RFC 3339 time"},
	} {
		if code, _, stderr := auditCLI(t, tt.args...); code != exitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", tt.name, code, stderr, exitUsage, tt.want)
		}
	}
}
