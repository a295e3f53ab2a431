package resolvers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// relayPage is one page of a connection as the Relay tests read it.
type relayPage struct {
	TotalCount int
	Edges      []struct {
		Cursor string
		Node   struct{ ID string }
	}
	PageInfo struct {
		HasNextPage, HasPreviousPage bool
		StartCursor, EndCursor       *string
	}
}

func (p relayPage) ids() []string {
	var out []string
	for _, e := range p.Edges {
		out = append(out, e.Node.ID)
	}
	return out
}

// relayArgs are the paging arguments of one request (nil: not given).
type relayArgs struct {
	first, last   *int
	after, before *string
}

func (a relayArgs) vars(extra map[string]any) map[string]any {
	v := map[string]any{"first": a.first, "last": a.last, "after": a.after, "before": a.before}
	for k, x := range extra {
		v[k] = x
	}
	return v
}

func intp(n int) *int { return &n }

// relayFetch reads one page of a connection.
type relayFetch func(t *testing.T, a relayArgs) relayPage

// walkRelay pages a connection whose items are want (in its order) forwards
// with first/after to the end and backwards with last/before to the start,
// size items a page, and checks every page: its items, its pageInfo, that
// each edge's cursor pages from that edge (first: 1 after it, last: 1
// before it), and the empty pages past either end.
func walkRelay(t *testing.T, fetch relayFetch, size int, want []string) {
	t.Helper()
	n := len(want)
	checkPage := func(what string, p relayPage, from int) {
		t.Helper()
		to := from + len(p.Edges)
		if !slices.Equal(p.ids(), want[from:to]) {
			t.Fatalf("%s: items %v, want %v", what, p.ids(), want[from:to])
		}
		if p.TotalCount != n {
			t.Errorf("%s: totalCount %d, want %d", what, p.TotalCount, n)
		}
		if p.PageInfo.HasPreviousPage != (from > 0) || p.PageInfo.HasNextPage != (to < n) {
			t.Errorf("%s (items %d to %d of %d): hasPreviousPage %v, hasNextPage %v", what, from, to, n, p.PageInfo.HasPreviousPage, p.PageInfo.HasNextPage)
		}
		if len(p.Edges) == 0 {
			t.Fatalf("%s: an empty page", what)
		}
		if p.PageInfo.StartCursor == nil || *p.PageInfo.StartCursor != p.Edges[0].Cursor ||
			p.PageInfo.EndCursor == nil || *p.PageInfo.EndCursor != p.Edges[len(p.Edges)-1].Cursor {
			t.Errorf("%s: startCursor %v, endCursor %v, want the first and last edges' cursors", what, p.PageInfo.StartCursor, p.PageInfo.EndCursor)
		}
		for i, e := range p.Edges {
			if strings.Contains(e.Cursor, e.Node.ID) {
				t.Errorf("%s: cursor %q shows the id %q: not opaque", what, e.Cursor, e.Node.ID)
			}
			c := e.Cursor
			next := fetch(t, relayArgs{first: intp(1), after: &c})
			if k := from + i + 1; (k < n && !slices.Equal(next.ids(), want[k:k+1])) || (k == n && len(next.Edges) != 0) {
				t.Errorf("%s: first 1 after the cursor of %s = %v", what, e.Node.ID, next.ids())
			}
			prev := fetch(t, relayArgs{last: intp(1), before: &c})
			if k := from + i - 1; (k >= 0 && !slices.Equal(prev.ids(), want[k:k+1])) || (k < 0 && len(prev.Edges) != 0) {
				t.Errorf("%s: last 1 before the cursor of %s = %v", what, e.Node.ID, prev.ids())
			}
		}
	}

	// Forwards to the end.
	var forward []string
	var after *string
	for pages := 0; ; pages++ {
		if pages > n {
			t.Fatal("forward paging does not end")
		}
		p := fetch(t, relayArgs{first: intp(size), after: after})
		checkPage(fmt.Sprintf("forward page %d", pages), p, len(forward))
		forward = append(forward, p.ids()...)
		after = p.PageInfo.EndCursor
		if !p.PageInfo.HasNextPage {
			break
		}
	}
	if !slices.Equal(forward, want) {
		t.Fatalf("forwards: %v, want %v", forward, want)
	}
	past := fetch(t, relayArgs{first: intp(size), after: after})
	if len(past.Edges) != 0 || past.PageInfo.HasNextPage || !past.PageInfo.HasPreviousPage || past.PageInfo.StartCursor != nil || past.PageInfo.EndCursor != nil {
		t.Errorf("the page after the last: %+v, want empty, with a previous page and no cursors", past)
	}

	// Backwards to the start: the same items, page by page from the end.
	var backward []string
	var before *string
	for pages := 0; ; pages++ {
		if pages > n {
			t.Fatal("backward paging does not end")
		}
		p := fetch(t, relayArgs{last: intp(size), before: before})
		checkPage(fmt.Sprintf("backward page %d", pages), p, n-len(backward)-len(p.Edges))
		backward = append(p.ids(), backward...)
		before = p.PageInfo.StartCursor
		if !p.PageInfo.HasPreviousPage {
			break
		}
	}
	if !slices.Equal(backward, want) {
		t.Fatalf("backwards: %v, want %v", backward, want)
	}
	past = fetch(t, relayArgs{last: intp(size), before: before})
	if len(past.Edges) != 0 || !past.PageInfo.HasNextPage || past.PageInfo.HasPreviousPage {
		t.Errorf("the page before the first: %+v, want empty, with a next page", past)
	}
}

const relayTargetsDoc = `query($text: String!, $first: Int, $after: String, $last: Int, $before: String) {
  targets(text: $text, first: $first, after: $after, last: $last, before: $before) {
    totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`

const relayAuditDoc = `query($org: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  auditLog(organizationId: $org, first: $first, after: $after, last: $last, before: $before) {
    totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`

// TestRelayPagination pages connections forwards and backwards to their
// ends (targets through compiled reads and through the resolvers, which
// must agree byte for byte; the audit trail, ordered by time), checks that
// a cursor keeps its place after an insert, and that bad paging arguments
// are BAD_USER_INPUT naming the argument.
func TestRelayPagination(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	e := newEnv(t, resolvers.Options{Store: db})
	loaderSrv := httptest.NewServer(resolvers.NewHandler(resolvers.WithResolverReads(resolvers.Options{Store: db})))
	t.Cleanup(loaderSrv.Close)
	org := e.org(t, "org", "factory")
	analyst, admin := e.token(t, org, model.RoleAnalyst), e.token(t, org, model.RoleAdmin)
	word := strings.ReplaceAll(e.p, "-", "")

	create := func(id string) {
		t.Helper()
		e.must(t, analyst, `mutation($in: TargetInput!) { createTarget(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"id": id, "name": "Relay " + word + " " + id, "sector": "factory"}}, nil)
	}
	var want []string
	for i := range 7 {
		want = append(want, fmt.Sprintf("%srt-%d", e.p, i))
		create(want[i])
	}

	// both runs doc on the compiled server and the resolvers' one and
	// requires the same bytes.
	both := func(t *testing.T, token, doc string, vars map[string]any) gqlResponse {
		t.Helper()
		_, c := postAs(t, e.srv, token, doc, vars)
		_, l := postAs(t, loaderSrv, token, doc, vars)
		cj, _ := json.Marshal(c)
		lj, _ := json.Marshal(l)
		if !bytes.Equal(cj, lj) {
			t.Fatalf("compiled and resolvers differ for %v\ncompiled:  %s\nresolvers: %s", vars, cj, lj)
		}
		return c
	}
	targets := func(t *testing.T, a relayArgs) relayPage {
		t.Helper()
		var got struct{ Targets relayPage }
		both(t, analyst, relayTargetsDoc, a.vars(map[string]any{"text": word})).decode(t, &got)
		return got.Targets
	}

	t.Run("Targets", func(t *testing.T) {
		for _, size := range []int{1, 3, 7, 10} {
			walkRelay(t, targets, size, want)
		}
	})

	t.Run("NodesAndEdgesAgree", func(t *testing.T) {
		var got struct {
			Targets struct {
				Nodes []struct{ ID string }
				Edges []struct{ Node struct{ ID string } }
			}
		}
		both(t, analyst, `query($text: String!) { targets(text: $text, last: 4) { nodes { id } edges { node { id } } } }`, map[string]any{"text": word}).decode(t, &got)
		var nodes, edges []string
		for i := range got.Targets.Nodes {
			nodes = append(nodes, got.Targets.Nodes[i].ID)
			edges = append(edges, got.Targets.Edges[i].Node.ID)
		}
		if !slices.Equal(nodes, want[3:]) || !slices.Equal(edges, want[3:]) {
			t.Errorf("last 4: nodes %v, edges %v, want %v", nodes, edges, want[3:])
		}
	})

	t.Run("AuditLog", func(t *testing.T) {
		var newestFirst []string
		var all struct{ AuditLog relayPage }
		e.must(t, admin, relayAuditDoc, relayArgs{first: intp(500)}.vars(map[string]any{"org": org}), &all)
		newestFirst = all.AuditLog.ids()
		if len(newestFirst) != 7 {
			t.Fatalf("audit trail of the test's organization: %v, want the 7 createTarget events", newestFirst)
		}
		walkRelay(t, func(t *testing.T, a relayArgs) relayPage {
			t.Helper()
			var got struct{ AuditLog relayPage }
			e.must(t, admin, relayAuditDoc, a.vars(map[string]any{"org": org}), &got)
			return got.AuditLog
		}, 3, newestFirst)
	})

	t.Run("CursorKeepsItsPlace", func(t *testing.T) {
		first := targets(t, relayArgs{first: intp(3)})
		last := targets(t, relayArgs{last: intp(3)})
		// Insert before the first page's end and after the last page's start.
		create(e.p + "rt-0a")
		create(e.p + "rt-5a")
		next := targets(t, relayArgs{first: intp(2), after: first.PageInfo.EndCursor})
		if !slices.Equal(next.ids(), want[3:5]) || next.TotalCount != 9 {
			t.Errorf("after page 1's endCursor, after two inserts: %v of %d, want %v of 9", next.ids(), next.TotalCount, want[3:5])
		}
		prev := targets(t, relayArgs{last: intp(2), before: last.PageInfo.StartCursor})
		if !slices.Equal(prev.ids(), want[2:4]) {
			t.Errorf("before the last page's startCursor, after two inserts: %v, want %v", prev.ids(), want[2:4])
		}
		mid := targets(t, relayArgs{first: intp(5), after: first.PageInfo.StartCursor, before: last.PageInfo.EndCursor})
		if w := []string{e.p + "rt-0a", want[1], want[2], want[3], want[4]}; !slices.Equal(mid.ids(), w) || !mid.PageInfo.HasNextPage || !mid.PageInfo.HasPreviousPage {
			t.Errorf("first 5 between two cursors: %v (%+v), want %v with pages either side", mid.ids(), mid.PageInfo, w)
		}
		crossed := targets(t, relayArgs{last: intp(5), after: last.PageInfo.EndCursor, before: first.PageInfo.StartCursor})
		if len(crossed.Edges) != 0 || crossed.PageInfo.StartCursor != nil || crossed.TotalCount != 9 {
			t.Errorf("last 5 after the end and before the start: %v of %d (%+v), want none of 9", crossed.ids(), crossed.TotalCount, crossed.PageInfo)
		}
	})

	t.Run("BadArguments", func(t *testing.T) {
		var audit struct{ AuditLog relayPage }
		e.must(t, admin, relayAuditDoc, relayArgs{first: intp(1)}.vars(map[string]any{"org": org}), &audit)
		auditCursor := *audit.AuditLog.PageInfo.EndCursor
		targetCursor := *targets(t, relayArgs{first: intp(1)}).PageInfo.EndCursor
		bad := "not a cursor"
		for _, tt := range []struct {
			name  string
			args  relayArgs
			field string
		}{
			{"FirstZero", relayArgs{first: intp(0)}, "first"},
			{"FirstNegative", relayArgs{first: intp(-1)}, "first"},
			{"FirstTooLarge", relayArgs{first: intp(501)}, "first"},
			{"LastZero", relayArgs{last: intp(0)}, "last"},
			{"LastNegative", relayArgs{last: intp(-3)}, "last"},
			{"LastTooLarge", relayArgs{last: intp(501)}, "last"},
			{"FirstAndLast", relayArgs{first: intp(2), last: intp(2)}, "last"},
			{"MalformedAfter", relayArgs{after: &bad}, "after"},
			{"MalformedBefore", relayArgs{last: intp(1), before: &bad}, "before"},
			{"ForeignAfter", relayArgs{after: &auditCursor}, "after"},
			{"ForeignBefore", relayArgs{before: &auditCursor}, "before"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				r := both(t, analyst, relayTargetsDoc, tt.args.vars(map[string]any{"text": word}))
				if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != tt.field || !strings.Contains(r.Errors[0].Message, tt.field) {
					t.Errorf("targets: %+v, want BAD_USER_INPUT naming %s", r.Errors, tt.field)
				}
				args := tt.args
				if args.after == &auditCursor {
					args.after = &targetCursor
				}
				if args.before == &auditCursor {
					args.before = &targetCursor
				}
				r = e.do(t, admin, relayAuditDoc, args.vars(map[string]any{"org": org}))
				if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != tt.field {
					t.Errorf("auditLog: %+v, want BAD_USER_INPUT naming %s", r.Errors, tt.field)
				}
			})
		}
	})
}

// TestRelayGlobalObjectIdentification fetches one node of every type that
// implements Node by node(id:) and all at once by nodes(ids:) (one read of
// the nodes), checks that a hidden node answers as a missing one, that
// nodes keeps the order of the ids and caps them, and that an id is unique
// across types.
func TestRelayGlobalObjectIdentification(t *testing.T) {
	t.Parallel()
	counter := &neo4jtest.Counter{}
	db := neo4jtest.OpenObserved(t, counter)
	e := newEnv(t, resolvers.Options{Store: db})
	org, other := e.org(t, "org", "factory"), e.org(t, "org3", "medical")
	author, curator := e.token(t, org, model.RoleOrgAdmin), e.token(t, org, model.RoleCurator)
	stranger := e.token(t, other, model.RoleViewer)

	g := e.p + "iec"
	e.must(t, curator, `mutation($in: GuidelineInput!) { createGuideline(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"id": g, "title": "IEC 62443-3-3", "publisher": "IEC", "version": "2013"}}, nil)
	for _, ref := range []string{"sr-1.1", "sr-2.2", "sr-3.1"} {
		e.must(t, curator, `mutation($in: ClauseInput!) { createClause(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"id": e.p + ref, "guidelineId": g, "ref": strings.ToUpper(ref), "title": "Title of " + ref}}, nil)
	}
	const load = `mutation($c: String!) { importDocument(content: $c, format: NATIVE) { nodes { created } } }`
	public, private := e.p+"a-public", e.p+"a-private"
	e.must(t, author, load, map[string]any{"c": compiledDoc(e.p, org, public, "PUBLIC", "DRAFT")}, nil)
	e.must(t, author, load, map[string]any{"c": compiledDoc(e.p, org, private, "PRIVATE", "DRAFT")}, nil)

	var ids struct {
		Analysis   struct{ Assessments []struct{ ID string } }
		AxisScales []struct {
			ID     string
			Levels []struct{ ID string }
		}
	}
	e.must(t, author, `query($a: ID!) { analysis(id: $a) { assessments { id } } axisScales { id levels { id } } }`, map[string]any{"a": public}, &ids)
	if len(ids.Analysis.Assessments) == 0 || len(ids.AxisScales) == 0 || len(ids.AxisScales[0].Levels) == 0 {
		t.Fatalf("fixture: %+v, want assessments and axis scales with levels", ids)
	}
	var policy struct{ CreateInsurancePolicy struct{ ID string } }
	e.must(t, author, `mutation($in: InsurancePolicyInput!) { createInsurancePolicy(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"insurer": "Tokio Marine", "holderId": org, "product": "Cyber Protect", "periodStart": "2026-04-01", "periodEnd": "2027-03-31",
		"aggregateLimitJPY": 1e8, "visibility": "PRIVATE", "lines": []any{map[string]any{"type": "incident-response", "limitJPY": 1e8}}}}, &policy)
	var fb struct{ SubmitFeedback struct{ ID string } }
	e.must(t, author, `mutation($a: ID!) { submitFeedback(input: {kind: NEW_RISK, text: "Pets can trigger the shutter", aboutId: $a}) { id } }`,
		map[string]any{"a": private}, &fb)
	var op struct{ ExpressOpinion struct{ ID string } }
	e.must(t, author, `mutation($in: OpinionInput!) { expressOpinion(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"aboutId": private, "stance": "AGREE", "rationale": "Sound"}}, &op)

	// Each type that implements Node, with one of its ids and whether a
	// viewer of another organization and sector may see it.
	type relayNode struct {
		typ, id string
		public  bool
	}
	nodes := []relayNode{
		{"Organization", org, true}, {"Department", org + "-ot", true}, {"Target", e.p + "target", true},
		{"Asset", e.p + "gw", true}, {"Incident", e.p + "inc-stop", true}, {"Threat", e.p + "threat-setpoint", true},
		{"Measure", e.p + "measure-signed", true}, {"Guideline", g, true}, {"Clause", e.p + "sr-1.1", true},
		{"AxisScale", ids.AxisScales[0].ID, true}, {"AxisLevel", ids.AxisScales[0].Levels[0].ID, true},
		{"Analysis", public, true}, {"Assessment", ids.Analysis.Assessments[0].ID, true}, {"Analysis", private, false},
		{"InsurancePolicy", policy.CreateInsurancePolicy.ID, false}, {"Feedback", fb.SubmitFeedback.ID, false},
		{"Opinion", op.ExpressOpinion.ID, false},
	}
	if got, want := len(nodes)-1, strings.Count(schemaSDL(t, e), "implements Node"); got != want {
		t.Errorf("the test covers %d types, the schema has %d that implement Node", got, want)
	}
	const nodeDoc = `query($id: ID!) { node(id: $id) { __typename id } }`
	var all []string
	for _, n := range nodes {
		all = append(all, n.id)
		for who, token := range map[string]string{"author": author, "stranger": stranger} {
			var got struct {
				Node *struct {
					Typename string `json:"__typename"`
					ID       string
				}
			}
			e.must(t, token, nodeDoc, map[string]any{"id": n.id}, &got)
			visible := who == "author" || n.public
			if visible && (got.Node == nil || got.Node.Typename != n.typ || got.Node.ID != n.id) {
				t.Errorf("node(%s) as %s = %+v, want the %s", n.id, who, got.Node, n.typ)
			}
			if !visible && got.Node != nil {
				t.Errorf("node(%s) as %s = %+v, want null: hidden answers as missing", n.id, who, got.Node)
			}
		}
	}

	// nodes: in the order asked, null for missing and hidden ones, the
	// nodes read in one batch.
	asked := append([]string{e.p + "no-such-node"}, all...)
	slices.Reverse(asked)
	const nodesDoc = `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`
	for who, token := range map[string]string{"author": author, "stranger": stranger} {
		counter.Take()
		var got struct {
			Nodes []*struct {
				Typename string `json:"__typename"`
				ID       string
			}
		}
		e.must(t, token, nodesDoc, map[string]any{"ids": asked}, &got)
		if _, by := counter.Take(); !slices.Contains(strings.Split(by, ", "), "neo4j.Nodes×1") && !slices.Contains(strings.Split(by, ", "), "neo4j.Nodes×2") {
			t.Errorf("nodes of %d ids as %s read with %s, want the nodes in one batch (and what their visibility rests on in one more)", len(asked), who, by)
		}
		if len(got.Nodes) != len(asked) {
			t.Fatalf("nodes as %s: %d answers for %d ids", who, len(got.Nodes), len(asked))
		}
		for i, id := range asked {
			var n *relayNode
			for j := range nodes {
				if nodes[j].id == id {
					n = &nodes[j]
				}
			}
			visible := n != nil && (who == "author" || n.public)
			if g := got.Nodes[i]; visible != (g != nil) || (g != nil && (g.ID != id || g.Typename != n.typ)) {
				t.Errorf("nodes as %s: answer %d = %+v for %s, want it visible: %v", who, i, g, id, visible)
			}
		}
	}

	t.Run("Cap", func(t *testing.T) {
		many := make([]string, 101)
		for i := range many {
			many[i] = fmt.Sprintf("%sx%d", e.p, i)
		}
		r := e.do(t, author, nodesDoc, map[string]any{"ids": many})
		if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "ids" {
			t.Errorf("nodes of 101 ids: %+v, want BAD_USER_INPUT naming ids", r.Errors)
		}
		var got struct{ Nodes []*struct{ ID string } }
		e.must(t, author, nodesDoc, map[string]any{"ids": many[:100]}, &got)
		if len(got.Nodes) != 100 || slices.ContainsFunc(got.Nodes, func(n *struct{ ID string }) bool { return n != nil }) {
			t.Errorf("nodes of 100 missing ids: %d answers, want 100 nulls", len(got.Nodes))
		}
	})

	t.Run("IDsAreUniqueAcrossTypes", func(t *testing.T) {
		r := e.do(t, author, `mutation($in: TargetInput!) { createTarget(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"id": e.p + "gw", "name": "Taken by an asset", "sector": "factory"}})
		if r.code() != "CONFLICT" {
			t.Errorf("a target with an asset's id: %+v, want CONFLICT", r.Errors)
		}
	})
}

// schemaSDL returns the schema's type names and interfaces as
// introspection shows them, one "X implements Node" per type that does.
func schemaSDL(t *testing.T, e *testEnv) string {
	t.Helper()
	var got struct {
		Schema struct {
			Types []struct {
				Name       string
				Interfaces []struct{ Name string }
			}
		} `json:"__schema"`
	}
	e.must(t, "", `{ __schema { types { name interfaces { name } } } }`, nil, &got)
	var sb strings.Builder
	for _, ty := range got.Schema.Types {
		for _, i := range ty.Interfaces {
			sb.WriteString(ty.Name + " implements " + i.Name + "\n")
		}
	}
	return sb.String()
}
