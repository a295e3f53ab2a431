package resolvers_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/internal/wsclient"
)

const (
	naFields   = `id notApplicable { clause { id ref } reason }`
	markNADoc  = `mutation($id: ID!, $marks: [NotApplicableInput!]!) { markClausesNotApplicable(analysisId: $id, marks: $marks) { ` + naFields + ` } }`
	clearNADoc = `mutation($id: ID!, $ids: [ID!]!) { clearClausesNotApplicable(analysisId: $id, clauseIds: $ids) { ` + naFields + ` } }`
	readNADoc  = `query($id: ID!) { analysis(id: $id) { ` + naFields + ` } }`
)

// naMark is one entry of Analysis.notApplicable as the tests read it.
type naMark struct {
	Clause struct{ ID, Ref string }
	Reason string
}

// naAnalysis is an analysis with its marks.
type naAnalysis struct {
	ID            string
	NotApplicable []naMark
}

// naPairs turns marks into "clause=reason" strings, in their order.
func naPairs(ms []naMark) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Clause.ID + "=" + m.Reason
	}
	return out
}

// naMarks builds the marks argument from clause, reason pairs.
func naMarks(pairs ...string) []any {
	var out []any
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, map[string]any{"clauseId": pairs[i], "reason": pairs[i+1]})
	}
	return out
}

// naClauses adds clauses with the given ids to the scene's guideline and
// returns them with the scene's own clause first.
func (e *analysisEnv) naClauses(t *testing.T, ids ...string) []string {
	t.Helper()
	neo4jtest.AnalysisExec(t, `
MATCH (g:Guideline {id: $g})
UNWIND $ids AS id
CREATE (g)-[:HAS_CLAUSE]->(:Clause:Entity {id: id, ref: 'Ref ' + id, title: 'Clause', text: '', guidelineId: g.id})`,
		map[string]any{"g": e.s.Guideline, "ids": ids})
	return append([]string{e.s.Clause}, ids...)
}

// naStored reads the marks as Neo4j holds them: clause=reason, by clause.
func naStored(t *testing.T, analysis string) []string {
	t.Helper()
	rows := neo4jtest.AnalysisExec(t, `
MATCH (:Analysis {id: $id})-[r:NOT_APPLICABLE]->(c:Clause)
RETURN c.id + '=' + r.reason AS m ORDER BY c.id, r.reason`, map[string]any{"id": analysis})
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r["m"].(string)
	}
	return out
}

// TestNotApplicableMarkReadClear marks clauses, reads them back (through
// the mutation's result, analysis(id) and Neo4j itself), marks one again
// with a new reason and clears some.
func TestNotApplicableMarkReadClear(t *testing.T) {
	t.Parallel()
	e := newAnalysisEnv(t)
	c := e.naClauses(t, e.p+"clause-2", e.p+"clause-3")
	id := e.p + "an"
	e.create(t, map[string]any{"id": id})
	if a := e.readNA(t, e.analyst, id); len(a.NotApplicable) != 0 {
		t.Fatalf("a new analysis has marks %v", a.NotApplicable)
	}

	var got struct{ MarkClausesNotApplicable naAnalysis }
	e.must(t, e.analyst, markNADoc, map[string]any{"id": id, "marks": naMarks(c[2], "No radio on this device.", c[0], hostile)}, &got)
	want := []string{c[0] + "=" + hostile, c[2] + "=No radio on this device."}
	if g := naPairs(got.MarkClausesNotApplicable.NotApplicable); !slices.Equal(g, want) {
		t.Errorf("the mutation returns %v, want %v (ordered by clause id)", g, want)
	}
	if g := got.MarkClausesNotApplicable.NotApplicable; len(g) > 0 && g[0].Clause.Ref != e.s.ClauseRef {
		t.Errorf("clause %+v, want ref %q", g[0].Clause, e.s.ClauseRef)
	}
	if g := naPairs(e.readNA(t, e.analyst, id).NotApplicable); !slices.Equal(g, want) {
		t.Errorf("analysis(id) reads %v, want %v", g, want)
	}
	if g := naStored(t, id); !slices.Equal(g, want) {
		t.Errorf("stored %v, want %v", g, want)
	}

	// Marking again replaces the reason and keeps one relationship; the
	// longest reason the limits allow is taken.
	long := strings.Repeat("é", model.MaxText)
	e.must(t, e.analyst, markNADoc, map[string]any{"id": id, "marks": naMarks(c[2], "The gateway was removed.", c[1], long)}, &got)
	want = []string{c[0] + "=" + hostile, c[1] + "=" + long, c[2] + "=The gateway was removed."}
	if g := naStored(t, id); !slices.Equal(g, want) {
		t.Errorf("after marking again, stored %d marks, want %d with the new reason", len(g), len(want))
	}

	var cleared struct{ ClearClausesNotApplicable naAnalysis }
	e.must(t, e.analyst, clearNADoc, map[string]any{"id": id, "ids": []any{c[0], c[0], e.p + "never-marked"}}, &cleared)
	want = want[1:]
	if g := naPairs(cleared.ClearClausesNotApplicable.NotApplicable); !slices.Equal(g, want) {
		t.Errorf("after clearing: %d marks (%.60v), want %d", len(g), g, len(want))
	}
	if g := naStored(t, id); !slices.Equal(g, want) {
		t.Errorf("after clearing, stored %.60v", g)
	}

	// One operation that marks and then clears reads each result afresh.
	var both struct {
		M, C naAnalysis
	}
	e.must(t, e.analyst, `mutation($id: ID!, $marks: [NotApplicableInput!]!, $ids: [ID!]!) {
  m: markClausesNotApplicable(analysisId: $id, marks: $marks) { `+naFields+` }
  c: clearClausesNotApplicable(analysisId: $id, clauseIds: $ids) { `+naFields+` } }`,
		map[string]any{"id": id, "marks": naMarks(c[0], "again"), "ids": []any{c[0], c[1], c[2]}}, &both)
	if len(both.M.NotApplicable) != 3 || len(both.C.NotApplicable) != 0 {
		t.Errorf("mark then clear in one operation: %d marks, then %d; want 3, then 0", len(both.M.NotApplicable), len(both.C.NotApplicable))
	}
}

// readNA reads an analysis's marks as the caller sees them.
func (e *analysisEnv) readNA(t *testing.T, token, id string) naAnalysis {
	t.Helper()
	var got struct{ Analysis *naAnalysis }
	e.must(t, token, readNADoc, map[string]any{"id": id}, &got)
	if got.Analysis == nil {
		t.Fatalf("analysis %s is not readable", id)
	}
	return *got.Analysis
}

// TestNotApplicableRefusals checks every refusal of the two mutations:
// bad input, unknown clauses (named), callers who may not write the
// analysis, and a submitted analysis. None of them changes the graph.
func TestNotApplicableRefusals(t *testing.T) {
	t.Parallel()
	e := newAnalysisEnv(t)
	c := e.naClauses(t, e.p+"clause-2")
	private, shared, submitted := e.p+"an-private", e.p+"an-shared", e.p+"an-submitted"
	e.create(t, map[string]any{"id": private})
	e.create(t, map[string]any{"id": shared, "visibility": "SHARED", "sharedWithSectors": []any{e.s.OtherSector}})
	e.create(t, map[string]any{"id": submitted})
	e.must(t, e.analyst, markNADoc, map[string]any{"id": private, "marks": naMarks(c[0], "kept")}, nil)
	e.must(t, e.analyst, markNADoc, map[string]any{"id": submitted, "marks": naMarks(c[0], "kept")}, nil)
	e.assess(t, e.analyst, e.simpleAssessment(submitted, e.s.Incidents[0]))
	e.must(t, e.analyst, submitDoc, map[string]any{"id": submitted}, nil)

	tooMany := make([]any, model.MaxMarksPerCall+1)
	tooManyIDs := make([]any, model.MaxMarksPerCall+1)
	for i := range tooMany {
		tooManyIDs[i] = fmt.Sprintf("%sclause-x%d", e.p, i)
		tooMany[i] = map[string]any{"clauseId": tooManyIDs[i], "reason": "r"}
	}
	snap := neo4jtest.Snapshot(t, e.p)
	for _, tt := range []struct {
		name, token string
		doc         string
		vars        map[string]any
		code, field string
		msg         []string // parts of the message
	}{
		{name: "UnknownClauses", token: e.analyst, code: "NOT_FOUND", field: "marks.1.clauseId", msg: []string{`"` + e.p + `nope-1"`, `"` + e.p + `nope-2"`},
			doc: markNADoc, vars: map[string]any{"id": private, "marks": naMarks(c[1], "fine", e.p+"nope-1", "x", e.p+"nope-2", "y")}},
		{name: "NotAClause", token: e.analyst, code: "NOT_FOUND", field: "marks.0.clauseId", msg: []string{`no clause "` + e.s.Target + `"`},
			doc: markNADoc, vars: map[string]any{"id": private, "marks": naMarks(e.s.Target, "a target")}},
		{name: "EmptyReason", token: e.analyst, code: "BAD_USER_INPUT", field: "marks.0.reason",
			doc: markNADoc, vars: map[string]any{"id": private, "marks": naMarks(c[1], "")}},
		{name: "LongReason", token: e.analyst, code: "BAD_USER_INPUT", field: "marks.0.reason", msg: []string{"the limit is 20000"},
			doc: markNADoc, vars: map[string]any{"id": private, "marks": naMarks(c[1], strings.Repeat("x", model.MaxText+1))}},
		{name: "MalformedClause", token: e.analyst, code: "BAD_USER_INPUT", field: "marks.0.clauseId",
			doc: markNADoc, vars: map[string]any{"id": private, "marks": naMarks(hostile, "x")}},
		{name: "ClauseTwice", token: e.analyst, code: "BAD_USER_INPUT", field: "marks.1.clauseId", msg: []string{"marked twice"},
			doc: markNADoc, vars: map[string]any{"id": private, "marks": naMarks(c[1], "x", c[1], "y")}},
		{name: "TooMany", token: e.analyst, code: "BAD_USER_INPUT", field: "marks", msg: []string{"the limit is 2000"},
			doc: markNADoc, vars: map[string]any{"id": private, "marks": tooMany}},
		{name: "ClearMalformed", token: e.analyst, code: "BAD_USER_INPUT", field: "clauseIds.1",
			doc: clearNADoc, vars: map[string]any{"id": private, "ids": []any{c[0], hostile}}},
		{name: "ClearTooMany", token: e.analyst, code: "BAD_USER_INPUT", field: "clauseIds",
			doc: clearNADoc, vars: map[string]any{"id": private, "ids": tooManyIDs}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(t, tt.token, tt.doc, tt.vars)
			wantError(t, r, tt.code, tt.field)
			for _, m := range tt.msg {
				if !strings.Contains(r.Errors[0].Message, m) {
					t.Errorf("message %q does not contain %q", r.Errors[0].Message, m)
				}
			}
			if neo4jtest.Snapshot(t, e.p) != snap {
				t.Error("a refused call changed the graph")
			}
		})
	}
	// Who may not write: the same refusals as every other change to a
	// draft analysis (writableAnalysis), for both mutations.
	for _, tt := range []struct {
		name, token, id, code, field string
	}{
		{"UnknownAnalysis", e.analyst, e.p + "nope", "NOT_FOUND", "analysisId"},
		{"Anonymous", "", private, "UNAUTHENTICATED", ""},
		{"Viewer", e.viewer, private, "FORBIDDEN", ""},
		{"OtherOrganizationPrivate", e.other, private, "NOT_FOUND", "analysisId"}, // not even readable
		{"OtherOrganizationShared", e.other, shared, "FORBIDDEN", ""},             // readable, not writable
		{"Submitted", e.analyst, submitted, "CONFLICT", ""},
	} {
		for _, call := range []struct {
			name string
			doc  string
			vars map[string]any
		}{
			{"Mark", markNADoc, map[string]any{"id": tt.id, "marks": naMarks(c[1], "x")}},
			{"Clear", clearNADoc, map[string]any{"id": tt.id, "ids": []any{c[0]}}},
		} {
			t.Run(tt.name+call.name, func(t *testing.T) {
				r := e.do(t, tt.token, call.doc, call.vars)
				wantError(t, r, tt.code, tt.field)
				if tt.code == "CONFLICT" && !strings.Contains(r.Errors[0].Message, "reviseAnalysis") {
					t.Errorf("message %q does not say to call reviseAnalysis", r.Errors[0].Message)
				}
				if neo4jtest.Snapshot(t, e.p) != snap {
					t.Error("a refused call changed the graph")
				}
			})
		}
	}
	// The org admin and an admin may write (the writers of the organization).
	for _, tok := range []string{e.orgAdmin, e.admin} {
		e.must(t, tok, markNADoc, map[string]any{"id": private, "marks": naMarks(c[1], "by a writer")}, nil)
	}
	if g := naStored(t, private); !slices.Equal(g, []string{c[0] + "=kept", c[1] + "=by a writer"}) {
		t.Errorf("stored %v", g)
	}
}

// TestNotApplicableReviseCopies revises a submitted analysis with marks:
// the new draft has the same marks (and reasons), which it may change
// while the submitted version keeps its own.
func TestNotApplicableReviseCopies(t *testing.T) {
	t.Parallel()
	e := newAnalysisEnv(t)
	c := e.naClauses(t, e.p+"clause-2", e.p+"clause-3")
	v1 := e.p + "an"
	e.create(t, map[string]any{"id": v1})
	e.must(t, e.analyst, markNADoc, map[string]any{"id": v1, "marks": naMarks(c[0], "one", c[2], "three")}, nil)
	e.assess(t, e.analyst, e.simpleAssessment(v1, e.s.Incidents[0]))
	e.must(t, e.analyst, submitDoc, map[string]any{"id": v1}, nil)
	var revised struct{ ReviseAnalysis naAnalysis }
	e.must(t, e.analyst, `mutation($id: ID!) { reviseAnalysis(id: $id) { `+naFields+` } }`, map[string]any{"id": v1}, &revised)
	v2 := revised.ReviseAnalysis.ID
	want := []string{c[0] + "=one", c[2] + "=three"}
	if g := naPairs(revised.ReviseAnalysis.NotApplicable); !slices.Equal(g, want) {
		t.Errorf("the revision has marks %v, want %v", g, want)
	}
	if g := naStored(t, v2); !slices.Equal(g, want) {
		t.Errorf("the revision stores %v, want %v", g, want)
	}
	e.must(t, e.analyst, clearNADoc, map[string]any{"id": v2, "ids": []any{c[0]}}, nil)
	e.must(t, e.analyst, markNADoc, map[string]any{"id": v2, "marks": naMarks(c[1], "two", c[2], "three, revised")}, nil)
	if g, w := naStored(t, v2), []string{c[1] + "=two", c[2] + "=three, revised"}; !slices.Equal(g, w) {
		t.Errorf("the edited revision stores %v, want %v", g, w)
	}
	if g := naStored(t, v1); !slices.Equal(g, want) {
		t.Errorf("editing the revision changed version 1's marks to %v", g)
	}
}

// TestNotApplicablePublishesComparisons marks and clears a clause of a
// draft analysis: each commit tells comparisonUpdated subscribers (the
// store touches the analysis's target), without the resolvers publishing.
func TestNotApplicablePublishesComparisons(t *testing.T) {
	t.Parallel()
	e := newComparisonEnv(t)
	p := e.prefix
	e.mustDo(t, e.analystA, `mutation { createGuideline(input: {id: "`+p+`g", title: "G", publisher: "P", version: "1"}) { id } }`, nil)
	e.mustDo(t, e.analystA, `mutation { createClause(input: {id: "`+p+`g-1", guidelineId: "`+p+`g", ref: "1", title: "One"}) { id } }`, nil)
	analysis := e.draft(t, e.analystA, p+"analysis-a")

	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	c := e.subscribe(ctx, t, wsclient.TransportWS, e.analystA,
		`subscription($t: ID!) { comparisonUpdated(targetId: $t, includeDrafts: true) { `+comparisonFields+` } }`, map[string]any{"t": e.target})
	last := nextComparison(ctx, t, c).Revision // the current state
	for _, step := range []struct {
		name, doc string
		vars      map[string]any
	}{
		{"Mark", markNADoc, map[string]any{"id": analysis, "marks": naMarks(p+"g-1", "Not in scope.")}},
		{"Clear", clearNADoc, map[string]any{"id": analysis, "ids": []any{p + "g-1"}}},
	} {
		e.mustDo(t, e.analystA, step.doc, step.vars)
		if ev := nextComparison(ctx, t, c); ev.Revision <= last {
			t.Errorf("%s: comparison revision %d after %d, want a newer one", step.name, ev.Revision, last)
		} else {
			last = ev.Revision
		}
	}
}

// TestNotApplicableClauseDeletion deletes clauses and guidelines that
// analyses mark not applicable: a draft's marks block a delete without
// cascade and go with cascade (the draft counts as changed); a submitted
// analysis's marks block it always, since submitted versions never change.
func TestNotApplicableClauseDeletion(t *testing.T) {
	t.Parallel()
	e := newAnalysisEnv(t)
	p := e.p
	neo4jtest.AnalysisExec(t, `
CREATE (g:Guideline:Entity {id: $p + 'g1', title: 'G1', publisher: 'Test', version: '1'})
CREATE (g)-[:HAS_CLAUSE]->(parent:Clause:Entity {id: $p + 'g1-1', ref: '1', title: 'One', text: '', guidelineId: g.id})
CREATE (g)-[:HAS_CLAUSE]->(child:Clause:Entity {id: $p + 'g1-1.1', ref: '1.1', title: 'One.one', text: '', guidelineId: g.id, parentId: parent.id})-[:PART_OF]->(parent)
CREATE (g2:Guideline:Entity {id: $p + 'g2', title: 'G2', publisher: 'Test', version: '1'})
CREATE (g2)-[:HAS_CLAUSE]->(:Clause:Entity {id: $p + 'g2-1', ref: '1', title: 'One', text: '', guidelineId: g2.id})`, map[string]any{"p": p})
	draft, submitted := p+"an-draft", p+"an-submitted"
	e.create(t, map[string]any{"id": draft})
	e.create(t, map[string]any{"id": submitted})
	e.must(t, e.analyst, markNADoc, map[string]any{"id": draft, "marks": naMarks(p+"g1-1.1", "No such part.", p+"g2-1", "Also not.")}, nil)
	e.must(t, e.analyst, markNADoc, map[string]any{"id": submitted, "marks": naMarks(p+"g2-1", "Not here.")}, nil)
	e.assess(t, e.analyst, e.simpleAssessment(submitted, e.s.Incidents[0]))
	e.must(t, e.analyst, submitDoc, map[string]any{"id": submitted}, nil)

	const (
		delClause    = `mutation($id: ID!, $cascade: Boolean) { deleteClause(id: $id, cascade: $cascade) }`
		delGuideline = `mutation($id: ID!, $cascade: Boolean) { deleteGuideline(id: $id, cascade: $cascade) }`
	)
	snap := neo4jtest.Snapshot(t, p)
	for _, tt := range []struct {
		name, doc, id string
		cascade       bool
		msg           string
	}{
		{"DraftMarkWithoutCascade", delClause, p + "g1-1.1", false, "1 not-applicable mark"},
		{"SubmittedMark", delClause, p + "g2-1", true, "submitted analyses mark 1 clause among clause"},
		{"SubmittedMarkOfGuideline", delGuideline, p + "g2", true, `submitted analyses mark 1 clause of guideline "` + p + `g2"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(t, e.curator, tt.doc, map[string]any{"id": tt.id, "cascade": tt.cascade})
			wantError(t, r, "CONFLICT", "id")
			if len(r.Errors) > 0 && !strings.Contains(r.Errors[0].Message, tt.msg) {
				t.Errorf("message %q does not contain %q", r.Errors[0].Message, tt.msg)
			}
			if neo4jtest.Snapshot(t, p) != snap {
				t.Error("a refused delete changed the graph")
			}
		})
	}

	updated := func(id string) string {
		return fmt.Sprint(neo4jtest.AnalysisExec(t, `MATCH (a:Analysis {id: $id}) RETURN toString(a.updatedAt) AS u`, map[string]any{"id": id})[0]["u"])
	}
	before := updated(draft)
	e.must(t, e.curator, delClause, map[string]any{"id": p + "g1-1", "cascade": true}, nil) // the parent: its sub-clause's mark goes
	if g := naStored(t, draft); !slices.Equal(g, []string{p + "g2-1=Also not."}) {
		t.Errorf("after deleting the parent clause the draft stores %v", g)
	}
	if updated(draft) == before {
		t.Error("the draft that lost a mark is not marked as changed (updatedAt)")
	}
	// With the submitted analysis gone from the way, the guideline goes with
	// its clause and the draft's last mark.
	neo4jtest.AnalysisExec(t, `MATCH (:Analysis {id: $id})-[r:NOT_APPLICABLE]->() DELETE r`, map[string]any{"id": submitted})
	e.must(t, e.curator, delGuideline, map[string]any{"id": p + "g2", "cascade": true}, nil)
	if g := naStored(t, draft); len(g) != 0 {
		t.Errorf("after deleting the guideline the draft stores %v", g)
	}
}

// TestImportDocumentNotApplicable loads native documents with
// not-applicable marks through importDocument: an unknown clause is
// refused naming where the document names it, and a submitted analysis
// cannot gain or change a mark by a load (nothing is written either way).
func TestImportDocumentNotApplicable(t *testing.T) {
	t.Parallel()
	e := newImportEnv(t)
	analyst := e.tokens[model.RoleAnalyst]
	clause, other := e.p+"g-1", e.p+"g-2"
	withMarks := func(status string, pairs ...string) string {
		doc := e.native(e.org, status, "r") + "  notApplicable:\n"
		for i := 0; i+1 < len(pairs); i += 2 {
			doc += "    - clause: " + pairs[i] + "\n      reason: " + pairs[i+1] + "\n"
		}
		return doc
	}

	before := neo4jtest.Snapshot(t, e.p)
	for _, dry := range []bool{true, false} {
		r := e.importAs(t, analyst, "", withMarks("DRAFT", clause, "Not here."), "analysis.yaml", dry)
		wantError(t, r, "BAD_USER_INPUT", "content")
		if want := "analysis.yaml: analysis.notApplicable[0]: clause " + clause + " is not loaded"; len(r.Errors) > 0 && !strings.Contains(r.Errors[0].Message, want) {
			t.Errorf("message %q does not contain %q", r.Errors[0].Message, want)
		}
	}
	if neo4jtest.Snapshot(t, e.p) != before {
		t.Error("a document with an unknown clause wrote")
	}

	neo4jtest.AnalysisExec(t, `
CREATE (g:Guideline:Entity {id: $p + 'g', title: 'G', publisher: 'Test', version: '1'})
WITH g
UNWIND [$c1, $c2] AS cid
CREATE (g)-[:HAS_CLAUSE]->(:Clause:Entity {id: cid, ref: cid, title: 'Clause', text: '', guidelineId: g.id})`,
		map[string]any{"p": e.p, "c1": clause, "c2": other})
	// Only an admin loads an analysis as SUBMITTED (restoring a backup).
	rep := e.mustImport(t, e.tokens[model.RoleAdmin], "NATIVE", withMarks("SUBMITTED", clause, "Not here."), "analysis.yaml", false)
	if c := count(rep.Relationships, model.RelNotApplicable); c.Created != 1 {
		t.Errorf("NOT_APPLICABLE %+v, want 1 created", c)
	}
	var got struct{ Analysis *naAnalysis }
	e.must(t, analyst, readNADoc, map[string]any{"id": e.p + "analysis"}, &got)
	if got.Analysis == nil || !slices.Equal(naPairs(got.Analysis.NotApplicable), []string{clause + "=Not here."}) {
		t.Errorf("the loaded analysis reads %+v", got.Analysis)
	}
	rep = e.mustImport(t, analyst, "NATIVE", withMarks("SUBMITTED", clause, "Not here."), "analysis.yaml", false)
	if c := count(rep.Relationships, model.RelNotApplicable); c.Unchanged != 1 {
		t.Errorf("loading it again: NOT_APPLICABLE %+v, want 1 unchanged", c)
	}

	before = neo4jtest.Snapshot(t, e.p)
	for name, doc := range map[string]string{
		"NewReason": withMarks("SUBMITTED", clause, "Second thoughts."),
		"NewMark":   withMarks("SUBMITTED", clause, "Not here.", other, "Nor here."),
	} {
		for _, dry := range []bool{true, false} {
			r := e.importAs(t, analyst, "NATIVE", doc, "analysis.yaml", dry)
			wantError(t, r, "CONFLICT", "")
			if len(r.Errors) > 0 && !strings.Contains(r.Errors[0].Message, "is submitted and cannot change") {
				t.Errorf("%s: message %q", name, r.Errors[0].Message)
			}
		}
	}
	if neo4jtest.Snapshot(t, e.p) != before {
		t.Error("a load changed the marks of a submitted analysis")
	}
}
