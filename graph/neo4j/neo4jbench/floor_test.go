package neo4jbench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/ssfgraph/ssfgraph/bench"
	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jbench"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// post sends body to url and returns the answer, failing on a non-200.
func post(t *testing.T, url string, body []byte) []byte {
	t.Helper()
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: HTTP %d, %v: %.300s", url, resp.StatusCode, err, raw)
	}
	return raw
}

// decoded is raw's JSON value.
func decoded(t *testing.T, raw []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%v: %.300s", err, raw)
	}
	return v
}

// TestFloorAnswersAsSsfgraph loads a small data set and checks that the
// floor's answers to both nested reads equal ssfgraph's, value for value and
// in the same order, and hold the data set's counts; and that Load is
// idempotent.
func TestFloorAnswersAsSsfgraph(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t) // also runs the migrations (the full-text index)
	prefix := neo4jtest.Prefix(t)
	size := bench.Size{Targets: 3, AnalysesPerTarget: 2, AssessmentsPerAnalysis: 4}
	d, err := bench.NewDataset(prefix, size)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	bdb, err := neo4jbench.Open(ctx, neo4jtest.URI(), "neo4j")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bdb.Close(context.Background()) })
	if err := bdb.Load(ctx, d); err != nil {
		t.Fatal(err)
	}
	if !d.Created {
		t.Fatal("first Load: Created = false")
	}
	again, _ := bench.NewDataset(prefix, size)
	if err := bdb.Load(ctx, again); err != nil {
		t.Fatal(err)
	}
	if again.Created {
		t.Error("second Load of the same size wrote the data set again")
	}

	ssf := httptest.NewServer(resolvers.NewHandler(resolvers.Options{Store: db}))
	t.Cleanup(ssf.Close)
	floor := httptest.NewServer(bdb.Floor("", nil))
	t.Cleanup(floor.Close)

	one := bench.Body(bench.OneTargetQuery, map[string]any{"id": d.Targets[1]})
	all := bench.Body(bench.AllTargetsQuery, map[string]any{"text": d.Word, "first": 500})
	for _, tc := range []struct {
		name string
		body []byte
		want bench.Counts
	}{
		{"one", one, bench.Size{Targets: 1, AnalysesPerTarget: 2, AssessmentsPerAnalysis: 4}.Counts()},
		{"all", all, size.Counts()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := post(t, ssf.URL+"/graphql", tc.body)
			got := post(t, floor.URL, tc.body)
			if !reflect.DeepEqual(decoded(t, got), decoded(t, want)) {
				t.Errorf("floor answered\n%.2000s\nssfgraph answered\n%.2000s", got, want)
			}
			c, err := bench.CountAnswer(got)
			if err != nil {
				t.Fatal(err)
			}
			if c != tc.want {
				t.Errorf("floor's answer holds %+v, want %+v", c, tc.want)
			}
		})
	}
}

// TestAssessBodiesKeepTheDataSet sends the benchmark's assessIncident
// writes to ssfgraph and checks that they change levels only: the nested
// read still holds the data set's counts, and the floor still answers as
// ssfgraph does.
func TestAssessBodiesKeepTheDataSet(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	prefix := neo4jtest.Prefix(t)
	size := bench.Size{Targets: 2, AnalysesPerTarget: 2, AssessmentsPerAnalysis: 3}
	d, err := bench.NewDataset(prefix, size)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	bdb, err := neo4jbench.Open(ctx, neo4jtest.URI(), "neo4j")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bdb.Close(context.Background()) })
	if err := bdb.Load(ctx, d); err != nil {
		t.Fatal(err)
	}
	ssf := httptest.NewServer(resolvers.NewHandler(resolvers.Options{Store: db}))
	t.Cleanup(ssf.Close)
	floor := httptest.NewServer(bdb.Floor("", nil))
	t.Cleanup(floor.Close)
	token := neo4jtest.Token(t, db, d.Org, model.RoleAnalyst)

	writes := d.AssessBodies(false)
	for client := range 2 {
		for seq := range 4 {
			req, _ := http.NewRequest(http.MethodPost, ssf.URL+"/graphql", bytes.NewReader(writes(client, seq)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if c, err := bench.CountAnswer(raw); err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("write %d/%d: HTTP %d, %v (%+v): %.300s", client, seq, resp.StatusCode, err, c, raw)
			}
		}
	}
	all := bench.Body(bench.AllTargetsQuery, map[string]any{"text": d.Word, "first": 500})
	want := post(t, ssf.URL+"/graphql", all)
	c, err := bench.CountAnswer(want)
	if err != nil {
		t.Fatal(err)
	}
	if c != size.Counts() {
		t.Errorf("after the writes ssfgraph reads %+v, want %+v", c, size.Counts())
	}
	if got := post(t, floor.URL, all); !reflect.DeepEqual(decoded(t, got), decoded(t, want)) {
		t.Errorf("after the writes the floor answered\n%.2000s\nssfgraph answered\n%.2000s", got, want)
	}
}
