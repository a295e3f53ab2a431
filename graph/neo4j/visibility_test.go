package neo4j_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
)

// The visibility rules are stated twice, in Go (graph/model) and as Cypher
// predicates (visibility.go). These property tests generate cases and
// check that Neo4j's answer is the Go rule's.

// viewers returns every kind of caller over the given organizations and
// sectors: anonymous, and each role in each organization and sector.
func viewers(orgs, sectors []string) []*model.Principal {
	out := []*model.Principal{nil}
	for _, role := range model.Roles {
		for _, o := range orgs {
			for _, s := range sectors {
				out = append(out, &model.Principal{UserID: "u", OrganizationID: o, Sector: s, Role: role})
			}
		}
	}
	return out
}

// subset returns a random subset of xs.
func subset(r *rand.Rand, xs []string) []string {
	var out []string
	for _, x := range xs {
		if r.IntN(3) == 0 {
			out = append(out, x)
		}
	}
	return out
}

func TestAnalysisVisibilityCypherAgreesWithGo(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	r := rand.New(rand.NewPCG(1, 2))
	orgs, sectors := []string{"o1", "o2", "o3"}, []string{"", "home", "medical"}
	visibilities := []model.Visibility{model.VisibilityPrivate, model.VisibilityShared, model.VisibilityPublic}
	var analyses []*model.Analysis
	var rows []map[string]any
	for i := range 300 {
		a := &model.Analysis{ID: fmt.Sprintf("a%d", i), OrganizationID: orgs[r.IntN(len(orgs))],
			Visibility: visibilities[r.IntN(len(visibilities))], SharedWithOrganizationIDs: subset(r, orgs), SharedWithSectors: subset(r, sectors[1:])}
		analyses = append(analyses, a)
		rows = append(rows, map[string]any{"id": a.ID, "organizationId": a.OrganizationID, "visibility": string(a.Visibility),
			"sharedWithOrganizationIds": a.SharedWithOrganizationIDs, "sharedWithSectors": a.SharedWithSectors})
	}
	checked, readable := 0, 0
	for _, p := range viewers(append(orgs, "o4"), sectors) {
		got, err := neo4j.AnalysisReadable(t.Context(), db, p, rows)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range analyses {
			want := a.CanRead(p)
			if got[a.ID] != want {
				t.Errorf("viewer %+v, analysis %+v: Cypher says %v, Go says %v", p, a, got[a.ID], want)
			}
			checked++
			if want {
				readable++
			}
		}
	}
	if readable == 0 || readable == checked {
		t.Errorf("%d of %d cases readable: the generated cases do not test both answers", readable, checked)
	}
}

func TestFeedbackVisibilityCypherAgreesWithGo(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t)
	neo4jtest.CleanupFeedback(t, p)
	orgs := []string{p + "o1", p + "o2", p + "o3"}
	sectors := []string{p + "home", p + "medical"}
	for i, o := range orgs {
		neo4jtest.Org(t, o, sectors[i%2])
	}
	f := neo4jtest.NewFeedbackFixtures(t)
	target := f.Target(p+"target", sectors[0])
	incident := f.Incident(p+"incident", target)
	// Every visibility, owned by o1, shared with o2 or with the medical sector.
	abouts := []string{target, incident}
	for i, a := range []neo4jtest.FixtureAnalysis{
		{Visibility: "PRIVATE"}, {Visibility: "PUBLIC"},
		{Visibility: "SHARED", SharedWithOrgs: []string{orgs[1]}},
		{Visibility: "SHARED", SharedWithSectors: []string{sectors[1]}},
	} {
		a.ID, a.Org, a.Target = fmt.Sprintf("%sanalysis%d", p, i), orgs[0], target
		abouts = append(abouts, f.Analysis(a), f.Assessment(fmt.Sprintf("%sassessment%d", p, i), a.ID, incident, ""))
	}
	// Feedback on each, by each organization that may read it.
	var ids []string
	for _, about := range abouts {
		for i, o := range orgs {
			by := &model.Principal{UserID: "u", OrganizationID: o, Sector: sectors[i%2], Role: model.RoleAnalyst}
			fb, err := db.SubmitFeedback(t.Context(), by, model.FeedbackInput{Kind: model.FeedbackKindNewRisk, Text: "x", AboutID: about})
			if model.ErrorCode(err) == model.ENOTFOUND {
				continue // o may not read about
			}
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, fb.ID)
		}
	}
	if len(ids) < len(abouts) {
		t.Fatalf("only %d feedback items for %d subjects", len(ids), len(abouts))
	}
	stored, err := db.Nodes(t.Context(), append(append([]string{}, ids...), abouts...))
	if err != nil {
		t.Fatal(err)
	}
	checked, readable := 0, 0
	for _, v := range viewers(append(orgs, p+"o4"), append(sectors, "")) {
		got, err := neo4j.FeedbackReadable(t.Context(), db, v, ids)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			fb := stored[id].(*model.Feedback)
			about := stored[fb.AboutID]
			var analysis *model.Analysis
			switch a := about.(type) {
			case *model.Analysis:
				analysis = a
			case *model.Assessment:
				analysis, _ = stored[a.AnalysisID].(*model.Analysis)
			}
			want := fb.ReadableBy(v, about, analysis)
			if got[id] != want {
				t.Errorf("viewer %+v, feedback by %s about %s: Cypher says %v, Go says %v", v, fb.OrganizationID, fb.AboutID, got[id], want)
			}
			checked++
			if want {
				readable++
			}
		}
	}
	if readable == 0 || readable == checked {
		t.Errorf("%d of %d cases readable: the cases do not test both answers", readable, checked)
	}
}

func TestPolicyVisibilityCypherAgreesWithGo(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t)
	r := rand.New(rand.NewPCG(3, 4))
	orgs, sectors := []string{p + "o1", p + "o2", p + "o3"}, []string{"", p + "home", p + "medical"}
	visibilities := []model.Visibility{model.VisibilityPrivate, model.VisibilityShared, model.VisibilityPublic}
	// 60 policies; 90 analyses, each relying on up to two of them.
	var policies []*model.InsurancePolicy
	var policyRows, analysisRows []map[string]any
	for i := range 60 {
		// Half the policies private (some stored before policies had a
		// visibility: none at all), the rest shared or public.
		ip := &model.InsurancePolicy{ID: fmt.Sprintf("%spolicy%d", p, i), HolderID: orgs[r.IntN(len(orgs))], Visibility: model.VisibilityPrivate}
		row := map[string]any{"id": ip.ID, "holderId": ip.HolderID, "visibility": nil, "sharedWithOrganizationIds": nil, "sharedWithSectors": nil}
		if i%2 == 1 {
			ip.Visibility = visibilities[r.IntN(len(visibilities))]
			if ip.Visibility == model.VisibilityShared {
				ip.SharedWithOrganizationIDs, ip.SharedWithSectors = subset(r, orgs), subset(r, sectors[1:])
			}
			row["visibility"], row["sharedWithOrganizationIds"], row["sharedWithSectors"] = string(ip.Visibility), ip.SharedWithOrganizationIDs, ip.SharedWithSectors
		}
		policies = append(policies, ip)
		policyRows = append(policyRows, row)
	}
	reliedOnBy := map[string][]*model.Analysis{}
	for i := range 90 {
		a := &model.Analysis{ID: fmt.Sprintf("%sanalysis%d", p, i), OrganizationID: orgs[r.IntN(len(orgs))],
			Visibility: visibilities[r.IntN(len(visibilities))], SharedWithOrganizationIDs: subset(r, orgs), SharedWithSectors: subset(r, sectors[1:])}
		var relies []string
		for range r.IntN(3) {
			ip := policies[r.IntN(len(policies))]
			if !slices.Contains(relies, ip.ID) {
				relies = append(relies, ip.ID)
				reliedOnBy[ip.ID] = append(reliedOnBy[ip.ID], a)
			}
		}
		analysisRows = append(analysisRows, map[string]any{"id": a.ID, "organizationId": a.OrganizationID, "visibility": string(a.Visibility),
			"sharedWithOrganizationIds": a.SharedWithOrganizationIDs, "sharedWithSectors": a.SharedWithSectors, "relies": relies})
	}
	neo4jtest.AnalysisExec(t, `UNWIND $policies AS row CREATE (:`+model.LabelInsurancePolicy+`:`+model.LabelEntity+` {id: row.id, holderId: row.holderId, visibility: row.visibility,
  sharedWithOrganizationIds: row.sharedWithOrganizationIds, sharedWithSectors: row.sharedWithSectors})`,
		map[string]any{"policies": policyRows})
	neo4jtest.AnalysisExec(t, `UNWIND $analyses AS row
CREATE (a:`+model.LabelAnalysis+`:`+model.LabelEntity+` {id: row.id, organizationId: row.organizationId, visibility: row.visibility,
  sharedWithOrganizationIds: row.sharedWithOrganizationIds, sharedWithSectors: row.sharedWithSectors})
WITH a, row UNWIND row.relies AS pid MATCH (ip:`+model.LabelInsurancePolicy+` {id: pid}) CREATE (a)-[:`+model.RelReliesOn+`]->(ip)`,
		map[string]any{"analyses": analysisRows})
	ids := make([]string, len(policies))
	for i, ip := range policies {
		ids[i] = ip.ID
	}
	checked, readable, byReliance, bySharing := 0, 0, 0, 0
	for _, v := range viewers(append(orgs, p+"o4"), sectors) {
		got, err := neo4j.PolicyReadable(t.Context(), db, v, ids)
		if err != nil {
			t.Fatal(err)
		}
		for _, ip := range policies {
			want := ip.ReadableBy(v, reliedOnBy[ip.ID])
			if got[ip.ID] != want {
				t.Errorf("viewer %+v, policy %+v relied on by %d analyses: Cypher says %v, Go says %v", v, ip, len(reliedOnBy[ip.ID]), got[ip.ID], want)
			}
			checked++
			if want {
				readable++
				switch {
				case v != nil && (v.Role == model.RoleAdmin || v.OrganizationID == ip.HolderID):
				case (&model.InsurancePolicy{HolderID: ip.HolderID}).ReadableBy(v, reliedOnBy[ip.ID]):
					byReliance++
				default:
					bySharing++
				}
			}
		}
	}
	if readable == 0 || readable == checked || byReliance == 0 || bySharing == 0 {
		t.Errorf("%d of %d cases readable, %d through reliance, %d through sharing alone: the generated cases do not test every answer", readable, checked, byReliance, bySharing)
	}
}

// TestInlineVisibilityCypherAgreesWithGo checks model.InlineReadable
// against its Cypher twin on generated nodes private to stored analyses of
// every visibility (and to a missing one), for every kind of caller.
func TestInlineVisibilityCypherAgreesWithGo(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t)
	r := rand.New(rand.NewPCG(3, 4))
	orgs, sectors := []string{p + "o1", p + "o2", p + "o3"}, []string{"", "home", "medical"}
	visibilities := []model.Visibility{model.VisibilityPrivate, model.VisibilityShared, model.VisibilityPublic}
	var analyses []*model.Analysis
	var rows []map[string]any
	var ids []string
	for i := range 30 {
		a := &model.Analysis{ID: fmt.Sprintf("%sa%d", p, i), OrganizationID: orgs[r.IntN(len(orgs))],
			Visibility: visibilities[r.IntN(len(visibilities))], SharedWithOrganizationIDs: subset(r, orgs), SharedWithSectors: subset(r, sectors[1:])}
		analyses = append(analyses, a)
		ids = append(ids, a.ID)
		rows = append(rows, map[string]any{"id": a.ID, "organizationId": a.OrganizationID, "visibility": string(a.Visibility),
			"sharedWithOrganizationIds": a.SharedWithOrganizationIDs, "sharedWithSectors": a.SharedWithSectors})
	}
	neo4jtest.AnalysisExec(t, `UNWIND $rows AS row CREATE (a:`+model.LabelAnalysis+`) SET a = row`, map[string]any{"rows": rows})
	var nodes []map[string]any
	privateTo := map[string][]string{}
	for i := range 200 {
		id := fmt.Sprintf("n%d", i)
		var to []string
		switch i % 4 {
		case 0: // readable by everyone
		case 1:
			to = []string{ids[r.IntN(len(ids))]}
		case 2:
			to = append(subset(r, ids), ids[r.IntN(len(ids))])
		case 3:
			to = []string{p + "missing"}
		}
		privateTo[id] = to
		n := map[string]any{"id": id}
		if to != nil {
			n["privateTo"] = to
		}
		nodes = append(nodes, n)
	}
	checked, readable := 0, 0
	for _, v := range viewers(append(slices.Clone(orgs), p+"o4"), sectors) {
		got, err := neo4j.InlineReadable(t.Context(), db, v, nodes)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range nodes {
			id := n["id"].(string)
			want := model.InlineReadable(v, privateTo[id], analyses)
			if got[id] != want {
				t.Errorf("viewer %+v, node private to %v: Cypher says %v, Go says %v", v, privateTo[id], got[id], want)
			}
			checked++
			if want && len(privateTo[id]) > 0 {
				readable++
			}
		}
	}
	if readable == 0 || readable == checked {
		t.Errorf("%d of %d cases readable: the generated cases do not test both answers", readable, checked)
	}
}
