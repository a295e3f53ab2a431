package resolvers_test

import (
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// The scales are shared by every test (and the category rules are read by
// assessIncident), so these tests change a level or a rule only briefly
// and always put it back, in t.Cleanup as well in case they fail midway.

// scLevel is AxisLevel as the tests read it.
type scLevel struct {
	ID, LabelEn, LabelJa, Description string
	Rank                              int
	MinJPY, MaxJPY                    *float64
}

const scLevelFields = `id rank labelEn labelJa description minJPY maxJPY`

const scUpdateLevelMutation = `mutation($id: ID!, $in: AxisLevelInput!) { updateAxisLevel(id: $id, input: $in) { ` + scLevelFields + ` } }`

const scSetRuleMutation = `mutation($in: CategoryRuleInput!) { setCategoryRule(input: $in) { axis1Rank axis2Rank category } }`

type scWorld struct {
	*testEnv
	prefix string            // testEnv.p
	tokens map[string]string // curator, admin, orgAdmin, analyst
}

func newSCWorld(t *testing.T) *scWorld {
	t.Helper()
	env := newEnv(t, resolvers.Options{})
	org := env.org(t, "committee", "committee")
	return &scWorld{testEnv: env, prefix: env.p, tokens: map[string]string{
		"curator":  env.token(t, org, model.RoleCurator),
		"admin":    env.token(t, org, model.RoleAdmin),
		"orgAdmin": env.token(t, org, model.RoleOrgAdmin),
		"analyst":  env.token(t, org, model.RoleAnalyst),
	}}
}

// level reads one level through axisScales.
func (w *scWorld) level(t *testing.T, id string) scLevel {
	t.Helper()
	_, r := post(t, w.srv, `{ axisScales { id axis levels { `+scLevelFields+` } } }`, nil)
	var got struct {
		AxisScales []struct {
			ID     string
			Axis   int
			Levels []scLevel
		}
	}
	r.decode(t, &got)
	for _, s := range got.AxisScales {
		for _, l := range s.Levels {
			if l.ID == id {
				return l
			}
		}
	}
	t.Fatalf("axisScales has no level %s", id)
	return scLevel{}
}

// rule reads the category of one rule through categoryRules (0 if none).
func (w *scWorld) rule(t *testing.T, a1, a2 int) int {
	t.Helper()
	_, r := post(t, w.srv, `{ categoryRules { axis1Rank axis2Rank category } }`, nil)
	var got struct {
		CategoryRules []struct{ Axis1Rank, Axis2Rank, Category int }
	}
	r.decode(t, &got)
	for _, c := range got.CategoryRules {
		if c.Axis1Rank == a1 && c.Axis2Rank == a2 {
			return c.Category
		}
	}
	return 0
}

func (w *scWorld) updateLevel(t *testing.T, token, id string, in map[string]any) gqlResponse {
	t.Helper()
	_, r := postAs(t, w.srv, token, scUpdateLevelMutation, map[string]any{"id": id, "in": in})
	return r
}

func (w *scWorld) setRule(t *testing.T, token string, a1, a2, category int) gqlResponse {
	t.Helper()
	_, r := postAs(t, w.srv, token, scSetRuleMutation, map[string]any{"in": map[string]any{"axis1Rank": a1, "axis2Rank": a2, "category": category}})
	return r
}

// scLevelInput is the input that puts l back as it was.
func scLevelInput(l scLevel) map[string]any {
	in := map[string]any{"labelEn": l.LabelEn, "labelJa": l.LabelJa, "description": l.Description}
	if l.MinJPY != nil {
		in["minJPY"] = *l.MinJPY
	}
	if l.MaxJPY != nil {
		in["maxJPY"] = *l.MaxJPY
	}
	return in
}

// restoreLevel puts level id back as it is now, when the test ends.
func (w *scWorld) restoreLevel(t *testing.T, id string) scLevel {
	t.Helper()
	orig := w.level(t, id)
	t.Cleanup(func() {
		if r := w.updateLevel(t, w.tokens["admin"], id, scLevelInput(orig)); len(r.Errors) > 0 {
			t.Errorf("restoring %s: %v", id, r.Errors)
		}
	})
	return orig
}

func scSameFloat(a, b *float64) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

// scSameLevel reports whether a and b read the same.
func scSameLevel(a, b scLevel) bool {
	return a.ID == b.ID && a.Rank == b.Rank && a.LabelEn == b.LabelEn && a.LabelJa == b.LabelJa && a.Description == b.Description &&
		scSameFloat(a.MinJPY, b.MinJPY) && scSameFloat(a.MaxJPY, b.MaxJPY)
}

func TestUpdateAxisLevelRoundTrip(t *testing.T) {
	w := newSCWorld(t)
	hostile := w.prefix + "'; MATCH (n) DETACH DELETE n // 即時"

	t.Run("Axis1", func(t *testing.T) {
		const id = "axis1-v1-1"
		orig := w.restoreLevel(t, id)
		var got struct{ UpdateAxisLevel scLevel }
		w.updateLevel(t, w.tokens["curator"], id, map[string]any{"labelEn": hostile, "labelJa": "即時 " + w.prefix}).decode(t, &got)
		want := scLevel{ID: id, Rank: 1, LabelEn: hostile, LabelJa: "即時 " + w.prefix, Description: orig.Description}
		if l := got.UpdateAxisLevel; l.ID != want.ID || l.Rank != 1 || l.LabelEn != want.LabelEn || l.LabelJa != want.LabelJa || l.Description != want.Description || l.MinJPY != nil || l.MaxJPY != nil {
			t.Errorf("updateAxisLevel = %+v, want %+v (description kept)", l, want)
		}
		if l := w.level(t, id); l.LabelEn != hostile || l.LabelJa != want.LabelJa || l.Description != orig.Description {
			t.Errorf("axisScales after the update: %+v", l)
		}
		// Put it back now, through the API, and read it back.
		w.updateLevel(t, w.tokens["admin"], id, scLevelInput(orig)).decode(t, &got)
		if l := w.level(t, id); l.LabelEn != orig.LabelEn || l.LabelJa != orig.LabelJa || l.Description != orig.Description {
			t.Errorf("after restoring: %+v, want %+v", l, orig)
		}
	})

	t.Run("Axis2Bounds", func(t *testing.T) {
		const id = "axis2-v1-4" // the top level: no maximum
		orig := w.restoreLevel(t, id)
		if orig.MinJPY == nil || orig.MaxJPY != nil {
			t.Fatalf("seeded top axis-2 level: %+v", orig)
		}
		var got struct{ UpdateAxisLevel scLevel }
		w.updateLevel(t, w.tokens["curator"], id, map[string]any{"labelEn": orig.LabelEn, "labelJa": orig.LabelJa, "description": "bounded " + w.prefix,
			"minJPY": 2e10, "maxJPY": 5e10}).decode(t, &got)
		if l := got.UpdateAxisLevel; !scSameFloat(l.MinJPY, fbPtr(2e10)) || !scSameFloat(l.MaxJPY, fbPtr(5e10)) || l.Description != "bounded "+w.prefix {
			t.Errorf("updateAxisLevel = %+v", l)
		}
		if l := w.level(t, id); !scSameFloat(l.MinJPY, fbPtr(2e10)) || !scSameFloat(l.MaxJPY, fbPtr(5e10)) {
			t.Errorf("axisScales after the update: %+v", l)
		}
		// Equal bounds are allowed; a missing maximum removes it again.
		w.updateLevel(t, w.tokens["curator"], id, map[string]any{"labelEn": orig.LabelEn, "labelJa": orig.LabelJa, "minJPY": 3e10, "maxJPY": 3e10}).decode(t, &got)
		w.updateLevel(t, w.tokens["curator"], id, scLevelInput(orig)).decode(t, &got)
		if l := w.level(t, id); !scSameFloat(l.MinJPY, orig.MinJPY) || l.MaxJPY != nil || l.Description != orig.Description {
			t.Errorf("after restoring: %+v, want %+v", l, orig)
		}
	})
}

func TestUpdateAxisLevelValidation(t *testing.T) {
	w := newSCWorld(t)
	const a1, a2 = "axis1-v1-2", "axis2-v1-2"
	orig1, orig2 := w.restoreLevel(t, a1), w.restoreLevel(t, a2)
	ok := func(l scLevel) map[string]any { return scLevelInput(l) }
	with := func(base map[string]any, k string, v any) map[string]any {
		in := map[string]any{}
		for bk, bv := range base {
			in[bk] = bv
		}
		if v == nil {
			delete(in, k)
		} else {
			in[k] = v
		}
		return in
	}
	for _, tt := range []struct {
		name, token, id string
		in              map[string]any
		code, field     string
	}{
		{"Anonymous", "", a1, ok(orig1), "UNAUTHENTICATED", ""},
		{"Analyst", w.tokens["analyst"], a1, ok(orig1), "FORBIDDEN", ""},
		{"OrgAdmin", w.tokens["orgAdmin"], a1, ok(orig1), "FORBIDDEN", ""},
		{"UnknownLevel", w.tokens["curator"], w.prefix + "axis9", ok(orig1), "NOT_FOUND", "id"},
		{"NotALevel", w.tokens["curator"], "axis1-v1", ok(orig1), "NOT_FOUND", "id"},
		{"EmptyLabelEn", w.tokens["curator"], a1, with(ok(orig1), "labelEn", ""), "BAD_USER_INPUT", "input.labelEn"},
		{"EmptyLabelJa", w.tokens["curator"], a1, with(ok(orig1), "labelJa", ""), "BAD_USER_INPUT", "input.labelJa"},
		{"LongLabel", w.tokens["curator"], a1, with(ok(orig1), "labelEn", strings.Repeat("x", 201)), "BAD_USER_INPUT", "input.labelEn"},
		{"MinOnAxis1", w.tokens["curator"], a1, with(ok(orig1), "minJPY", 0), "BAD_USER_INPUT", "input.minJPY"},
		{"MaxOnAxis1", w.tokens["curator"], a1, with(ok(orig1), "maxJPY", 100), "BAD_USER_INPUT", "input.maxJPY"},
		{"NegativeMin", w.tokens["curator"], a2, with(ok(orig2), "minJPY", -1), "BAD_USER_INPUT", "input.minJPY"},
		{"NegativeMax", w.tokens["curator"], a2, with(with(ok(orig2), "minJPY", nil), "maxJPY", -5), "BAD_USER_INPUT", "input.maxJPY"},
		{"MinAboveMax", w.tokens["curator"], a2, with(with(ok(orig2), "minJPY", 2e8), "maxJPY", 1e8), "BAD_USER_INPUT", "input.maxJPY"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b1, b2 := w.level(t, a1), w.level(t, a2)
			fbWantError(t, w.updateLevel(t, tt.token, tt.id, tt.in), tt.code, tt.field)
			if l := w.level(t, a1); !scSameLevel(l, b1) {
				t.Errorf("%s changed: %+v, was %+v", a1, l, b1)
			}
			if l := w.level(t, a2); !scSameLevel(l, b2) {
				t.Errorf("%s changed: %+v, was %+v", a2, l, b2)
			}
		})
	}
	t.Run("LongestLabel", func(t *testing.T) {
		label := strings.Repeat("回", 200)
		var got struct{ UpdateAxisLevel scLevel }
		w.updateLevel(t, w.tokens["admin"], a1, with(ok(orig1), "labelJa", label)).decode(t, &got)
		if got.UpdateAxisLevel.LabelJa != label {
			t.Errorf("a 200-character label came back as %q", got.UpdateAxisLevel.LabelJa)
		}
		w.updateLevel(t, w.tokens["admin"], a1, ok(orig1)).decode(t, &got)
	})
}

func TestSetCategoryRuleRoundTrip(t *testing.T) {
	w := newSCWorld(t)
	// The rule 4×1 is the least likely to meet other tests' assessments.
	const a1, a2 = 4, 1
	orig := w.rule(t, a1, a2)
	if orig < 1 {
		t.Fatalf("no seeded rule %d×%d", a1, a2)
	}
	t.Cleanup(func() {
		if r := w.setRule(t, w.tokens["admin"], a1, a2, orig); len(r.Errors) > 0 {
			t.Errorf("restoring rule %d×%d: %v", a1, a2, r.Errors)
		}
	})
	changed := orig + 3
	var got struct {
		SetCategoryRule struct{ Axis1Rank, Axis2Rank, Category int }
	}
	w.setRule(t, w.tokens["curator"], a1, a2, changed).decode(t, &got)
	if r := got.SetCategoryRule; r.Axis1Rank != a1 || r.Axis2Rank != a2 || r.Category != changed {
		t.Errorf("setCategoryRule = %+v", r)
	}
	afterSet := w.rule(t, a1, a2)
	w.setRule(t, w.tokens["admin"], a1, a2, orig).decode(t, &got)
	if afterSet != changed {
		t.Errorf("categoryRules gave %d×%d → %d, want %d", a1, a2, afterSet, changed)
	}
	if c := w.rule(t, a1, a2); c != orig || got.SetCategoryRule.Category != orig {
		t.Errorf("after restoring: %d×%d → %d, want %d", a1, a2, c, orig)
	}
	// Setting a rule changes that rule only.
	if c := w.rule(t, a2, a1); c == 0 {
		t.Errorf("rule %d×%d is gone", a2, a1)
	}
}

func TestSetCategoryRuleValidation(t *testing.T) {
	w := newSCWorld(t)
	const a1, a2 = 4, 2
	orig := w.rule(t, a1, a2)
	for _, tt := range []struct {
		name, token    string
		x, y, category int
		code, field    string
	}{
		{"Anonymous", "", a1, a2, 1, "UNAUTHENTICATED", ""},
		{"Analyst", w.tokens["analyst"], a1, a2, 1, "FORBIDDEN", ""},
		{"OrgAdmin", w.tokens["orgAdmin"], a1, a2, 1, "FORBIDDEN", ""},
		{"ZeroCategory", w.tokens["curator"], a1, a2, 0, "BAD_USER_INPUT", "input.category"},
		{"NegativeCategory", w.tokens["curator"], a1, a2, -2, "BAD_USER_INPUT", "input.category"},
		{"ZeroAxis1", w.tokens["curator"], 0, a2, 1, "BAD_USER_INPUT", "input.axis1Rank"},
		{"Axis1NotOnScale", w.tokens["curator"], 9, a2, 1, "BAD_USER_INPUT", "input.axis1Rank"},
		{"Axis2NotOnScale", w.tokens["curator"], a1, 5, 1, "BAD_USER_INPUT", "input.axis2Rank"},
		{"NegativeAxis2", w.tokens["curator"], a1, -1, 1, "BAD_USER_INPUT", "input.axis2Rank"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fbWantError(t, w.setRule(t, tt.token, tt.x, tt.y, tt.category), tt.code, tt.field)
			if c := w.rule(t, a1, a2); c != orig {
				t.Errorf("rule %d×%d changed to %d, was %d", a1, a2, c, orig)
			}
			if c := w.rule(t, tt.x, tt.y); (tt.x != a1 || tt.y != a2) && c != 0 {
				t.Errorf("a rule %d×%d appeared", tt.x, tt.y)
			}
		})
	}
}
