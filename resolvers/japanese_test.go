package resolvers_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// jaEnv is a world of Japanese names: a target, an incident and a measure
// whose names are Japanese, English beside Japanese, and the forms that a
// normalizing store would change. Other tests write into the same index
// meanwhile, so its checks look only at the nodes with the test's prefix,
// and at words no test writes.
type jaEnv struct {
	*testEnv
	t       *testing.T
	analyst string // an analyst's token of the owner organization
	ids     map[string]string
}

// jaNames are the nodes of the world, by short name: their kind and name.
var jaNames = []struct{ key, kind, name string }{
	{"pump", "target", "輸液ポンプ制御装置"},
	{"mixed", "target", "Window shutter controller / 窓シャッター制御装置"},
	{"width", "target", "ｽﾏｰﾄﾎｰﾑ　ＨＵＢ（全角）"}, // half-width katakana, ideographic space, full-width Latin
	{"access", "incident", "不正アクセスによる電動シャッターの遠隔操作"},
	{"firmware", "measure", "ファームウェア改ざんの検知"},
}

const (
	jaCreateTarget   = `mutation($in: TargetInput!) { createTarget(input: $in) { id name description } }`
	jaCreateIncident = `mutation($in: IncidentInput!) { createIncident(input: $in) { id name } }`
	jaCreateMeasure  = `mutation($in: MeasureInput!) { createMeasure(input: $in) { id name } }`
	jaSearch         = `query($q: String!) { search(text: $q, first: 100) { node { id } } }`
	jaTargets        = `query($q: String!) { targets(text: $q, first: 500) { totalCount nodes { id } } }`
)

func newJaEnv(t *testing.T) *jaEnv {
	t.Helper()
	env := newEnv(t, resolvers.Options{})
	org := env.org(t, "org", "home")
	tok := env.tokensOf(t, org)
	e := &jaEnv{testEnv: env, t: t, analyst: tok[model.RoleAnalyst], ids: map[string]string{}}
	for _, n := range jaNames {
		id := env.p + n.key
		e.ids[n.key] = id
		var got map[string]struct{ ID, Name string }
		switch n.kind {
		case "target":
			env.must(t, e.analyst, jaCreateTarget, map[string]any{"in": map[string]any{"id": id, "name": n.name, "sector": "home"}}, &got)
		case "incident":
			env.must(t, e.analyst, jaCreateIncident, map[string]any{"in": map[string]any{"id": id, "targetId": env.p + "pump", "name": n.name, "consequence": "property"}}, &got)
		case "measure":
			env.must(t, tok[model.RoleCurator], jaCreateMeasure, map[string]any{"in": map[string]any{"id": id, "name": n.name, "perspective": "P1", "kind": "technical"}}, &got)
		}
		for _, v := range got {
			if v.ID != id || v.Name != n.name {
				t.Fatalf("create %s: %+v, want id %s and name %q as sent", n.kind, v, id, n.name)
			}
		}
	}
	return e
}

// mine returns the short names of the test's nodes among ids, sorted.
func (e *jaEnv) mine(ids []string) []string {
	var out []string
	for key, id := range e.ids {
		if slices.Contains(ids, id) {
			out = append(out, key)
		}
	}
	slices.Sort(out)
	return out
}

// search returns the short names of the test's nodes that search finds for q.
func (e *jaEnv) search(q string) []string {
	e.t.Helper()
	var r struct {
		Search []struct{ Node struct{ ID string } }
	}
	e.must(e.t, e.analyst, jaSearch, map[string]any{"q": q}, &r)
	ids := make([]string, len(r.Search))
	for i, h := range r.Search {
		ids[i] = h.Node.ID
	}
	return e.mine(ids)
}

// targets returns targets(text: q)'s total count and the short names of
// the test's nodes among its nodes.
func (e *jaEnv) targets(q string) (int, []string) {
	e.t.Helper()
	var r struct {
		Targets struct {
			TotalCount int
			Nodes      []struct{ ID string }
		}
	}
	e.must(e.t, e.analyst, jaTargets, map[string]any{"q": q}, &r)
	ids := make([]string, len(r.Targets.Nodes))
	for i, n := range r.Targets.Nodes {
		ids[i] = n.ID
	}
	return r.Targets.TotalCount, e.mine(ids)
}

// nowhere returns a Japanese word of kanji that no test writes: the test's
// prefix spelled in the old formal numerals and the celestial stems.
func nowhere(prefix string) string {
	digits := []rune("零壱弐参肆伍陸漆捌玖甲乙丙丁戊己")
	var b strings.Builder
	for _, c := range strings.Trim(prefix, "t-") {
		if i := strings.IndexRune("0123456789abcdef", c); i >= 0 {
			b.WriteRune(digits[i])
		}
	}
	return b.String() + "冷蔵庫"
}

// TestSearchFindsJapanese: search and targets(text:) find Japanese names by
// a word inside them (Japanese is written without spaces), by katakana, by
// the English half of a bilingual name and by one kanji; they do not find
// a name by a word it does not hold, even one that shares characters.
func TestSearchFindsJapanese(t *testing.T) {
	t.Parallel()
	e := newJaEnv(t)
	for _, tt := range []struct {
		text string
		want []string
	}{
		{"輸液", []string{"pump"}},
		{"ポンプ", []string{"pump"}},
		{"輸液ポンプ", []string{"pump"}},
		{"制御装置", []string{"mixed", "pump"}},
		{"シャッター", []string{"access", "mixed"}},
		{"電動シャッター", []string{"access"}},
		{"遠隔操作", []string{"access"}},
		{"不正アクセス", []string{"access"}},
		{"ファームウェア", []string{"firmware"}},
		{"改ざん", []string{"firmware"}},
		{"窓", []string{"mixed"}},                      // one kanji: no bigram is that short
		{"window controller", []string{"mixed"}},      // the English half
		{"Shutter", []string{"mixed"}},                // either case
		{"スマートホーム", []string{"width"}},                // full-width search, half-width name
		{"hub", []string{"width"}},                    // ＨＵＢ folds to hub
		{nowhere(e.p) + "\u3000輸液", []string{"pump"}}, // the ideographic space separates words
		{"ポンプ車", nil},                                 // shares ポンプ, but is another word
		{"IoT機器の窓", nil},                              // mixed scripts in one word: a phrase, no error
		{"AND OR NOT \" \\ * ( 〜 。", nil},             // Lucene syntax and punctuation as plain words
		{nowhere(e.p), nil},
	} {
		if got := e.search(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("search(%q) found %v of the test's nodes, want %v", tt.text, got, tt.want)
		}
	}
	var r struct{ Search []any }
	e.must(t, e.analyst, jaSearch, map[string]any{"q": nowhere(e.p)}, &r)
	if len(r.Search) != 0 {
		t.Errorf("search(%q), a word no one wrote, found %d nodes", nowhere(e.p), len(r.Search))
	}

	// targets(text:) filters with the same words, and only targets.
	for _, tt := range []struct {
		text string
		want []string
	}{
		{"制御装置", []string{"mixed", "pump"}},
		{"シャッター", []string{"mixed"}}, // the incident holds it too, but is no target
		{"輸液", []string{"pump"}},
		{"controller", []string{"mixed"}},
		{"ｽﾏｰﾄﾎｰﾑ", []string{"width"}},
	} {
		if _, got := e.targets(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("targets(text: %q) holds %v of the test's nodes, want %v", tt.text, got, tt.want)
		}
	}
	if n, got := e.targets(nowhere(e.p)); n != 0 || got != nil {
		t.Errorf("targets(text: %q) = %d targets, want none", nowhere(e.p), n)
	}
}

// TestJapaneseNamesRoundTrip: names and descriptions come back byte for
// byte as they were sent: composed and decomposed accents alike, full- and
// half-width forms, the ideographic space, emoji sequences. Nothing is
// normalized on the way in or out (the full-text index folds widths for
// matching, not the stored text).
func TestJapaneseNamesRoundTrip(t *testing.T) {
	t.Parallel()
	e := newJaEnv(t)
	for i, name := range []string{
		"スマートホーム窓シャッター制御装置（試作）",
		"ｽﾏｰﾄﾎｰﾑ 窓ｼｬｯﾀｰ",   // half-width katakana stays half-width
		"ＩｏＴ　ゲートウェイ　第２版",   // full-width Latin and digits, ideographic spaces
		"Caf\u00e9 / カフェ",  // composed é (NFC)
		"Cafe\u0301 / カフェ", // decomposed é (NFD): not composed on the way
		"パ", "ハ\u309a",     // composed and decomposed パ
		"窓 🪟 家族 👨\u200d👩\u200d👧 ①〜⑩ ㈱ 髙﨑", // emoji, a ZWJ sequence, enclosed forms, variant kanji
	} {
		id := e.p + "rt" + string(rune('a'+i))
		desc := "説明：" + name + "\n二行目"
		var c struct {
			CreateTarget struct{ ID, Name, Description string }
		}
		e.must(t, e.analyst, jaCreateTarget, map[string]any{"in": map[string]any{"id": id, "name": name, "sector": "home", "description": desc}}, &c)
		var r struct {
			Target struct{ Name, Description string }
		}
		e.must(t, e.analyst, `query($id: ID!) { target(id: $id) { name description } }`, map[string]any{"id": id}, &r)
		for _, got := range []struct{ what, got, want string }{
			{"created name", c.CreateTarget.Name, name}, {"created description", c.CreateTarget.Description, desc},
			{"read name", r.Target.Name, name}, {"read description", r.Target.Description, desc},
		} {
			if got.got != got.want {
				t.Errorf("%s of %s = %q (% x), want %q (% x)", got.what, id, got.got, got.got, got.want, got.want)
			}
		}
	}
	// The names that newJaEnv created read back as sent too.
	var r struct {
		Target struct {
			Name      string
			Incidents []struct{ Name string }
		}
	}
	e.must(t, e.analyst, `query($id: ID!) { target(id: $id) { name incidents { name } } }`, map[string]any{"id": e.ids["pump"]}, &r)
	if r.Target.Name != "輸液ポンプ制御装置" || len(r.Target.Incidents) != 1 || r.Target.Incidents[0].Name != "不正アクセスによる電動シャッターの遠隔操作" {
		t.Errorf("target %s read back as %+v", e.ids["pump"], r.Target)
	}
}
