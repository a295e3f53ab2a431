package resolvers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/internal/tstest"
	"github.com/ssfgraph/ssfgraph/internal/wsclient"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// Tests that each rule that once had several copies now answers the same
// on every path.

// feedbackSubscriber subscribes to feedbackAdded as token over a real
// websocket and returns the client.
func feedbackSubscriber(t *testing.T, ctx context.Context, url, token string) *wsclient.Client {
	t.Helper()
	c, err := wsclient.Dial(ctx, url+"/graphql", wsclient.TransportWS, map[string]any{"Authorization": "Bearer " + token})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Subscribe("fb", `subscription { feedbackAdded { id } }`, nil); err != nil {
		t.Fatal(err)
	}
	return c
}

// nextFeedbackID returns the id of the next feedbackAdded event c gets.
func nextFeedbackID(t *testing.T, ctx context.Context, c *wsclient.Client) string {
	t.Helper()
	_, payload, err := c.NextData(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Data struct{ FeedbackAdded struct{ ID string } }
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatal(err)
	}
	return ev.Data.FeedbackAdded.ID
}

// draft creates a draft analysis of the env's target, shared with nobody.
func (e *comparisonEnv) draft(t *testing.T, token, id string) string {
	t.Helper()
	e.mustDo(t, token, `mutation($id: ID!, $t: ID!) { createAnalysis(input: {id: $id, targetId: $t, title: "Draft"}) { id } }`,
		map[string]any{"id": id, "t": e.target})
	return id
}

// TestFeedbackVisibilityIsOneRule gives feedback about an analysis that
// its owner shared with two organizations. A third party of the sharing
// (neither the feedback's author nor its owner) may read the analysis, so
// it sees the feedback on every path: the feedback list, node(id) and the
// feedbackAdded subscription. An outsider sees it on none. (The list and
// node(id) once refused what the subscription showed.)
func TestFeedbackVisibilityIsOneRule(t *testing.T) {
	t.Parallel()
	env := newEnv(t, resolvers.Options{})
	db, p, srv := env.db, env.p, env.srv
	neo4jtest.CleanupFeedback(t, p)
	owner := neo4jtest.Org(t, p+"owner", p+"home")
	author := neo4jtest.Org(t, p+"author", p+"medical")
	reader := neo4jtest.Org(t, p+"reader", p+"vehicles")
	outsider := neo4jtest.Org(t, p+"outsider", p+"factory")
	authorTok := neo4jtest.Token(t, db, author, model.RoleAnalyst)
	readerTok := neo4jtest.Token(t, db, reader, model.RoleViewer)
	outsiderTok := neo4jtest.Token(t, db, outsider, model.RoleViewer)
	f := neo4jtest.NewFeedbackFixtures(t)
	target := f.Target(p+"target", p+"home")
	analysis := f.Analysis(neo4jtest.FixtureAnalysis{ID: p + "analysis", Org: owner, Target: target, Version: 1,
		Status: "SUBMITTED", Visibility: "SHARED", SharedWithOrgs: []string{author, reader}})

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	readerSub := feedbackSubscriber(t, ctx, srv.URL, readerTok)
	outsiderSub := feedbackSubscriber(t, ctx, srv.URL, outsiderTok)
	tstest.WaitFor(t, 10*time.Second, func() error {
		if n := env.fbBus.Subscribers(resolvers.FeedbackTopic); n != 2 {
			return fmt.Errorf("%d feedbackAdded subscribers, want 2", n)
		}
		return nil
	})

	w := &fbWorld{testEnv: env}
	shared := w.submit(t, authorTok, "NEW_RISK", "the shared view misses pets", analysis)
	// Feedback about a target, which everyone may read, reaches both.
	public := w.submit(t, authorTok, "NEW_RISK", "the target floods", target)

	if got := nextFeedbackID(t, ctx, readerSub); got != shared.ID {
		t.Errorf("reader's subscription: first event %s, want the feedback about the shared analysis %s", got, shared.ID)
	}
	if got := nextFeedbackID(t, ctx, outsiderSub); got != public.ID {
		t.Errorf("outsider's subscription: first event %s, want %s (the feedback about the shared analysis must be skipped)", got, public.ID)
	}
	if n := w.node(t, readerTok, shared.ID); n == nil || n.ID != shared.ID {
		t.Errorf("reader: node(%s) = %v, want the feedback", shared.ID, n)
	}
	if n := w.node(t, outsiderTok, shared.ID); n != nil {
		t.Errorf("outsider: node(%s) = %+v, want null", shared.ID, n)
	}
	if ids := w.list(t, readerTok, nil); !slices.Contains(ids, shared.ID) || !slices.Contains(ids, public.ID) {
		t.Errorf("reader: feedback list %v, want both %s and %s", ids, shared.ID, public.ID)
	}
	if ids := w.list(t, outsiderTok, nil); slices.Contains(ids, shared.ID) || !slices.Contains(ids, public.ID) {
		t.Errorf("outsider: feedback list %v, want %s and not %s", ids, public.ID, shared.ID)
	}
}

// TestCascadingDeletesPublishComparisons deletes, with cascade, a threat,
// a measure and a department that a draft analysis uses: each delete
// changes the analysis, so a comparisonUpdated subscriber gets a new
// revision after each, without the resolvers publishing anything.
func TestCascadingDeletesPublishComparisons(t *testing.T) {
	t.Parallel()
	e := newComparisonEnv(t)
	p := e.prefix
	curator := neo4jtest.Token(t, e.db, neo4jtest.Org(t, p+"committee", p+"committee"), model.RoleCurator)
	orgAdmin := neo4jtest.Token(t, e.db, p+"org-a", model.RoleOrgAdmin)
	e.mustDo(t, curator, `mutation($t: ThreatInput!, $m: MeasureInput!) { createThreat(input: $t) { id } createMeasure(input: $m) { id } }`,
		map[string]any{"t": map[string]any{"id": p + "threat", "name": "Jamming", "kind": "cyber-attack"},
			"m": map[string]any{"id": p + "measure", "name": "Obstacle sensor", "perspective": "P1", "kind": "technical"}})
	e.mustDo(t, orgAdmin, `mutation($in: DepartmentInput!) { createDepartment(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"id": p + "dept", "organizationId": p + "org-a", "name": "Service"}})
	analysis := e.draft(t, e.analystA, p+"analysis-a")
	e.mustDo(t, e.analystA, `mutation($in: AssessIncidentInput!) { assessIncident(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"analysisId": analysis, "incidentId": e.incidents[0], "axis1": 3, "axis2": 3, "threats": []any{map[string]any{"id": p + "threat"}},
		"ownerDepartmentId": p + "dept", "treatments": []map[string]any{{"measureId": p + "measure", "status": "PLANNED"}}}})

	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	c, err := wsclient.Dial(ctx, e.srv.URL+"/graphql", wsclient.TransportWS, map[string]any{"Authorization": "Bearer " + e.analystA})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Subscribe("cmp", `subscription($t: ID!) { comparisonUpdated(targetId: $t, includeDrafts: true) { `+comparisonFields+` } }`, map[string]any{"t": e.target}); err != nil {
		t.Fatal(err)
	}
	last := nextComparison(ctx, t, c).Revision // the current state
	for _, del := range []struct{ name, token, mutation string }{
		{"deleteThreat", curator, `mutation($id: ID!) { deleteThreat(id: $id, cascade: true) }`},
		{"deleteMeasure", curator, `mutation($id: ID!) { deleteMeasure(id: $id, cascade: true) }`},
		{"deleteDepartment", orgAdmin, `mutation($id: ID!) { deleteDepartment(id: $id, cascade: true) }`},
	} {
		id := p + map[string]string{"deleteThreat": "threat", "deleteMeasure": "measure", "deleteDepartment": "dept"}[del.name]
		e.mustDo(t, del.token, del.mutation, map[string]any{"id": id})
		ev := nextComparison(ctx, t, c)
		if ev.Revision <= last {
			t.Errorf("%s: comparison revision %d after %d, want a newer one", del.name, ev.Revision, last)
		}
		last = ev.Revision
	}
	var got struct {
		Analysis struct {
			Assessments []struct {
				Threats         []struct{ ID string }
				Treatments      []struct{ Measure struct{ ID string } }
				OwnerDepartment *struct{ ID string }
			}
		}
	}
	e.must(t, e.analystA, `query($id: ID!) { analysis(id: $id) { assessments { threats { id } treatments { measure { id } } ownerDepartment { id } } } }`,
		map[string]any{"id": analysis}, &got)
	for _, s := range got.Analysis.Assessments {
		if len(s.Threats) > 0 || len(s.Treatments) > 0 || s.OwnerDepartment != nil {
			t.Errorf("after the cascades an assessment still has %+v", s)
		}
	}
}

// TestInlineAndCatalogThreatsShareOneValidation creates the same threat
// inputs through createThreat and inline through assessIncident: each is
// accepted by both or refused by both, with the same code.
func TestInlineAndCatalogThreatsShareOneValidation(t *testing.T) {
	t.Parallel()
	e := newComparisonEnv(t)
	p := e.prefix
	analysis := e.draft(t, e.analystA, p+"analysis-v")
	for i, in := range []map[string]any{
		{"name": "ok", "kind": "failure"},
		{"name": "source of 150", "kind": "failure", "source": strings.Repeat("s", 150)},
		{"name": "source of 501", "kind": "failure", "source": strings.Repeat("s", 501)},
		{"name": "external id of 101", "kind": "failure", "externalId": strings.Repeat("x", 101)},
		{"name": "empty optional", "kind": "failure", "externalId": "", "source": ""},
		{"name": "", "kind": "failure"},
		{"name": strings.Repeat("n", 501), "kind": "failure"},
		{"name": "kind of 101", "kind": strings.Repeat("k", 101)},
		{"name": "bad id", "kind": "failure", "id": "-no"},
	} {
		catalogIn := map[string]any{}
		inlineIn := map[string]any{}
		for k, v := range in {
			catalogIn[k], inlineIn[k] = v, v
		}
		if _, ok := in["id"]; !ok {
			catalogIn["id"], inlineIn["id"] = p+"cat-"+string(rune('a'+i)), p+"inl-"+string(rune('a'+i))
		}
		_, rc := postAs(t, e.srv, e.analystA, `mutation($in: ThreatInput!) { createThreat(input: $in) { id } }`, map[string]any{"in": catalogIn})
		_, ri := postAs(t, e.srv, e.analystA, `mutation($in: AssessIncidentInput!) { assessIncident(input: $in) { id } }`, map[string]any{"in": map[string]any{
			"analysisId": analysis, "incidentId": e.incidents[0], "axis1": 1, "axis2": 1, "threats": []any{map[string]any{"new": inlineIn}}}})
		if rc.code() != ri.code() {
			t.Errorf("%v: createThreat answered %q (%v), assessIncident %q (%v)", in["name"], rc.code(), rc.Errors, ri.code(), ri.Errors)
		}
	}
}
