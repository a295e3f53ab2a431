package live_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/broker"
	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/live"
)

// countingReader counts the reads of a real store.
type countingReader struct {
	*neo4j.DB
	reads atomic.Int64
}

func (c *countingReader) TargetAnalyses(ctx context.Context, id string) ([]*model.AnalysisSnapshot, int, error) {
	c.reads.Add(1)
	return c.DB.TargetAnalyses(ctx, id)
}

func TestChangedCoalescesBurstsAndRevisionsGrow(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	prefix := neo4jtest.Prefix(t)
	fx := neo4jtest.ComparisonFixture(t, prefix, 2, 5)
	org := neo4jtest.Org(t, prefix+"org", "home")
	reader := &countingReader{DB: db}
	bus := broker.New[*live.Snapshot]()
	lv := live.New(reader, bus, 50*time.Millisecond, nil)
	defer lv.Close()
	events := bus.Subscribe(t.Context(), live.Topic(fx.TargetID), 16)

	for range 20 {
		lv.Changed(fx.TargetID)
	}
	first := receive(t, events)
	if first.Revision != 0 || len(first.Analyses) != 2 {
		t.Fatalf("first snapshot: revision %d with %d analyses, want 0 (no write through the store yet) with 2", first.Revision, len(first.Analyses))
	}
	select {
	case ev := <-events:
		t.Fatalf("a burst of 20 changes published more than once: %+v", ev)
	case <-time.After(300 * time.Millisecond): // that nothing more comes is what this checks
	}
	if n := reader.reads.Load(); n != 1 {
		t.Errorf("a burst of 20 changes read the target %d times, want 1", n)
	}
	createAnalysis(t, db, org, fx.TargetID)
	lv.Changed(fx.TargetID)
	if second := receive(t, events); second.Revision != 1 || len(second.Analyses) != 3 {
		t.Errorf("after a write: revision %d with %d analyses, want 1 with 3", second.Revision, len(second.Analyses))
	}
	cur, err := lv.Current(t.Context(), fx.TargetID)
	if err != nil {
		t.Fatal(err)
	}
	if cur.Revision != 1 {
		t.Errorf("Current revision %d, want 1", cur.Revision)
	}
	if _, err := lv.Current(t.Context(), fx.TargetID+"-missing"); model.ErrorCode(err) != model.ENOTFOUND {
		t.Errorf("Current(unknown target) = %v, want ENOTFOUND", err)
	}
}

// TestRevisionSurvivesRestart checks that the revision is the store's: new
// Comparisons over the same database (a restarted server) carry on from
// where the old ones stopped, and each write counts it up, including a
// write no Comparisons heard of (another process).
func TestRevisionSurvivesRestart(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	prefix := neo4jtest.Prefix(t)
	fx := neo4jtest.ComparisonFixture(t, prefix, 1, 2)
	org := neo4jtest.Org(t, prefix+"org", "home")

	bus := broker.New[*live.Snapshot]()
	lv := live.New(db, bus, 20*time.Millisecond, nil)
	events := bus.Subscribe(t.Context(), live.Topic(fx.TargetID), 16)
	for range 3 {
		createAnalysis(t, db, org, fx.TargetID)
	}
	lv.Changed(fx.TargetID)
	before := receive(t, events)
	if before.Revision != 3 {
		t.Fatalf("after 3 writes: revision %d, want 3", before.Revision)
	}
	lv.Close()

	createAnalysis(t, db, org, fx.TargetID) // while no server runs
	bus2 := broker.New[*live.Snapshot]()
	lv2 := live.New(db, bus2, 20*time.Millisecond, nil)
	defer lv2.Close()
	cur, err := lv2.Current(t.Context(), fx.TargetID)
	if err != nil {
		t.Fatal(err)
	}
	if cur.Revision != before.Revision+1 {
		t.Errorf("after a restart: revision %d, want %d", cur.Revision, before.Revision+1)
	}
	events2 := bus2.Subscribe(t.Context(), live.Topic(fx.TargetID), 16)
	createAnalysis(t, db, org, fx.TargetID)
	lv2.Changed(fx.TargetID)
	if after := receive(t, events2); after.Revision != before.Revision+2 {
		t.Errorf("the next change after a restart: revision %d, want %d", after.Revision, before.Revision+2)
	}
}

// createAnalysis writes a draft analysis of the target through the store.
func createAnalysis(t *testing.T, db *neo4j.DB, org, target string) {
	t.Helper()
	if _, err := db.CreateAnalysis(t.Context(), org, model.AnalysisInput{TargetID: target, Title: "A"}); err != nil {
		t.Fatal(err)
	}
}

func receive(t *testing.T, ch <-chan *live.Snapshot) *live.Snapshot {
	t.Helper()
	select {
	case ev := <-ch:
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no snapshot published")
		return nil
	}
}

func TestSelectPicksNewestReadableVersions(t *testing.T) {
	t.Parallel()
	v1 := "a-v1"
	snap := &live.Snapshot{TargetID: "t", Analyses: []*model.AnalysisSnapshot{
		{Analysis: &model.Analysis{ID: "a-v1", OrganizationID: "A", Status: model.AnalysisStatusSubmitted, Visibility: model.VisibilityPublic}},
		{Analysis: &model.Analysis{ID: "a-v2", OrganizationID: "A", Status: model.AnalysisStatusDraft, Visibility: model.VisibilityPublic, SupersedesID: &v1}},
		{Analysis: &model.Analysis{ID: "b", OrganizationID: "B", Status: model.AnalysisStatusSubmitted, Visibility: model.VisibilityPrivate}},
		{Analysis: &model.Analysis{ID: "c", OrganizationID: "C", Status: model.AnalysisStatusSubmitted, Visibility: model.VisibilityShared, SharedWithSectors: []string{"medical"}}},
	}}
	medic := &model.Principal{OrganizationID: "M", Sector: "medical", Role: model.RoleViewer}
	orgB := &model.Principal{OrganizationID: "B", Sector: "home", Role: model.RoleAnalyst}
	for _, tt := range []struct {
		name string
		view live.View
		want []string
	}{
		{"Anonymous", live.View{}, []string{"a-v1"}},
		{"AnonymousWithDrafts", live.View{IncludeDrafts: true}, []string{"a-v2"}},
		{"SharedSector", live.View{Viewer: medic}, []string{"a-v1", "c"}},
		{"OwnPrivate", live.View{Viewer: orgB}, []string{"a-v1", "b"}},
		{"ExplicitIDsStillFiltered", live.View{Viewer: medic, AnalysisIDs: []string{"a-v1", "a-v2", "b"}}, []string{"a-v1", "a-v2"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, a := range snap.Select(tt.view) {
				got = append(got, a.Analysis.ID)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("Select = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("Select = %v, want %v", got, tt.want)
				}
			}
		})
	}
	// Many subscribers with the same view share one computation.
	if a, b := snap.Compare(live.View{Viewer: medic}), snap.Compare(live.View{Viewer: medic}); a != b {
		t.Error("Compare did not memoize an identical view")
	}
}

func TestCurrentServesCacheUntilAChange(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	fx := neo4jtest.ComparisonFixture(t, neo4jtest.Prefix(t), 2, 3)
	reader := &countingReader{DB: db}
	bus := broker.New[*live.Snapshot]()
	lv := live.New(reader, bus, time.Second, nil) // the refresh runs after the checks
	defer lv.Close()

	a, err := lv.Current(t.Context(), fx.TargetID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := lv.Current(t.Context(), fx.TargetID)
	if a != b || reader.reads.Load() != 1 {
		t.Fatalf("second Current read again (%d reads); want the cached snapshot", reader.reads.Load())
	}
	lv.Changed(fx.TargetID)
	c, _ := lv.Current(t.Context(), fx.TargetID) // the change invalidates at once
	if c == a || reader.reads.Load() != 2 {
		t.Fatalf("Current after a change served the stale snapshot (%d reads)", reader.reads.Load())
	}
	lv.CacheTTL = 0
	d, _ := lv.Current(t.Context(), fx.TargetID)
	if d == c {
		t.Fatal("with the cache off, Current served a cached snapshot")
	}
}

// TestResyncRefreshesSubscribedTargetsAndForgetsTheRest: after changes may
// have been missed, a target with subscribers is read and published once,
// and one without is read again by the next Current instead of coming
// from the cache.
func TestResyncRefreshesSubscribedTargetsAndForgetsTheRest(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	prefix := neo4jtest.Prefix(t)
	watched := neo4jtest.ComparisonFixture(t, prefix+"w-", 1, 2)
	unwatched := neo4jtest.ComparisonFixture(t, prefix+"u-", 1, 2)
	reader := &countingReader{DB: db}
	bus := broker.New[*live.Snapshot]()
	lv := live.New(reader, bus, 20*time.Millisecond, nil)
	lv.SetCacheTTL(time.Hour) // only Resync may make Current read again
	defer lv.Close()
	for _, id := range []string{watched.TargetID, unwatched.TargetID} {
		if _, err := lv.Current(t.Context(), id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := lv.Current(t.Context(), unwatched.TargetID); err != nil {
		t.Fatal(err)
	}
	if n := reader.reads.Load(); n != 2 {
		t.Fatalf("%d reads before Resync, want 2 (the third Current is cached)", n)
	}
	events := bus.Subscribe(t.Context(), live.Topic(watched.TargetID), 4)
	lv.Resync()
	if s := receive(t, events); s.TargetID != watched.TargetID {
		t.Errorf("Resync published %s, want %s", s.TargetID, watched.TargetID)
	}
	if n := reader.reads.Load(); n != 3 {
		t.Errorf("%d reads after Resync's refresh, want 3 (the unwatched target is not read until asked)", n)
	}
	if _, err := lv.Current(t.Context(), unwatched.TargetID); err != nil {
		t.Fatal(err)
	}
	if n := reader.reads.Load(); n != 4 {
		t.Errorf("%d reads after Current of the unwatched target, want 4: Resync forgets its cached snapshot", n)
	}
}
