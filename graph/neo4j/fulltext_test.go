package neo4j_test

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
)

// probeIndex returns a full-text index name and a label unique to the
// test, and the test's id prefix: the tests build indexes of their own and
// leave ssf_text, which other tests search meanwhile, alone. The label is
// unique too because Neo4j creates no index where one over the same
// labels, properties and analyzer exists (CREATE … IF NOT EXISTS does
// nothing). The index is dropped when the test ends.
func probeIndex(t *testing.T) (name, label, prefix string) {
	t.Helper()
	prefix = neo4jtest.Prefix(t)
	name = strings.ReplaceAll(prefix, "-", "") + "_text"
	label = "FulltextProbe_" + strings.TrimSuffix(prefix, "-")
	db := neo4jtest.Open(t)
	t.Cleanup(func() {
		if err := neo4j.DropIndex(context.Background(), db, name); err != nil {
			t.Logf("dropping %s: %v", name, err)
		}
	})
	return name, label, prefix
}

// probeQuery returns the ids, without prefix, that the index finds for text.
func probeQuery(t *testing.T, db *neo4j.DB, index, prefix, text string) []string {
	t.Helper()
	ids, err := neo4j.QueryFulltext(t.Context(), db, index, text)
	if err != nil {
		t.Fatalf("query %q: %v", text, err)
	}
	var out []string
	for _, id := range ids {
		if s, ok := strings.CutPrefix(id, prefix); ok {
			out = append(out, s)
		}
	}
	return out
}

// TestTextIndexUsesCJKAnalyzer: the migrated database's ssf_text splits
// Japanese into bigrams (the cjk analyzer) over every label and property
// that search reads.
func TestTextIndexUsesCJKAnalyzer(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	_, analyzer, labels, props, found, err := neo4j.FulltextIndex(t.Context(), db, "ssf_text")
	if err != nil || !found {
		t.Fatalf("ssf_text: found %v, %v", found, err)
	}
	if analyzer != "cjk" {
		t.Errorf("ssf_text analyzer = %q, want cjk", analyzer)
	}
	for _, l := range []string{model.LabelTarget, model.LabelIncident, model.LabelMeasure, model.LabelThreat, model.LabelAnalysis} {
		if !slices.Contains(labels, l) {
			t.Errorf("ssf_text labels %v lack %s", labels, l)
		}
	}
	slices.Sort(props)
	if want := []string{"description", "name", "rationale", "text", "title"}; !slices.Equal(props, want) {
		t.Errorf("ssf_text properties %v, want %v", props, want)
	}
}

// TestFulltextMigrationReplacesOldAnalyzer runs what Migrate runs on
// ssf_text on an index of the test's own, created as version 7 created
// ssf_text: the index is created again with the cjk analyzer, finds the
// katakana word that the old one missed, and a second run keeps it.
func TestFulltextMigrationReplacesOldAnalyzer(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	ctx := t.Context()
	name, fulltextProbe, p := probeIndex(t)
	if err := neo4j.CreateOldFulltext(ctx, db, name, fulltextProbe); err != nil {
		t.Fatal(err)
	}
	if err := neo4j.CreateNamed(ctx, db, fulltextProbe, p+"shutter", "ウインドウシャッター制御装置"); err != nil {
		t.Fatal(err)
	}
	oldID, analyzer, _, _, found, err := neo4j.FulltextIndex(ctx, db, name)
	if err != nil || !found || analyzer != "standard-no-stop-words" {
		t.Fatalf("old index: analyzer %q, found %v, %v; want standard-no-stop-words", analyzer, found, err)
	}
	if got := probeQuery(t, db, name, p, "シャッター"); len(got) != 0 {
		t.Fatalf("the old analyzer found シャッター inside a katakana run: %v (the test no longer shows the migration's point)", got)
	}

	// A DB of the test's own, to read what the migration logs.
	var logs bytes.Buffer
	mdb := neo4jtest.Config(neo4j.NewDB(neo4jtest.URI()))
	mdb.Log = slog.New(slog.NewTextHandler(&logs, nil))
	t.Cleanup(func() { _ = mdb.Close(context.Background()) })
	if err := mdb.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	if err := neo4j.EnsureFulltext(ctx, mdb, name, "cjk", fulltextProbe); err != nil {
		t.Fatalf("migrating: %v", err)
	}
	if l := logs.String(); !strings.Contains(l, `msg="recreating full-text index" index=`+name+` analyzer=standard-no-stop-words want_analyzer=cjk`) {
		t.Errorf("the migration logged %q, want that it recreated %s", l, name)
	}
	logs.Reset()
	newID, analyzer, labels, props, found, err := neo4j.FulltextIndex(ctx, db, name)
	if err != nil || !found || analyzer != "cjk" || newID == oldID {
		t.Fatalf("migrated index: id %d (was %d), analyzer %q, found %v, %v; want a new index with cjk", newID, oldID, analyzer, found, err)
	}
	if !slices.Equal(labels, []string{fulltextProbe}) || !slices.Equal(props, []string{"name"}) {
		t.Errorf("migrated index over %v %v, want [%s] [name]", labels, props, fulltextProbe)
	}
	// Searchable at once: EnsureFulltext waited for the index to fill.
	if got := probeQuery(t, db, name, p, "シャッター"); !slices.Equal(got, []string{"shutter"}) {
		t.Errorf("シャッター after the migration found %v, want [shutter]", got)
	}

	if err := neo4j.EnsureFulltext(ctx, mdb, name, "cjk", fulltextProbe); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if logs.Len() > 0 {
		t.Errorf("the second run logged %q, want nothing", logs.String())
	}
	if id, _, _, _, _, err := neo4j.FulltextIndex(ctx, db, name); err != nil || id != newID {
		t.Errorf("second run: index id %d (%v), want %d kept", id, err, newID)
	}
}

// TestTextQueryFindsJapanese checks the queries that search and the text
// filters make of user text against an index with ssf_text's analyzer:
// Japanese words inside longer names, katakana, full- and half-width forms,
// one-character words, the ideographic space between words, and text that
// is Lucene syntax, which matches as plain words and never fails.
func TestTextQueryFindsJapanese(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	ctx := t.Context()
	name, fulltextProbe, p := probeIndex(t)
	if err := neo4j.EnsureFulltext(ctx, db, name, "cjk", fulltextProbe); err != nil {
		t.Fatal(err)
	}
	for id, n := range map[string]string{
		"pump":     "輸液ポンプ制御装置",
		"shutter":  "Window shutter controller / 窓シャッター制御装置",
		"firmware": "ウインドウシャッターのファームウェア改ざん",
		"hub":      "Ｓｍａｒｔ　ｈｏｍｅ　ハブ",
		"infusion": "Infusion-pump controller",
		"iot":      "IoT機器への不正アクセス",
	} {
		if err := neo4j.CreateNamed(ctx, db, fulltextProbe, p+id, n); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		text string
		want []string
	}{
		{"輸液", []string{"pump"}},
		{"ポンプ", []string{"pump"}},
		{"輸液ポンプ", []string{"pump"}},
		{"制御装置", []string{"pump", "shutter"}},
		{"ポンプ車", nil}, // its bigrams ポン and ンプ match, but not all three in a row
		{"冷蔵庫", nil},
		{"窓", []string{"shutter"}},
		{"液", []string{"pump"}},
		{"改", []string{"firmware"}}, // last character of a run: the end of a bigram
		{"窓、", []string{"shutter"}}, // one character and punctuation
		{"シャッター", []string{"firmware", "shutter"}},
		{"ｼｬｯﾀｰ", []string{"firmware", "shutter"}},
		{"ファームウェア", []string{"firmware"}},
		{"smart", []string{"hub"}},
		{"ＳＭＡＲＴ", []string{"hub"}},
		{"controller", []string{"infusion", "shutter"}},
		{"Window", []string{"shutter"}},
		{"infusion-pump", []string{"infusion"}},
		{"IoT機器", []string{"iot"}},
		{"不正アクセス", []string{"iot"}},
		{"冷蔵庫\u3000輸液", []string{"pump"}},
		{`"輸液"`, []string{"pump"}},
		{"the", nil},
		{"AND", nil},
		{"OR NOT", nil},
		{`"`, nil},
		{`\`, nil},
		{"*", nil},
		{"?", nil},
		{"(", nil},
		{"name:x", nil},
		{"~2", nil},
		{"、", nil},
	} {
		got := probeQuery(t, db, name, p, tt.text)
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q found %v, want %v", tt.text, got, tt.want)
		}
	}
}
