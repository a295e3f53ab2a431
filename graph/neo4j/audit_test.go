package neo4j_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/ingest"
)

// auditOf returns every audit event of organization org, newest first.
func auditOf(t *testing.T, db *neo4j.DB, org string) []*model.AuditEvent {
	t.Helper()
	page, err := db.AuditLog(context.Background(), model.AuditQuery{OrganizationID: org, First: 100})
	if err != nil {
		t.Fatalf("AuditLog %s: %v", org, err)
	}
	if page.Total != len(page.Events) {
		t.Fatalf("AuditLog %s: total %d, %d events on the first page", org, page.Total, len(page.Events))
	}
	return page.Events
}

// asAnalyst returns a context whose caller is an analyst of org.
func asAnalyst(org string) context.Context {
	return model.WithPrincipal(context.Background(),
		&model.Principal{UserID: org + "-ana", OrganizationID: org, Role: model.RoleAnalyst, TokenID: "0123456789abcdef"})
}

func TestAuditRecordsACommittedWriteInItsTransaction(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t)
	org := p + "org"
	ctx := asAnalyst(org)
	before := time.Now().Add(-time.Second)

	id := p + "target"
	if _, err := db.CreateTarget(ctx, "", model.TargetInput{ID: &id, Name: "Router", Sector: "energy"}); err != nil {
		t.Fatal(err)
	}
	evs := auditOf(t, db, org)
	if len(evs) != 1 {
		t.Fatalf("%d audit events after one write, want 1: %+v", len(evs), evs)
	}
	ev := evs[0]
	if ev.Op != "neo4j.CreateTarget" || ev.UserID != org+"-ana" || ev.Role != "analyst" || ev.TokenID != "0123456789abcdef" ||
		!slices.Equal(ev.IDs, []string{id}) || ev.IDCount != 1 || ev.Summary != "target "+id {
		t.Errorf("audit event = %+v", ev)
	}
	if ev.At.Before(before) || ev.At.After(time.Now().Add(time.Second)) {
		t.Errorf("audit event at %v, want about now", ev.At)
	}

	// Refused in the transaction (ECONFLICT: the id is taken): rolled back,
	// and its audit event with it.
	if _, err := db.CreateTarget(ctx, "", model.TargetInput{ID: &id, Name: "Again", Sector: "energy"}); model.ErrorCode(err) != model.ECONFLICT {
		t.Fatalf("CreateTarget again: %v, want ECONFLICT", err)
	}
	// Refused before any transaction (EINVALID).
	if _, err := db.UpdateTarget(ctx, id, model.TargetInput{Name: "", Sector: "energy"}); model.ErrorCode(err) != model.EINVALID {
		t.Fatalf("UpdateTarget with no name: %v, want EINVALID", err)
	}
	if evs := auditOf(t, db, org); len(evs) != 1 {
		t.Errorf("%d audit events after two failed writes, want still 1: %+v", len(evs), evs)
	}
}

func TestAuditOfALoadCountsAndSkipsDryRuns(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t)
	org := p + "org"
	ctx := asAnalyst(org)

	if _, err := db.LoadBatch(ctx, loadCatalog(p), true); err != nil {
		t.Fatal(err)
	}
	if evs := auditOf(t, db, org); len(evs) != 0 {
		t.Fatalf("a dry run wrote %d audit events: %+v", len(evs), evs)
	}
	if _, err := db.LoadBatch(ctx, loadCatalog(p), false); err != nil {
		t.Fatal(err)
	}
	evs := auditOf(t, db, org)
	if len(evs) != 1 {
		t.Fatalf("%d audit events after one load, want 1: %+v", len(evs), evs)
	}
	ev := evs[0]
	want := []string{p + "A1", p + "M1", p + "T1", p + "g", p + "g:1", p + "g:1.1"}
	if ev.Op != "neo4j.LoadBatch" || !slices.Equal(ev.IDs, want) || ev.IDCount != len(want) {
		t.Errorf("audit event = %+v, want op neo4j.LoadBatch and ids %v", ev, want)
	}
	wantSummary := fmt.Sprintf("load %scatalog.json (stix): nodes 6 created, 0 updated, 0 unchanged; relationships 6 created, 0 updated, 0 unchanged", p)
	if ev.Summary != wantSummary {
		t.Errorf("summary = %q, want %q", ev.Summary, wantSummary)
	}
}

func TestAuditCapsTheIDs(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t)
	org := p + "org"
	b := &ingest.Batch{Source: p + "kinds.json", Format: ingest.FormatSTIX}
	const n = model.MaxAuditIDs + 200
	for i := range n {
		b.Nodes = append(b.Nodes, ingest.Node{Label: model.LabelAssetKind, ID: fmt.Sprintf("%s%05d", p, i)})
	}
	if _, err := db.LoadBatch(asAnalyst(org), b, false); err != nil {
		t.Fatal(err)
	}
	evs := auditOf(t, db, org)
	if len(evs) != 1 || evs[0].IDCount != n || len(evs[0].IDs) != model.MaxAuditIDs || evs[0].IDs[0] != p+"00000" {
		t.Fatalf("audit events %d; want one with %d ids listed of %d", len(evs), model.MaxAuditIDs, n)
	}
}

func TestAuditAttributesOperatorsAndPages(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t)
	ctx := model.WithOperator(context.Background(), model.AuditCLI)
	since := time.Now().Add(-time.Second)
	var ids []string
	for i := range 3 {
		id := fmt.Sprintf("%starget%d", p, i)
		ids = append(ids, id)
		if _, err := db.CreateTarget(ctx, "", model.TargetInput{ID: &id, Name: "T", Sector: "energy"}); err != nil {
			t.Fatal(err)
		}
	}
	// Pages of one event of this operation since the test began: newest first.
	q := model.AuditQuery{Op: "neo4j.CreateTarget", Since: since, First: 1}
	var got []string
	for {
		page, err := db.AuditLog(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range page.Events {
			if len(ev.IDs) == 1 && strings.HasPrefix(ev.IDs[0], p) {
				if ev.UserID != model.AuditCLI || ev.OrganizationID != "" || ev.Role != "" {
					t.Errorf("operator's event = %+v, want user cli and no organization or role", ev)
				}
				got = append(got, ev.IDs[0])
			}
		}
		if !page.HasNextPage {
			break
		}
		last := page.Events[len(page.Events)-1]
		q.After = &model.AuditCursor{At: last.At, ID: last.ID}
	}
	slices.Reverse(ids)
	if !slices.Equal(got, ids) {
		t.Errorf("paged events of %v, want %v (newest first)", got, ids)
	}
	if _, err := db.AuditLog(context.Background(), model.AuditQuery{First: 0}); model.ErrorCode(err) != model.EINVALID {
		t.Errorf("AuditLog of pages of 0: %v, want EINVALID", err)
	}
	if page, err := db.AuditLog(context.Background(), model.AuditQuery{First: 10, Op: "neo4j.CreateTarget", Since: time.Now().Add(time.Hour)}); err != nil || page.Total != 0 {
		t.Errorf("AuditLog since an hour from now: %+v, %v; want none", page, err)
	}
}

func TestMigrateIsNotAudited(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	page, err := db.AuditLog(t.Context(), model.AuditQuery{Op: "neo4j.Migrate", First: 1})
	if err != nil || page.Total != 0 {
		t.Errorf("AuditLog(op neo4j.Migrate) = %+v, %v; want no event", page, err)
	}
}
