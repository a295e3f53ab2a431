package neo4j_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/ingest"
)

// loadCatalog is a small handmade batch with every catalog label and
// relationship type, ids under prefix p.
func loadCatalog(p string) *ingest.Batch {
	return &ingest.Batch{Source: p + "catalog.json", Format: ingest.FormatSTIX,
		Nodes: []ingest.Node{
			{Label: model.LabelGuideline, ID: p + "g", Props: map[string]any{"title": "A guideline", "publisher": "IEC", "version": "1"}},
			{Label: model.LabelClause, ID: p + "g:1", Props: map[string]any{"guidelineId": p + "g", "ref": "1", "title": "One", "withdrawn": false, "kind": "group"}},
			{Label: model.LabelClause, ID: p + "g:1.1", Props: map[string]any{"guidelineId": p + "g", "parentId": p + "g:1", "ref": "1.1", "title": "One one", "withdrawn": true, "kind": "control"}},
			{Label: model.LabelThreat, ID: p + "T1", Props: map[string]any{"name": "Threat one", "kind": "cyber-attack", "tactics": []string{"a", "b"}, "revoked": false}},
			{Label: model.LabelMeasure, ID: p + "M1", Props: map[string]any{"name": "Measure one", "perspective": "P1", "kind": "technical"}},
			{Label: model.LabelAssetKind, ID: p + "A1"}, // no properties at all
		},
		Rels: []ingest.Rel{
			{Type: model.RelHasClause, FromLabel: model.LabelGuideline, From: p + "g", ToLabel: model.LabelClause, To: p + "g:1"},
			{Type: model.RelHasClause, FromLabel: model.LabelGuideline, From: p + "g", ToLabel: model.LabelClause, To: p + "g:1.1"},
			{Type: model.RelPartOf, FromLabel: model.LabelClause, From: p + "g:1.1", ToLabel: model.LabelClause, To: p + "g:1", Props: map[string]any{}},
			{Type: model.RelMapsTo, FromLabel: model.LabelClause, From: p + "g:1.1", ToLabel: model.LabelClause, To: p + "g:1",
				Props: map[string]any{"relationship": "SUBSET_OF", "confidence": 0.5, "source": "test"}},
			{Type: model.RelMitigatedBy, FromLabel: model.LabelThreat, From: p + "T1", ToLabel: model.LabelMeasure, To: p + "M1", Props: map[string]any{"rationale": "because"}},
			{Type: model.RelTargets, FromLabel: model.LabelThreat, From: p + "T1", ToLabel: model.LabelAssetKind, To: p + "A1"},
		},
		Warnings: []ingest.Warning{{Location: "objects[7]", Message: "unknown type x-thing"}},
	}
}

// wantCounts compares a report's counts with want.
func wantCounts(t *testing.T, what string, got, want map[string]ingest.Counts) {
	t.Helper()
	if !maps.Equal(got, want) {
		t.Errorf("%s counts = %v, want %v", what, got, want)
	}
}

func TestLoadBatchCreatesThenChangesNothing(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t)
	ctx := t.Context()

	rep, err := db.LoadBatch(ctx, loadCatalog(p), false)
	if err != nil {
		t.Fatal(err)
	}
	one, two := ingest.Counts{Created: 1}, ingest.Counts{Created: 2}
	wantCounts(t, "nodes", rep.Nodes, map[string]ingest.Counts{"Guideline": one, "Clause": two, "Threat": one, "Measure": one, "AssetKind": one})
	wantCounts(t, "relationships", rep.Rels, map[string]ingest.Counts{"HAS_CLAUSE": two, "PART_OF": one, "MAPS_TO": one, "MITIGATED_BY": one, "TARGETS": one})
	if rep.Source != p+"catalog.json" || rep.Format != ingest.FormatSTIX || rep.DryRun || rep.Took <= 0 || len(rep.Warnings) != 1 || rep.Warnings[0].Location != "objects[7]" {
		t.Errorf("report header = %+v", rep)
	}
	got, err := db.Nodes(ctx, []string{p + "T1", p + "g:1.1"})
	if err != nil {
		t.Fatal(err)
	}
	if th, ok := got[p+"T1"].(*model.Threat); !ok || th.Name != "Threat one" || th.Kind != "cyber-attack" {
		t.Errorf("stored threat = %#v", got[p+"T1"])
	}
	if c, ok := got[p+"g:1.1"].(*model.Clause); !ok || c.ParentID == nil || *c.ParentID != p+"g:1" || c.GuidelineID != p+"g" {
		t.Errorf("stored clause = %#v (every node must also be an :Entity to be found)", got[p+"g:1.1"])
	}

	before := neo4jtest.Snapshot(t, p)
	rep, err = db.LoadBatch(ctx, loadCatalog(p), false)
	if err != nil {
		t.Fatal(err)
	}
	one, two = ingest.Counts{Unchanged: 1}, ingest.Counts{Unchanged: 2}
	wantCounts(t, "nodes again", rep.Nodes, map[string]ingest.Counts{"Guideline": one, "Clause": two, "Threat": one, "Measure": one, "AssetKind": one})
	wantCounts(t, "relationships again", rep.Rels, map[string]ingest.Counts{"HAS_CLAUSE": two, "PART_OF": one, "MAPS_TO": one, "MITIGATED_BY": one, "TARGETS": one})
	if after := neo4jtest.Snapshot(t, p); after != before {
		t.Errorf("a second load changed the graph:\nbefore %s\nafter  %s", before, after)
	}

	b := loadCatalog(p)
	b.Nodes[3].Props["name"] = "Threat one, renamed"
	b.Rels[3].Props["confidence"] = 0.75
	rep, err = db.LoadBatch(ctx, b, false)
	if err != nil {
		t.Fatal(err)
	}
	if c := rep.Nodes["Threat"]; c != (ingest.Counts{Updated: 1}) {
		t.Errorf("Threat counts after a rename = %+v, want 1 updated", c)
	}
	if c := rep.Nodes["Clause"]; c != (ingest.Counts{Unchanged: 2}) {
		t.Errorf("Clause counts after a rename = %+v, want 2 unchanged", c)
	}
	if c := rep.Rels["MAPS_TO"]; c != (ingest.Counts{Updated: 1}) {
		t.Errorf("MAPS_TO counts after a new confidence = %+v, want 1 updated", c)
	}
	if c := rep.Rels["MITIGATED_BY"]; c != (ingest.Counts{Unchanged: 1}) {
		t.Errorf("MITIGATED_BY counts = %+v, want 1 unchanged", c)
	}
	got, _ = db.Nodes(ctx, []string{p + "T1"})
	if th, _ := got[p+"T1"].(*model.Threat); th == nil || th.Name != "Threat one, renamed" {
		t.Errorf("renamed threat = %#v", got[p+"T1"])
	}

	// A nil property removes it, and counts as an update only the first time.
	b = loadCatalog(p)
	b.Nodes[2].Props["parentId"] = nil
	for i, want := range []ingest.Counts{{Updated: 1, Unchanged: 1}, {Unchanged: 2}} {
		rep, err = db.LoadBatch(ctx, b, false)
		if err != nil {
			t.Fatal(err)
		}
		if c := rep.Nodes["Clause"]; c != want {
			t.Errorf("load %d removing parentId: Clause counts %+v, want %+v", i+1, c, want)
		}
	}
	got, _ = db.Nodes(ctx, []string{p + "g:1.1"})
	if c, _ := got[p+"g:1.1"].(*model.Clause); c == nil || c.ParentID != nil {
		t.Errorf("clause after removing parentId = %#v", got[p+"g:1.1"])
	}
}

func TestLoadBatchDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t)
	before := neo4jtest.Snapshot(t, p)
	rep, err := db.LoadBatch(t.Context(), loadCatalog(p), true)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.DryRun {
		t.Error("report of a dry run says DryRun false")
	}
	if c := rep.Nodes["Clause"]; c != (ingest.Counts{Created: 2}) {
		t.Errorf("dry run Clause counts = %+v, want 2 created", c)
	}
	if c := rep.Rels["HAS_CLAUSE"]; c != (ingest.Counts{Created: 2}) {
		t.Errorf("dry run HAS_CLAUSE counts = %+v, want 2 created", c)
	}
	if after := neo4jtest.Snapshot(t, p); after != before || neo4jtest.Count(t, p) != 0 {
		t.Errorf("a dry run wrote: %s", after)
	}
}

func TestLoadBatchDanglingReferenceWritesNothing(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t)
	ctx := t.Context()
	if _, err := db.LoadBatch(ctx, &ingest.Batch{Source: "setup", Nodes: []ingest.Node{{Label: model.LabelThreat, ID: p + "stored"}}}, false); err != nil {
		t.Fatal(err)
	}
	hint := "the NIST SP 800-53 Rev. 5 catalog (guideline nist-sp800-53r5)"
	mapping := func(targets ...string) *ingest.Batch {
		b := &ingest.Batch{Source: "mapping.json", Nodes: []ingest.Node{{Label: model.LabelClause, ID: p + "src", Props: map[string]any{"ref": "S"}}}}
		for i, to := range targets {
			b.Rels = append(b.Rels, ingest.Rel{Type: model.RelMapsTo, FromLabel: model.LabelClause, From: p + "src", ToLabel: model.LabelClause, To: to,
				Where: fmt.Sprintf("maps[3].targets[%d]", i), Hint: hint})
		}
		return b
	}
	for _, tt := range []struct {
		name    string
		b       *ingest.Batch
		path    string
		message []string
	}{
		{"One", mapping(p + "ac-99"), "maps[3].targets[0]",
			[]string{"clause " + p + "ac-99 is not loaded; ingest " + hint + " first (or give both files in one run)"}},
		{"WrongLabel", mapping(p + "stored"), "maps[3].targets[0]", []string{"clause " + p + "stored is a threat in the database, not a clause"}},
		{"Many", mapping(func() []string {
			var ids []string
			for i := range 25 {
				ids = append(ids, fmt.Sprintf("%sc-%02d", p, i))
			}
			return ids
		}()...), "", []string{"25 relationship ends are not in the database:", "maps[3].targets[0]: clause " + p + "c-00 is not loaded",
			"maps[3].targets[19]: clause " + p + "c-19", "… and 5 more"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := neo4jtest.Snapshot(t, p)
			for _, dry := range []bool{true, false} {
				_, err := db.LoadBatch(ctx, tt.b, dry)
				ie, ok := errors.AsType[*ingest.Error](err)
				if !ok {
					t.Fatalf("dryRun %v: error %v is not an *ingest.Error", dry, err)
				}
				if ie.File != "mapping.json" || ie.Path != tt.path {
					t.Errorf("dryRun %v: error at %q %q, want mapping.json %q", dry, ie.File, ie.Path, tt.path)
				}
				for _, m := range tt.message {
					if !strings.Contains(ie.Message, m) {
						t.Errorf("dryRun %v: message %q does not contain %q", dry, ie.Message, m)
					}
				}
				if strings.Contains(ie.Message, p+"c-20") {
					t.Errorf("message lists more than 20 ends: %s", ie.Message)
				}
			}
			if after := neo4jtest.Snapshot(t, p); after != before {
				t.Errorf("a failed load wrote:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

func TestLoadBatchRejectsBadBatches(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t)
	node := func(label, id string, props map[string]any) ingest.Node {
		return ingest.Node{Label: label, ID: p + id, Props: props}
	}
	good := []ingest.Node{node("Threat", "t", nil), node("Measure", "m", nil)}
	with := func(nodes []ingest.Node, rels ...ingest.Rel) *ingest.Batch {
		return &ingest.Batch{Source: "bad.json", Nodes: append(append([]ingest.Node{}, good...), nodes...), Rels: rels}
	}
	for _, tt := range []struct {
		name string
		b    *ingest.Batch
		want string
	}{
		{"UnknownLabel", with([]ingest.Node{node("User", "u", nil)}), `label "User" is not one ingest writes`},
		{"HostileLabel", with([]ingest.Node{node("Threat {id: 'x'}) DETACH DELETE n //", "u", nil)}), "is not one ingest writes"},
		{"UnknownType", with(nil, ingest.Rel{Type: "KNOWS", FromLabel: "Threat", From: p + "t", ToLabel: "Measure", To: p + "m", Where: "rels[0]"}), "ingest writes no KNOWS"},
		{"HostileType", with(nil, ingest.Rel{Type: "MITIGATED_BY]->() DETACH DELETE n //", FromLabel: "Threat", From: p + "t", ToLabel: "Measure", To: p + "m"}), "ingest writes no"},
		{"WrongEnds", with(nil, ingest.Rel{Type: "MITIGATED_BY", FromLabel: "Measure", From: p + "m", ToLabel: "Threat", To: p + "t", Where: "rels[0]"}), "ingest writes no MITIGATED_BY from a measure to a threat"},
		{"EndLabelledOtherwise", with(nil, ingest.Rel{Type: "MITIGATED_BY", FromLabel: "Threat", From: p + "m", ToLabel: "Measure", To: p + "t", Where: "rels[0]"}), "is a measure in this document"},
		{"EmptyID", with([]ingest.Node{{Label: "Threat", ID: " "}}), "empty id"},
		{"EmptyEndID", with(nil, ingest.Rel{Type: "MITIGATED_BY", FromLabel: "Threat", From: p + "t", ToLabel: "Measure", Where: "rels[0]"}), "empty id"},
		{"LongID", with([]ingest.Node{node("Threat", strings.Repeat("x", 2000), nil)}), "longer than 1024 bytes"},
		{"TwoLabels", with([]ingest.Node{node("Measure", "t", nil)}), "given both as a threat and as a measure"},
		{"MapProperty", with([]ingest.Node{node("Threat", "x", map[string]any{"meta": map[string]any{"a": 1}})}), "property meta: a map[string]interface {} cannot be stored"},
		{"MixedList", with([]ingest.Node{node("Threat", "x", map[string]any{"tactics": []any{"a", 1}})}), "a list may hold only strings"},
		{"OtherID", with([]ingest.Node{node("Threat", "x", map[string]any{"id": "y"})}), "property id is y"},
		{"TooMany", &ingest.Batch{Source: "bad.json", Nodes: make([]ingest.Node, ingest.MaxRecords+1)}, "the limit is 500000"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, dry := range []bool{true, false} {
				_, err := db.LoadBatch(t.Context(), tt.b, dry)
				ie, ok := errors.AsType[*ingest.Error](err)
				if !ok {
					t.Fatalf("error %v is not an *ingest.Error", err)
				}
				if ie.File != "bad.json" || !strings.Contains(ie.Error(), tt.want) {
					t.Errorf("error %q does not name bad.json and %q", ie.Error(), tt.want)
				}
			}
			if n := neo4jtest.Count(t, p); n != 0 {
				t.Errorf("a rejected batch wrote %d nodes", n)
			}
		})
	}
}

func TestLoadBatchConflictingStoredLabelWritesNothing(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t)
	ctx := t.Context()
	if _, err := db.LoadBatch(ctx, &ingest.Batch{Source: "setup", Nodes: []ingest.Node{{Label: model.LabelThreat, ID: p + "x", Props: map[string]any{"name": "kept"}}}}, false); err != nil {
		t.Fatal(err)
	}
	before := neo4jtest.Snapshot(t, p)
	b := loadCatalog(p)
	b.Nodes = append(b.Nodes, ingest.Node{Label: model.LabelMeasure, ID: p + "x", Props: map[string]any{"name": "clash"}})
	_, err := db.LoadBatch(ctx, b, false)
	if ie, ok := errors.AsType[*ingest.Error](err); !ok || !strings.Contains(ie.Message, "measure "+p+"x: the database has a threat with this id") {
		t.Fatalf("error = %v, want one naming the taken id", err)
	}
	if after := neo4jtest.Snapshot(t, p); after != before {
		t.Errorf("a failed load wrote:\nbefore %s\nafter  %s", before, after)
	}
}

// TestLoadBatchFailingInsideNeo4jWritesNothing makes Neo4j itself fail the
// transaction after thousands of rows (in more than one chunk) are written:
// a Threat's externalId is too large for its range index. Everything written
// before the failure must be rolled back.
func TestLoadBatchFailingInsideNeo4jWritesNothing(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t)
	b := &ingest.Batch{Source: "big.json", Nodes: []ingest.Node{{Label: model.LabelGuideline, ID: p + "g"}}}
	for i := range 6000 {
		id := fmt.Sprintf("%sc%05d", p, i)
		b.Nodes = append(b.Nodes, ingest.Node{Label: model.LabelClause, ID: id, Props: map[string]any{"ref": id}})
		b.Rels = append(b.Rels, ingest.Rel{Type: model.RelHasClause, FromLabel: model.LabelGuideline, From: p + "g", ToLabel: model.LabelClause, To: id})
	}
	b.Nodes = append(b.Nodes, ingest.Node{Label: model.LabelThreat, ID: p + "huge", Props: map[string]any{"externalId": strings.Repeat("T", 40000)}})
	var progressed atomic.Int64
	ctx := ingest.WithProgress(t.Context(), func(n int) { progressed.Add(int64(n)) })
	_, err := db.LoadBatch(ctx, b, false)
	if err == nil {
		t.Fatal("Neo4j accepted a 40,000-byte indexed property; the test needs another way to fail inside Neo4j")
	}
	if ie, ok := errors.AsType[*ingest.Error](err); !ok || !strings.Contains(ie.Message, "a value of (:Threat {externalId}), 400") {
		t.Errorf("error = %v, want an *ingest.Error naming the index and the size", err)
	}
	if progressed.Load() < 6001 {
		t.Errorf("the failure came after %d rows, want it after the 6,001 nodes of earlier labels", progressed.Load())
	}
	if n := neo4jtest.Count(t, p); n != 0 {
		t.Errorf("a load that failed inside Neo4j left %d nodes", n)
	}
}

func TestLoadBatchStoresHostileStringsVerbatim(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t)
	hostile := []string{
		"'); MATCH (n) DETACH DELETE n //",
		"`Threat`) DETACH DELETE n RETURN 1 //",
		"$rows {id: row.id}",
		"line one\nline two\r\n\ttabbed \\ backslash \"quoted\"",
		"日本語のテキスト 🚨 \u202e reversed",
		"\x00nul byte",
		strings.Repeat("long ", 20000),
	}
	b := &ingest.Batch{Source: "hostile.yaml"}
	for i, s := range hostile {
		id := fmt.Sprintf("%s%d`) DETACH DELETE n //", p, i)
		b.Nodes = append(b.Nodes, ingest.Node{Label: model.LabelThreat, ID: id, Props: map[string]any{"name": s, "description": s, "kind": "cyber-attack"}})
		b.Rels = append(b.Rels, ingest.Rel{Type: model.RelMitigatedBy, FromLabel: model.LabelThreat, From: id, ToLabel: model.LabelMeasure, To: p + "m",
			Props: map[string]any{"rationale": s}})
	}
	b.Nodes = append(b.Nodes, ingest.Node{Label: model.LabelMeasure, ID: p + "m", Props: map[string]any{"name": hostile[0]}})
	rep, err := db.LoadBatch(t.Context(), b, false)
	if err != nil {
		t.Fatal(err)
	}
	if c := rep.Nodes["Threat"]; c.Created != len(hostile) {
		t.Errorf("Threat counts = %+v, want %d created", c, len(hostile))
	}
	ids := make([]string, len(hostile))
	for i := range hostile {
		ids[i] = b.Nodes[i].ID
	}
	got, err := db.Nodes(t.Context(), ids)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range hostile {
		th, _ := got[ids[i]].(*model.Threat)
		if th == nil || th.Name != s || th.Description != s {
			t.Errorf("hostile string %d was not stored verbatim: %#v", i, got[ids[i]])
		}
	}
	rep, err = db.LoadBatch(t.Context(), b, false)
	if err != nil {
		t.Fatal(err)
	}
	if c := rep.Rels["MITIGATED_BY"]; c != (ingest.Counts{Unchanged: len(hostile)}) {
		t.Errorf("reloading hostile strings: MITIGATED_BY %+v, want all unchanged", c)
	}
}

func TestLoadBatchMergesDuplicatesAndChunks(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t)
	const n = 12001 // three chunks
	b := &ingest.Batch{Source: "many.json", Nodes: []ingest.Node{{Label: model.LabelGuideline, ID: p + "g"}}}
	for i := range n {
		id := fmt.Sprintf("%sc%05d", p, i)
		b.Nodes = append(b.Nodes, ingest.Node{Label: model.LabelClause, ID: id, Props: map[string]any{"ref": id, "guidelineId": p + "g"}})
		b.Rels = append(b.Rels, ingest.Rel{Type: model.RelHasClause, FromLabel: model.LabelGuideline, From: p + "g", ToLabel: model.LabelClause, To: id})
	}
	// The same node and relationship again: merged, with a warning only
	// when the values differ.
	b.Nodes = append(b.Nodes, b.Nodes[1], ingest.Node{Label: model.LabelClause, ID: p + "c00002", Props: map[string]any{"ref": "other"}})
	b.Rels = append(b.Rels, b.Rels[0], ingest.Rel{Type: model.RelHasClause, FromLabel: model.LabelGuideline, From: p + "g", ToLabel: model.LabelClause, To: p + "c00003",
		Props: map[string]any{"order": int64(3)}, Where: "clauses[3]"})
	var progressed atomic.Int64
	ctx := ingest.WithProgress(t.Context(), func(n int) { progressed.Add(int64(n)) })
	rep, err := db.LoadBatch(ctx, b, false)
	if err != nil {
		t.Fatal(err)
	}
	if c := rep.Nodes["Clause"]; c != (ingest.Counts{Created: n}) {
		t.Errorf("Clause counts = %+v, want %d created", c, n)
	}
	if c := rep.Rels["HAS_CLAUSE"]; c != (ingest.Counts{Created: n}) {
		t.Errorf("HAS_CLAUSE counts = %+v, want %d created", c, n)
	}
	if got := progressed.Load(); got != 2*n+1 {
		t.Errorf("progress reported %d records, want %d", got, 2*n+1)
	}
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0].Message, "different values of ref") {
		t.Errorf("warnings = %+v, want one about the clause given twice with another ref", rep.Warnings)
	}
	got, _ := db.Nodes(t.Context(), []string{p + "c00002"})
	if c, _ := got[p+"c00002"].(*model.Clause); c == nil || c.Ref != "other" {
		t.Errorf("the last of two duplicates should win: %#v", got[p+"c00002"])
	}
	rep, err = db.LoadBatch(t.Context(), b, false)
	if err != nil {
		t.Fatal(err)
	}
	if c := rep.Rels["HAS_CLAUSE"]; c != (ingest.Counts{Unchanged: n}) {
		t.Errorf("HAS_CLAUSE again = %+v, want %d unchanged", c, n)
	}
}

func TestLoadBatchesDryRunSeesEarlierBatches(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t)
	catalog := loadCatalog(p)
	mapping := &ingest.Batch{Source: "mapping.json", Rels: []ingest.Rel{{Type: model.RelMapsTo, FromLabel: model.LabelClause, From: p + "g:1",
		ToLabel: model.LabelClause, To: p + "g:1.1", Props: map[string]any{"relationship": "EQUAL_TO"}, Where: "maps[0]"}}}
	broken := &ingest.Batch{Source: "broken.json", Nodes: []ingest.Node{{Label: "Nope", ID: p + "x"}}}

	if _, err := db.LoadBatch(t.Context(), mapping, true); err == nil {
		t.Fatal("a dry run of the mapping alone found its clauses")
	}
	before := neo4jtest.Snapshot(t, p)
	var mu sync.Mutex
	reports := map[int]*ingest.Report{}
	errs := map[int]error{}
	db.LoadBatches(t.Context(), []*ingest.Batch{catalog, broken, mapping}, true, func(i int, r *ingest.Report, err error) {
		mu.Lock()
		defer mu.Unlock()
		reports[i], errs[i] = r, err
	})
	if errs[0] != nil || errs[2] != nil || errs[1] == nil {
		t.Fatalf("errors = %v, want only the broken batch to fail", errs)
	}
	if c := reports[2].Rels["MAPS_TO"]; c != (ingest.Counts{Created: 1}) {
		t.Errorf("MAPS_TO in the dry run after the catalog = %+v, want 1 created", c)
	}
	if !reports[0].DryRun || !reports[2].DryRun {
		t.Error("dry-run reports say DryRun false")
	}
	if after := neo4jtest.Snapshot(t, p); after != before {
		t.Errorf("LoadBatches with dryRun wrote: %s", after)
	}

	var order []int
	db.LoadBatches(t.Context(), []*ingest.Batch{catalog, mapping}, false, func(i int, r *ingest.Report, err error) {
		if err != nil {
			t.Errorf("batch %d: %v", i, err)
		}
		order = append(order, i)
	})
	if fmt.Sprint(order) != "[0 1]" || neo4jtest.Count(t, p) != 6 {
		t.Errorf("LoadBatches wrote batches %v and %d nodes, want [0 1] and 6", order, neo4jtest.Count(t, p))
	}
}

func TestLoadBatchTellsTheObserver(t *testing.T) {
	t.Parallel()
	p := neo4jtest.Prefix(t)
	obs := &neo4jtest.Counter{}
	db := neo4jtest.OpenObserved(t, obs)
	if _, err := db.LoadBatch(t.Context(), loadCatalog(p), false); err != nil {
		t.Fatal(err)
	}
	// One check, five node labels, five relationship kinds, the audit
	// event; one transaction.
	if got := obs.Queries("neo4j.LoadBatch"); got != 12 {
		t.Errorf("observer saw %d LoadBatch statements, want 12", got)
	}
	if got := obs.Transactions("neo4j.LoadBatch"); got != 1 {
		t.Errorf("observer saw %d LoadBatch transactions, want 1", got)
	}
}

func TestLoadBatchHonoursCancellation(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := db.LoadBatch(ctx, loadCatalog(p), false); err == nil {
		t.Error("a load with a cancelled context succeeded")
	}
	if n := neo4jtest.Count(t, p); n != 0 {
		t.Errorf("a cancelled load wrote %d nodes", n)
	}
}

func TestLoadBatchSkipsMappingsToClausesTheLoadedGuidelineLacks(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t)
	ctx := t.Context()
	if _, err := db.LoadBatch(ctx, loadCatalog(p), false); err != nil {
		t.Fatal(err)
	}
	maps := func(to ...string) *ingest.Batch {
		b := &ingest.Batch{Source: "mapping.json"}
		for i, id := range to {
			b.Rels = append(b.Rels, ingest.Rel{Type: model.RelMapsTo, FromLabel: model.LabelClause, From: p + "g:1", ToLabel: model.LabelClause, To: id,
				Props: map[string]any{"relationship": "SUPERSET_OF"}, Where: fmt.Sprintf("maps[%d]", i), Hint: "the H catalog (guideline " + p + "h)"})
		}
		return b
	}
	before := neo4jtest.Snapshot(t, p)
	_, err := db.LoadBatch(ctx, maps(p+"g:99", p+"h:1"), false)
	if ie, ok := errors.AsType[*ingest.Error](err); !ok || ie.Path != "maps[1]" || !strings.Contains(ie.Message, "clause "+p+"h:1 is not loaded; ingest the H catalog") {
		t.Errorf("a mapping into a guideline that is not loaded: error %v, want one naming maps[1] and the guideline to load", err)
	}
	if after := neo4jtest.Snapshot(t, p); after != before {
		t.Errorf("the failed mapping wrote: %s", after)
	}

	rep, err := db.LoadBatch(ctx, maps(p+"g:99", p+"g:1.1"), false)
	if err != nil {
		t.Fatal(err)
	}
	if c := rep.Rels["MAPS_TO"]; c != (ingest.Counts{Created: 1}) {
		t.Errorf("MAPS_TO = %+v, want 1 created (the one to a clause the guideline has)", c)
	}
	if len(rep.Warnings) != 1 || rep.Warnings[0].Location != "maps[0]" || !strings.Contains(rep.Warnings[0].Message, p+"g:99 is not in the loaded guideline") {
		t.Errorf("warnings = %+v, want one at maps[0] about %sg:99", rep.Warnings, p)
	}
	rep, err = db.LoadBatch(ctx, maps(p+"g:99"), true)
	if err != nil || len(rep.Rels) != 0 || len(rep.Warnings) != 1 {
		t.Errorf("a mapping whose only end is unknown: report %+v, error %v; want no relationships and one warning", rep, err)
	}
}

// TestLoadGuardRunsInTheLoadAndHoldsWhatItRead checks that the Guard in
// the context runs inside the load's transaction: what it refuses writes
// nothing and reaches the caller as it is, and a node it read cannot change
// until the load has committed (a concurrent write waits for its lock).
func TestLoadGuardRunsInTheLoadAndHoldsWhatItRead(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t)
	threat := func(id, name string) *ingest.Batch {
		return &ingest.Batch{Source: "guard.json", Nodes: []ingest.Node{{Label: model.LabelThreat, ID: p + id, Props: map[string]any{"name": name}}}}
	}
	if _, err := db.LoadBatch(t.Context(), threat("read", "before"), false); err != nil {
		t.Fatal(err)
	}

	t.Run("Refuses", func(t *testing.T) {
		before := neo4jtest.Snapshot(t, p)
		refusal := model.Errorf(model.EFORBIDDEN, "not you")
		ctx := ingest.WithGuard(t.Context(), func(context.Context, ingest.StoredNodes) error { return refusal })
		if _, err := db.LoadBatch(ctx, threat("refused", "x"), false); !errors.Is(err, refusal) {
			t.Fatalf("err = %v, want the guard's refusal", err)
		}
		if after := neo4jtest.Snapshot(t, p); after != before {
			t.Errorf("a refused load wrote: %s", after)
		}
	})

	t.Run("HoldsWhatItRead", func(t *testing.T) {
		var guardDone atomic.Bool
		read := make(chan struct{})
		ctx := ingest.WithGuard(t.Context(), func(ctx context.Context, stored ingest.StoredNodes) error {
			nodes, err := stored(ctx, []string{p + "read"})
			if err != nil {
				return err
			}
			if th, _ := nodes[p+"read"].(*model.Threat); th == nil || th.Name != "before" {
				return fmt.Errorf("the guard read %#v", nodes[p+"read"])
			}
			select {
			case <-read: // a retry: the concurrent write is already waiting
			default:
				close(read)
			}
			time.Sleep(300 * time.Millisecond) // the concurrent write runs now, unless the node is locked
			guardDone.Store(true)
			return nil
		})
		var wg sync.WaitGroup
		var writtenBeforeCommit atomic.Bool
		wg.Go(func() {
			<-read
			if _, err := db.LoadBatch(t.Context(), threat("read", "after"), false); err != nil {
				t.Error(err)
			}
			writtenBeforeCommit.Store(!guardDone.Load())
		})
		if _, err := db.LoadBatch(ctx, threat("other", "x"), false); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		if writtenBeforeCommit.Load() {
			t.Error("a node the guard read was changed while the guarded load was still running")
		}
	})
}
