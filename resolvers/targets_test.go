package resolvers_test

import (
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
)

const (
	ppCreateTarget   = `mutation($in: TargetInput!) { createTarget(input: $in) { id name sector description } }`
	ppUpdateTarget   = `mutation($id: ID!, $in: TargetInput!) { updateTarget(id: $id, input: $in) { id name sector description } }`
	ppDeleteTarget   = `mutation($id: ID!, $cascade: Boolean) { deleteTarget(id: $id, cascade: $cascade) }`
	ppCreateAsset    = `mutation($in: AssetInput!) { createAsset(input: $in) { id name kind description target { id } } }`
	ppUpdateAsset    = `mutation($id: ID!, $in: AssetInput!) { updateAsset(id: $id, input: $in) { id name kind description target { id } } }`
	ppDeleteAsset    = `mutation($id: ID!, $cascade: Boolean) { deleteAsset(id: $id, cascade: $cascade) }`
	ppConnect        = `mutation($from: ID!, $to: ID!) { connectAssets(fromId: $from, toId: $to) { id connectsTo { id } } }`
	ppDisconnect     = `mutation($from: ID!, $to: ID!) { disconnectAssets(fromId: $from, toId: $to) { id connectsTo { id } } }`
	ppCreateIncident = `mutation($in: IncidentInput!) { createIncident(input: $in) { id name consequence description target { id } } }`
	ppUpdateIncident = `mutation($id: ID!, $in: IncidentInput!) { updateIncident(id: $id, input: $in) { id name consequence description target { id } } }`
	ppDeleteIncident = `mutation($id: ID!, $cascade: Boolean) { deleteIncident(id: $id, cascade: $cascade) }`
	ppReadTarget     = `query($id: ID!) { target(id: $id) { id name sector description
  assets { id name kind description target { id } connectsTo { id } }
  incidents { id name consequence description target { id } } } }`
)

// ppTarget is the shape ppReadTarget reads.
type ppTarget struct {
	Target *struct {
		ID, Name, Sector, Description string
		Assets                        []struct {
			ID, Name, Kind, Description string
			Target                      struct{ ID string }
			ConnectsTo                  []struct{ ID string }
		}
		Incidents []struct {
			ID, Name, Consequence, Description string
			Target                             struct{ ID string }
		}
	}
}

func (e *ppEnv) readTarget(id string) ppTarget {
	e.t.Helper()
	var got ppTarget
	e.ok(e.tok[model.RoleViewer], ppReadTarget, map[string]any{"id": id}, &got)
	return got
}

func TestTargetCreateReadUpdateDelete(t *testing.T) {
	t.Parallel()
	e := newPPEnv(t)
	analyst := e.tok[model.RoleAnalyst]
	id := e.prefix + "shutter"
	sector := e.prefix + "home"
	word := "kw" + strings.Trim(e.prefix, "-")

	var created struct{ CreateTarget model.Target }
	e.ok(analyst, ppCreateTarget, map[string]any{"in": map[string]any{"id": id, "name": ppHostile[0], "sector": sector,
		"description": "A window shutter run from a phone app " + word}}, &created)
	if c := created.CreateTarget; c.ID != id || c.Name != ppHostile[0] || c.Sector != sector || !strings.HasSuffix(c.Description, word) {
		t.Fatalf("createTarget = %+v", c)
	}

	// targets(sector:) and targets(text:) find it.
	var bySector, byText struct {
		Targets struct{ Nodes []model.Target }
	}
	e.ok("", `query($s: String) { targets(sector: $s) { nodes { id name } } }`, map[string]any{"s": sector}, &bySector)
	if len(bySector.Targets.Nodes) != 1 || bySector.Targets.Nodes[0].ID != id || bySector.Targets.Nodes[0].Name != ppHostile[0] {
		t.Errorf("targets(sector:) = %+v", bySector.Targets.Nodes)
	}
	e.ok("", `query($q: String) { targets(text: $q) { nodes { id } } }`, map[string]any{"q": word}, &byText)
	if len(byText.Targets.Nodes) != 1 || byText.Targets.Nodes[0].ID != id {
		t.Errorf("targets(text: %s) = %+v", word, byText.Targets.Nodes)
	}

	var updated struct{ UpdateTarget model.Target }
	e.ok(e.tok[model.RoleOrgAdmin], ppUpdateTarget, map[string]any{"id": id, "in": map[string]any{"name": "Shutter", "sector": sector + "2",
		"description": ppHostile[2]}}, &updated)
	if u := updated.UpdateTarget; u.Name != "Shutter" || u.Sector != sector+"2" || u.Description != ppHostile[2] {
		t.Errorf("updateTarget = %+v", u)
	}

	// Assets, with a connection.
	hub, motor := e.prefix+"hub", e.prefix+"motor"
	e.ok(analyst, ppCreateAsset, map[string]any{"in": map[string]any{"id": hub, "targetId": id, "name": ppHostile[1], "kind": "component", "description": ppHostile[3]}}, nil)
	e.ok(e.tok[model.RoleCurator], ppCreateAsset, map[string]any{"in": map[string]any{"id": motor, "targetId": id, "name": "Motor", "kind": "component"}}, nil)
	var connected struct {
		ConnectAssets struct {
			ID         string
			ConnectsTo []struct{ ID string }
		}
	}
	e.ok(analyst, ppConnect, map[string]any{"from": hub, "to": motor}, &connected)
	if c := connected.ConnectAssets; c.ID != hub || len(c.ConnectsTo) != 1 || c.ConnectsTo[0].ID != motor {
		t.Errorf("connectAssets = %+v", c)
	}
	e.ok(analyst, ppConnect, map[string]any{"from": hub, "to": motor}, nil) // again: still one connection

	// Incidents.
	pinch := e.prefix + "pinch"
	var inc struct{ CreateIncident model.Incident }
	e.ok(analyst, ppCreateIncident, map[string]any{"in": map[string]any{"id": pinch, "targetId": id, "name": ppHostile[0], "consequence": "life-body",
		"description": "A child's hand is caught"}}, &inc)
	if inc.CreateIncident.ID != pinch || inc.CreateIncident.Name != ppHostile[0] || inc.CreateIncident.Consequence != "life-body" {
		t.Errorf("createIncident = %+v", inc.CreateIncident)
	}

	got := e.readTarget(id)
	if got.Target == nil {
		t.Fatalf("target(%s) = null", id)
	}
	tg := got.Target
	if tg.Name != "Shutter" || tg.Description != ppHostile[2] || len(tg.Assets) != 2 || len(tg.Incidents) != 1 {
		t.Fatalf("target = %+v", tg)
	}
	if a := tg.Assets[0]; a.ID != hub || a.Name != ppHostile[1] || a.Description != ppHostile[3] || a.Target.ID != id ||
		len(a.ConnectsTo) != 1 || a.ConnectsTo[0].ID != motor {
		t.Errorf("asset %s = %+v", hub, a)
	}
	if a := tg.Assets[1]; a.ID != motor || a.Description != "" || len(a.ConnectsTo) != 0 {
		t.Errorf("asset %s = %+v", motor, a)
	}
	if i := tg.Incidents[0]; i.ID != pinch || i.Description != "A child's hand is caught" || i.Target.ID != id {
		t.Errorf("incident = %+v", i)
	}

	// Updates keep the target.
	var ua struct{ UpdateAsset model.Asset }
	e.ok(analyst, ppUpdateAsset, map[string]any{"id": hub, "in": map[string]any{"targetId": id, "name": "Hub", "kind": "system", "description": "gateway"}}, &ua)
	if ua.UpdateAsset.Name != "Hub" || ua.UpdateAsset.Kind != "system" || ua.UpdateAsset.Description != "gateway" {
		t.Errorf("updateAsset = %+v", ua.UpdateAsset)
	}
	var ui struct{ UpdateIncident model.Incident }
	e.ok(analyst, ppUpdateIncident, map[string]any{"id": pinch, "in": map[string]any{"targetId": id, "name": "Pinch", "consequence": "property"}}, &ui)
	if ui.UpdateIncident.Name != "Pinch" || ui.UpdateIncident.Consequence != "property" || ui.UpdateIncident.Description != "" {
		t.Errorf("updateIncident = %+v", ui.UpdateIncident)
	}

	// Disconnect, then delete piece by piece (curator).
	var disc struct {
		DisconnectAssets struct {
			ID         string
			ConnectsTo []struct{ ID string }
		}
	}
	e.ok(analyst, ppDisconnect, map[string]any{"from": hub, "to": motor}, &disc)
	if disc.DisconnectAssets.ID != hub || len(disc.DisconnectAssets.ConnectsTo) != 0 {
		t.Errorf("disconnectAssets = %+v", disc.DisconnectAssets)
	}
	e.ok(analyst, ppConnect, map[string]any{"from": motor, "to": hub}, nil)
	curator := e.tok[model.RoleCurator]
	e.ok(curator, ppDeleteAsset, map[string]any{"id": hub}, nil)
	e.ok(curator, ppDeleteIncident, map[string]any{"id": pinch}, nil)
	got = e.readTarget(id)
	if len(got.Target.Assets) != 1 || got.Target.Assets[0].ID != motor || len(got.Target.Assets[0].ConnectsTo) != 0 || len(got.Target.Incidents) != 0 {
		t.Errorf("after deleting the hub and the incident, target = %+v", got.Target)
	}
	e.ok(curator, ppDeleteAsset, map[string]any{"id": motor}, nil)
	var del struct{ DeleteTarget string }
	e.ok(e.tok[model.RoleAdmin], ppDeleteTarget, map[string]any{"id": id}, &del)
	if del.DeleteTarget != id {
		t.Errorf("deleteTarget = %q", del.DeleteTarget)
	}
	if got := e.readTarget(id); got.Target != nil {
		t.Errorf("target(%s) after delete = %+v", id, got.Target)
	}
}

func TestTargetMutationsValidate(t *testing.T) {
	t.Parallel()
	e := newPPEnv(t)
	w := newPPWorld(e, e.org, "v-", "DRAFT")
	other := e.prefix + "other-target"
	e.ok(e.tok[model.RoleAdmin], ppCreateTarget, map[string]any{"in": map[string]any{"id": other, "name": "Other", "sector": "home"}}, nil)
	otherAsset := e.prefix + "other-asset"
	e.ok(e.tok[model.RoleAdmin], ppCreateAsset, map[string]any{"in": map[string]any{"id": otherAsset, "targetId": other, "name": "x", "kind": "data"}}, nil)
	tgt := func(kv ...any) map[string]any {
		in := map[string]any{"name": "T", "sector": "home"}
		for i := 0; i+1 < len(kv); i += 2 {
			in[kv[i].(string)] = kv[i+1]
		}
		return in
	}
	asset := func(kv ...any) map[string]any {
		in := map[string]any{"targetId": w.target, "name": "A", "kind": "component"}
		for i := 0; i+1 < len(kv); i += 2 {
			in[kv[i].(string)] = kv[i+1]
		}
		return in
	}
	incident := func(kv ...any) map[string]any {
		in := map[string]any{"targetId": w.target, "name": "I", "consequence": "property"}
		for i := 0; i+1 < len(kv); i += 2 {
			in[kv[i].(string)] = kv[i+1]
		}
		return in
	}
	a := model.RoleAnalyst
	long, longText := strings.Repeat("n", 501), strings.Repeat("d", 20001)
	nope := e.prefix + "nope"
	e.run([]ppCase{
		{"CreateTargetEmptyName", a, false, ppCreateTarget, map[string]any{"in": tgt("name", "")}, "BAD_USER_INPUT", "input.name"},
		{"CreateTargetLongName", a, false, ppCreateTarget, map[string]any{"in": tgt("name", long)}, "BAD_USER_INPUT", "input.name"},
		{"CreateTargetEmptySector", a, false, ppCreateTarget, map[string]any{"in": tgt("sector", "")}, "BAD_USER_INPUT", "input.sector"},
		{"CreateTargetLongDescription", a, false, ppCreateTarget, map[string]any{"in": tgt("description", longText)}, "BAD_USER_INPUT", "input.description"},
		{"CreateTargetBadID", a, false, ppCreateTarget, map[string]any{"in": tgt("id", "a b")}, "BAD_USER_INPUT", "input.id"},
		{"CreateTargetTakenID", a, false, ppCreateTarget, map[string]any{"in": tgt("id", w.asset)}, "CONFLICT", "input.id"},
		{"CreateTargetNullName", a, false, ppCreateTarget, map[string]any{"in": tgt("id", e.prefix+"null", "name", nil)}, "GRAPHQL_VALIDATION_FAILED", "-"},
		{"CreateTargetObjectName", a, false, ppCreateTarget, map[string]any{"in": tgt("id", e.prefix+"obj", "name", map[string]any{"a": 1})}, "GRAPHQL_VALIDATION_FAILED", "-"},
		{"UpdateTargetUnknown", a, false, ppUpdateTarget, map[string]any{"id": nope, "in": tgt()}, "NOT_FOUND", "id"},
		{"UpdateTargetEmptyName", a, false, ppUpdateTarget, map[string]any{"id": w.target, "in": tgt("name", "")}, "BAD_USER_INPUT", "input.name"},
		{"UpdateTargetOtherID", a, false, ppUpdateTarget, map[string]any{"id": w.target, "in": tgt("id", other)}, "BAD_USER_INPUT", "input.id"},
		{"DeleteTargetUnknown", model.RoleCurator, false, ppDeleteTarget, map[string]any{"id": nope}, "NOT_FOUND", "id"},
		{"DeleteTargetWithDependents", model.RoleCurator, false, ppDeleteTarget, map[string]any{"id": w.target}, "CONFLICT", "id"},
		{"CreateAssetUnknownTarget", a, false, ppCreateAsset, map[string]any{"in": asset("targetId", nope)}, "NOT_FOUND", "input.targetId"},
		{"CreateAssetTargetIsAnAsset", a, false, ppCreateAsset, map[string]any{"in": asset("targetId", w.asset)}, "NOT_FOUND", "input.targetId"},
		{"CreateAssetBadTargetID", a, false, ppCreateAsset, map[string]any{"in": asset("targetId", ppHostile[0])}, "BAD_USER_INPUT", "input.targetId"},
		{"CreateAssetEmptyKind", a, false, ppCreateAsset, map[string]any{"in": asset("kind", "")}, "BAD_USER_INPUT", "input.kind"},
		{"CreateAssetLongKind", a, false, ppCreateAsset, map[string]any{"in": asset("kind", strings.Repeat("k", 101))}, "BAD_USER_INPUT", "input.kind"},
		{"CreateAssetEmptyName", a, false, ppCreateAsset, map[string]any{"in": asset("name", "")}, "BAD_USER_INPUT", "input.name"},
		{"CreateAssetLongDescription", a, false, ppCreateAsset, map[string]any{"in": asset("description", longText)}, "BAD_USER_INPUT", "input.description"},
		{"CreateAssetTakenID", a, false, ppCreateAsset, map[string]any{"in": asset("id", w.incident)}, "CONFLICT", "input.id"},
		{"UpdateAssetMoves", a, false, ppUpdateAsset, map[string]any{"id": w.asset, "in": asset("targetId", other)}, "BAD_USER_INPUT", "input.targetId"},
		{"UpdateAssetUnknown", a, false, ppUpdateAsset, map[string]any{"id": nope, "in": asset()}, "NOT_FOUND", "id"},
		{"UpdateAssetIsAnIncident", a, false, ppUpdateAsset, map[string]any{"id": w.incident, "in": asset()}, "NOT_FOUND", "id"},
		{"UpdateAssetEmptyName", a, false, ppUpdateAsset, map[string]any{"id": w.asset, "in": asset("name", "")}, "BAD_USER_INPUT", "input.name"},
		{"DeleteAssetUnknown", model.RoleCurator, false, ppDeleteAsset, map[string]any{"id": nope}, "NOT_FOUND", "id"},
		{"DeleteAssetInAssessment", model.RoleCurator, false, ppDeleteAsset, map[string]any{"id": w.asset}, "CONFLICT", "id"},
		{"ConnectToItself", a, false, ppConnect, map[string]any{"from": w.asset, "to": w.asset}, "BAD_USER_INPUT", "toId"},
		{"ConnectAcrossTargets", a, false, ppConnect, map[string]any{"from": w.asset, "to": otherAsset}, "BAD_USER_INPUT", "toId"},
		{"ConnectUnknownFrom", a, false, ppConnect, map[string]any{"from": nope, "to": w.asset}, "NOT_FOUND", "fromId"},
		{"ConnectUnknownTo", a, false, ppConnect, map[string]any{"from": w.asset, "to": nope}, "NOT_FOUND", "toId"},
		{"ConnectToAnIncident", a, false, ppConnect, map[string]any{"from": w.asset, "to": w.incident}, "NOT_FOUND", "toId"},
		{"ConnectBadID", a, false, ppConnect, map[string]any{"from": "", "to": w.asset}, "BAD_USER_INPUT", "fromId"},
		{"DisconnectUnknown", a, false, ppDisconnect, map[string]any{"from": w.asset, "to": nope}, "NOT_FOUND", "toId"},
		{"CreateIncidentUnknownTarget", a, false, ppCreateIncident, map[string]any{"in": incident("targetId", nope)}, "NOT_FOUND", "input.targetId"},
		{"CreateIncidentEmptyConsequence", a, false, ppCreateIncident, map[string]any{"in": incident("consequence", "")}, "BAD_USER_INPUT", "input.consequence"},
		{"CreateIncidentLongName", a, false, ppCreateIncident, map[string]any{"in": incident("name", long)}, "BAD_USER_INPUT", "input.name"},
		{"CreateIncidentLongDescription", a, false, ppCreateIncident, map[string]any{"in": incident("description", longText)}, "BAD_USER_INPUT", "input.description"},
		{"CreateIncidentTakenID", a, false, ppCreateIncident, map[string]any{"in": incident("id", w.target)}, "CONFLICT", "input.id"},
		{"UpdateIncidentMoves", a, false, ppUpdateIncident, map[string]any{"id": w.incident, "in": incident("targetId", other)}, "BAD_USER_INPUT", "input.targetId"},
		{"UpdateIncidentUnknown", a, false, ppUpdateIncident, map[string]any{"id": nope, "in": incident()}, "NOT_FOUND", "id"},
		{"UpdateIncidentIsAnAsset", a, false, ppUpdateIncident, map[string]any{"id": w.asset, "in": incident()}, "NOT_FOUND", "id"},
		{"DeleteIncidentUnknown", model.RoleCurator, false, ppDeleteIncident, map[string]any{"id": nope}, "NOT_FOUND", "id"},
		{"DeleteIncidentAssessed", model.RoleCurator, false, ppDeleteIncident, map[string]any{"id": w.incident}, "CONFLICT", "id"},
	})
	got := e.readTarget(w.target)
	if got.Target == nil || got.Target.Name != "Shutter" || len(got.Target.Assets) != 1 || got.Target.Assets[0].Name != "Hub" ||
		len(got.Target.Incidents) != 1 || got.Target.Incidents[0].Name != "Pinched" {
		t.Errorf("after the failures, target = %+v", got.Target)
	}
}

func TestTargetMutationsAuthorize(t *testing.T) {
	t.Parallel()
	e := newPPEnv(t)
	w := newPPWorld(e, e.org, "a-", "DRAFT")
	newTarget := map[string]any{"in": map[string]any{"id": e.prefix + "new", "name": "N", "sector": "home"}}
	before := neo4jtest.Snapshot(t, e.prefix)
	var cases []ppCase
	for _, m := range []struct {
		name, query string
		vars        map[string]any
	}{
		{"CreateTarget", ppCreateTarget, newTarget},
		{"UpdateTarget", ppUpdateTarget, map[string]any{"id": w.target, "in": map[string]any{"name": "x", "sector": "y"}}},
		{"DeleteTarget", ppDeleteTarget, map[string]any{"id": w.target, "cascade": true}},
		{"CreateAsset", ppCreateAsset, map[string]any{"in": map[string]any{"targetId": w.target, "name": "x", "kind": "data"}}},
		{"UpdateAsset", ppUpdateAsset, map[string]any{"id": w.asset, "in": map[string]any{"targetId": w.target, "name": "x", "kind": "data"}}},
		{"DeleteAsset", ppDeleteAsset, map[string]any{"id": w.asset, "cascade": true}},
		{"ConnectAssets", ppConnect, map[string]any{"from": w.asset, "to": w.asset + "2"}},
		{"DisconnectAssets", ppDisconnect, map[string]any{"from": w.asset, "to": w.asset + "2"}},
		{"CreateIncident", ppCreateIncident, map[string]any{"in": map[string]any{"targetId": w.target, "name": "x", "consequence": "y"}}},
		{"UpdateIncident", ppUpdateIncident, map[string]any{"id": w.incident, "in": map[string]any{"targetId": w.target, "name": "x", "consequence": "y"}}},
		{"DeleteIncident", ppDeleteIncident, map[string]any{"id": w.incident, "cascade": true}},
	} {
		cases = append(cases, ppCase{m.name + "Anonymous", "", false, m.query, m.vars, "UNAUTHENTICATED", "-"},
			ppCase{m.name + "Viewer", model.RoleViewer, false, m.query, m.vars, "FORBIDDEN", "-"})
		if m.name != "CreateTarget" {
			// The target belongs to org (its creator's organization):
			// another organization's analysts and org-admins may not
			// change it (model.Principal.EditsShared).
			cases = append(cases, ppCase{m.name + "OtherAnalyst", model.RoleAnalyst, true, m.query, m.vars, "FORBIDDEN", "-"},
				ppCase{m.name + "OtherOrgAdmin", model.RoleOrgAdmin, true, m.query, m.vars, "FORBIDDEN", "-"})
		}
	}
	e.run(cases)
	if after := neo4jtest.Snapshot(t, e.prefix); after != before {
		t.Errorf("refused mutations changed the graph:\nbefore %s\nafter  %s", before, after)
	}
}

func TestDeleteTargetCascades(t *testing.T) {
	t.Parallel()
	e := newPPEnv(t)
	w := newPPWorld(e, e.org, "c-", "DRAFT")
	aboutIncident := neo4jtest.PeopleFeedbackFixture(t, e.prefix+"fb-incident", e.other, w.incident)
	curator := e.tok[model.RoleCurator]

	before := neo4jtest.Snapshot(t, e.prefix)
	r := e.do(curator, ppDeleteTarget, map[string]any{"id": w.target, "cascade": false})
	ppWant(t, r, "CONFLICT", "id")
	for _, what := range []string{"1 analysis", "1 asset", "1 incident"} {
		if len(r.Errors) > 0 && !strings.Contains(r.Errors[0].Message, what) {
			t.Errorf("message %q does not name %q", r.Errors[0].Message, what)
		}
	}
	if after := neo4jtest.Snapshot(t, e.prefix); after != before {
		t.Fatalf("the refused delete changed the graph")
	}

	e.ok(curator, ppDeleteTarget, map[string]any{"id": w.target, "cascade": true}, nil)
	for _, id := range []string{w.target, w.asset, w.incident, w.analysis, w.assessment, w.assessment + "-" + e.prefix + "c-measure", w.feedback, aboutIncident} {
		if neo4jtest.PeopleExists(t, id) {
			t.Errorf("%s survived the cascade", id)
		}
	}
	for _, id := range []string{e.org, w.dept, w.policy, w.line, e.prefix + "c-measure"} {
		if !neo4jtest.PeopleExists(t, id) {
			t.Errorf("%s was deleted by the cascade", id)
		}
	}
	// The policy's line no longer covers the deleted incident.
	if got := e.readOrg(e.org); len(got.Node.Policies) != 1 || len(got.Node.Policies[0].Lines) != 1 || len(got.Node.Policies[0].Lines[0].CoversIncidents) != 0 {
		t.Errorf("policies after the cascade = %+v", got.Node.Policies)
	}
}

func TestTargetDeletesRefuseWithSubmittedAnalysis(t *testing.T) {
	t.Parallel()
	e := newPPEnv(t)
	w := newPPWorld(e, e.org, "s-", "SUBMITTED")
	curator := e.tok[model.RoleCurator]
	before := neo4jtest.Snapshot(t, e.prefix)
	for _, c := range []struct{ name, query, id string }{
		{"Target", ppDeleteTarget, w.target},
		{"Asset", ppDeleteAsset, w.asset},
		{"Incident", ppDeleteIncident, w.incident},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(curator, c.query, map[string]any{"id": c.id, "cascade": true})
			ppWant(t, r, "CONFLICT", "id")
			if len(r.Errors) > 0 && !strings.Contains(r.Errors[0].Message, "submitted") {
				t.Errorf("message %q does not say why", r.Errors[0].Message)
			}
		})
	}
	if after := neo4jtest.Snapshot(t, e.prefix); after != before {
		t.Errorf("refused cascades changed the graph:\nbefore %s\nafter  %s", before, after)
	}
}

func TestDeleteAssetCascadeRemovesItFromDraftAssessments(t *testing.T) {
	t.Parallel()
	e := newPPEnv(t)
	w := newPPWorld(e, e.org, "x-", "DRAFT")
	peer := e.prefix + "peer"
	e.ok(e.tok[model.RoleAnalyst], ppCreateAsset, map[string]any{"in": map[string]any{"id": peer, "targetId": w.target, "name": "Peer", "kind": "data"}}, nil)
	e.ok(e.tok[model.RoleAnalyst], ppConnect, map[string]any{"from": peer, "to": w.asset}, nil)
	e.ok(e.tok[model.RoleCurator], ppDeleteAsset, map[string]any{"id": w.asset, "cascade": true}, nil)
	if neo4jtest.PeopleExists(t, w.asset) {
		t.Fatalf("asset %s survived", w.asset)
	}
	if !neo4jtest.PeopleExists(t, w.assessment) {
		t.Fatalf("the assessment %s was deleted; it should only lose the asset", w.assessment)
	}
	if got := neo4jtest.PeopleRelated(t, w.assessment, "THROUGH"); len(got) != 0 {
		t.Errorf("assessment still goes THROUGH %v", got)
	}
	got := e.readTarget(w.target)
	if len(got.Target.Assets) != 1 || got.Target.Assets[0].ID != peer || len(got.Target.Assets[0].ConnectsTo) != 0 {
		t.Errorf("assets after the cascade = %+v", got.Target.Assets)
	}
}

func TestDeleteIncidentCascadeDeletesDraftAssessments(t *testing.T) {
	t.Parallel()
	e := newPPEnv(t)
	w := newPPWorld(e, e.org, "i-", "DRAFT")
	treatment := w.assessment + "-" + e.prefix + "i-measure"
	if !neo4jtest.PeopleExists(t, treatment) {
		t.Fatalf("fixture: no treatment %s", treatment)
	}
	e.ok(e.tok[model.RoleAdmin], ppDeleteIncident, map[string]any{"id": w.incident, "cascade": true}, nil)
	for _, id := range []string{w.incident, w.assessment, treatment} {
		if neo4jtest.PeopleExists(t, id) {
			t.Errorf("%s survived the cascade", id)
		}
	}
	for _, id := range []string{w.analysis, w.asset, e.prefix + "i-measure"} {
		if !neo4jtest.PeopleExists(t, id) {
			t.Errorf("%s was deleted by the cascade", id)
		}
	}
	if got := e.readTarget(w.target); len(got.Target.Incidents) != 0 {
		t.Errorf("incidents after the cascade = %+v", got.Target.Incidents)
	}
}

func TestFailedTargetMutationsChangeNothing(t *testing.T) {
	t.Parallel()
	e := newPPEnv(t)
	w := newPPWorld(e, e.org, "n-", "DRAFT")
	admin := e.tok[model.RoleAdmin]
	before := neo4jtest.Snapshot(t, e.prefix)
	for _, c := range []struct {
		query string
		vars  map[string]any
	}{
		{ppCreateTarget, map[string]any{"in": map[string]any{"id": w.asset, "name": "x", "sector": "y"}}},
		{ppUpdateTarget, map[string]any{"id": w.target, "in": map[string]any{"name": "", "sector": "y"}}},
		{ppDeleteTarget, map[string]any{"id": w.target}},
		{ppCreateAsset, map[string]any{"in": map[string]any{"id": e.prefix + "new", "targetId": e.prefix + "ghost", "name": "x", "kind": "y"}}},
		{ppUpdateAsset, map[string]any{"id": w.asset, "in": map[string]any{"targetId": e.prefix + "elsewhere", "name": "x", "kind": "y"}}},
		{ppDeleteAsset, map[string]any{"id": w.asset}},
		{ppConnect, map[string]any{"from": w.asset, "to": w.asset}},
		{ppCreateIncident, map[string]any{"in": map[string]any{"id": w.policy, "targetId": w.target, "name": "x", "consequence": "y"}}},
		{ppUpdateIncident, map[string]any{"id": w.incident, "in": map[string]any{"targetId": w.target, "name": "x", "consequence": ""}}},
		{ppDeleteIncident, map[string]any{"id": w.incident, "cascade": false}},
	} {
		if r := e.do(admin, c.query, c.vars); len(r.Errors) == 0 {
			t.Errorf("%s %v succeeded", c.query, c.vars)
		}
	}
	if after := neo4jtest.Snapshot(t, e.prefix); after != before {
		t.Errorf("failed mutations changed the graph:\nbefore %s\nafter  %s", before, after)
	}
}
