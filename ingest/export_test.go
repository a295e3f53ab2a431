package ingest_test

import (
	"bytes"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/ingest"
)

// etExample parses the example document with its defaults and derived ids
// filled in, as an export would see it.
func etExample(t testing.TB) *ingest.Document {
	t.Helper()
	doc, err := ingest.ParseDocument("example.yaml", ntExample(t))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// etShuffle reverses and rotates every list of doc, keeping its content.
func etShuffle(doc *ingest.Document, r *rand.Rand) {
	shuffle := func(n int, swap func(i, j int)) { r.Shuffle(n, swap) }
	shuffle(len(doc.Organization.Departments), func(i, j int) {
		doc.Organization.Departments[i], doc.Organization.Departments[j] = doc.Organization.Departments[j], doc.Organization.Departments[i]
	})
	shuffle(len(doc.Target.Assets), func(i, j int) {
		doc.Target.Assets[i], doc.Target.Assets[j] = doc.Target.Assets[j], doc.Target.Assets[i]
	})
	shuffle(len(doc.Target.Incidents), func(i, j int) {
		doc.Target.Incidents[i], doc.Target.Incidents[j] = doc.Target.Incidents[j], doc.Target.Incidents[i]
	})
	shuffle(len(doc.Threats), func(i, j int) { doc.Threats[i], doc.Threats[j] = doc.Threats[j], doc.Threats[i] })
	shuffle(len(doc.Measures), func(i, j int) { doc.Measures[i], doc.Measures[j] = doc.Measures[j], doc.Measures[i] })
	shuffle(len(doc.Analysis.SharedWithSectors), func(i, j int) {
		doc.Analysis.SharedWithSectors[i], doc.Analysis.SharedWithSectors[j] = doc.Analysis.SharedWithSectors[j], doc.Analysis.SharedWithSectors[i]
	})
	na := doc.Analysis.NotApplicable
	shuffle(len(na), func(i, j int) { na[i], na[j] = na[j], na[i] })
	a := doc.Analysis.Assessments
	shuffle(len(a), func(i, j int) { a[i], a[j] = a[j], a[i] })
	for k := range a {
		s := &a[k]
		shuffle(len(s.Assets), func(i, j int) { s.Assets[i], s.Assets[j] = s.Assets[j], s.Assets[i] })
		shuffle(len(s.Treatments), func(i, j int) { s.Treatments[i], s.Treatments[j] = s.Treatments[j], s.Treatments[i] })
	}
	for k := range doc.Measures {
		m := &doc.Measures[k]
		shuffle(len(m.Clauses), func(i, j int) { m.Clauses[i], m.Clauses[j] = m.Clauses[j], m.Clauses[i] })
	}
}

// TestMarshalDocumentIsDeterministic writes the example with its lists in
// many orders: the bytes are always the same, in both formats, and read
// back as the same document.
func TestMarshalDocumentIsDeterministic(t *testing.T) {
	t.Parallel()
	for _, format := range []string{ingest.ExportYAML, ingest.ExportJSON} {
		want, err := ingest.MarshalDocument(etExample(t), format)
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(1, 2))
		for i := range 20 {
			doc := etExample(t)
			etShuffle(doc, r)
			got, err := ingest.MarshalDocument(doc, format)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s, shuffle %d: different bytes", format, i)
			}
		}
		back, err := ingest.ParseDocument("back."+format, want)
		if err != nil {
			t.Fatalf("%s: the output does not read back: %v", format, err)
		}
		again, _ := ingest.MarshalDocument(back, format)
		if !bytes.Equal(again, want) {
			t.Errorf("%s: writing what was read back gives other bytes", format)
		}
	}
	if _, err := ingest.MarshalDocument(etExample(t), "xml"); err == nil {
		t.Error("format xml: no error")
	}
	if _, err := ingest.MarshalDocument(nil, ""); err == nil {
		t.Error("no document: no error")
	}
}

// etStrings are texts that a careless YAML writer would change.
var etStrings = []string{
	"plain", "yes", "No", "null", "~", "true", "1", "0x10", "1e3", ".5", "-", "- item", "-x", "?", ":", "a: b", "a:b", "a #b", "#hash",
	"[list]", "{map}", "a, b", "&anchor", "*alias", "!tag", "%directive", "@at", "`tick", "'single'", `"double"`, `back\slash`,
	" lead", "trail ", "two\nlines", "two\nlines\n", "ends\n\n", "\nstarts", "  indented\nline", "line\n  indented", "tab\there",
	"cr\r\nlf", "nul\x00", "bell\a", "del\x7f", "日本語のテキスト", "emoji 🚀", "ls\u2028ps\u2029", "bom\ufeff", "nel\u0085", "a — b", "2026-04-01",
	"12:30", "c:1", "a:b:1", "x:true", "1:2", "P1", "ciso:intuitem:risk:req_node:x:sr-1.1", "=", "<<", "a\n\n\nb", "trailing spaces  \nnext", "|", ">", strings.Repeat("long ", 100),
}

// TestMarshalDocumentKeepsStrings writes each tricky text in several
// places and checks that it reads back unchanged, in YAML and JSON.
func TestMarshalDocumentKeepsStrings(t *testing.T) {
	t.Parallel()
	for _, s := range etStrings {
		for _, format := range []string{ingest.ExportYAML, ingest.ExportJSON} {
			doc := etExample(t)
			doc.Target.Description = s
			doc.Target.Assets[0].Name = s
			doc.Analysis.Assessments[0].Rationale = s
			sector := s
			if len([]rune(s)) > 100 { // a sector is a code of at most 100 characters
				sector = s[:100]
			}
			doc.Analysis.SharedWithSectors = []string{sector, "zz"}
			doc.Policies[0].Lines[0].Exclusions = []string{s, s + "x"}
			rationale := s
			doc.Measures[0].Clauses[0].Rationale = &rationale
			doc.Analysis.NotApplicable[0].Reason = s
			out, err := ingest.MarshalDocument(doc, format)
			if err != nil {
				t.Fatal(err)
			}
			back, err := ingest.ParseDocument("x", out)
			if err != nil {
				t.Errorf("%s %q: does not read back: %v\n%s", format, s, err, out)
				continue
			}
			sectors := slices.Clone(back.Analysis.SharedWithSectors)
			slices.Sort(sectors)
			want := []string{sector, "zz"}
			slices.Sort(want)
			i := slices.IndexFunc(back.Measures, func(m ingest.DocMeasure) bool { return m.ID == doc.Measures[0].ID })
			j := slices.IndexFunc(back.Target.Assets, func(a ingest.DocAsset) bool { return a.ID == doc.Target.Assets[0].ID })
			k := slices.IndexFunc(back.Analysis.Assessments, func(a ingest.DocAssessment) bool { return a.ID == doc.Analysis.Assessments[0].ID })
			clause := slices.IndexFunc(back.Measures[i].Clauses, func(c ingest.DocClauseLink) bool { return c.Clause == doc.Measures[0].Clauses[0].Clause })
			mark := slices.IndexFunc(back.Analysis.NotApplicable, func(m ingest.DocNotApplicable) bool { return m.Clause == doc.Analysis.NotApplicable[0].Clause })
			for _, c := range []struct {
				what string
				got  any
				want any
			}{
				{"description", back.Target.Description, s},
				{"name", back.Target.Assets[j].Name, s},
				{"rationale", back.Analysis.Assessments[k].Rationale, s},
				{"sectors", sectors, want},
				{"exclusions", back.Policies[0].Lines[0].Exclusions, []string{s, s + "x"}},
				{"clause rationale", *back.Measures[i].Clauses[clause].Rationale, s},
				{"not-applicable reason", back.Analysis.NotApplicable[mark].Reason, s},
			} {
				if !reflect.DeepEqual(c.got, c.want) {
					t.Errorf("%s %s: %q reads back as %q", format, c.what, c.want, c.got)
				}
			}
		}
	}
}

// TestMarshalDocumentKeepsNumbers checks that amounts and shares read back
// as the same float64.
func TestMarshalDocumentKeepsNumbers(t *testing.T) {
	t.Parallel()
	for _, f := range []float64{0, 0.1, 0.6, 1, 1.5, 1e-7, 5e-324, 123456789.123, 999999999999999, 1e15, 1e21, 1.7976931348623157e308, 8e8, 1234567.5} {
		for _, format := range []string{ingest.ExportYAML, ingest.ExportJSON} {
			doc := etExample(t)
			doc.Analysis.Assessments[1].EstimatedLossJPY = &f
			doc.Policies[0].AggregateLimitJPY = f
			cov := math.Min(f, 1)
			doc.Measures[0].Clauses[0].Coverage = &cov
			out, err := ingest.MarshalDocument(doc, format)
			if err != nil {
				t.Fatal(err)
			}
			back, err := ingest.ParseDocument("x", out)
			if err != nil {
				t.Fatalf("%s %v: %v", format, f, err)
			}
			k := slices.IndexFunc(back.Analysis.Assessments, func(a ingest.DocAssessment) bool { return a.ID == doc.Analysis.Assessments[1].ID })
			i := slices.IndexFunc(back.Measures, func(m ingest.DocMeasure) bool { return m.ID == doc.Measures[0].ID })
			c := slices.IndexFunc(back.Measures[i].Clauses, func(c ingest.DocClauseLink) bool { return c.Clause == doc.Measures[0].Clauses[0].Clause })
			if *back.Analysis.Assessments[k].EstimatedLossJPY != f || back.Policies[0].AggregateLimitJPY != f || *back.Measures[i].Clauses[c].Coverage != cov {
				t.Errorf("%s: %v reads back as %v, %v, %v", format, f, *back.Analysis.Assessments[k].EstimatedLossJPY,
					back.Policies[0].AggregateLimitJPY, *back.Measures[i].Clauses[c].Coverage)
			}
		}
	}
}

// TestMarshalDocumentTimes checks the optional analysis times.
func TestMarshalDocumentTimes(t *testing.T) {
	t.Parallel()
	doc := etExample(t)
	at := time.Date(2026, 4, 1, 9, 30, 15, 123456789, time.FixedZone("JST", 9*3600))
	doc.Analysis.CreatedAt, doc.Analysis.SubmittedAt = &at, &at
	out, err := ingest.MarshalDocument(doc, ingest.ExportYAML)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte("  createdAt: \"2026-04-01T00:30:15.123456789Z\"\n")) || bytes.Contains(out, []byte("updatedAt")) {
		t.Errorf("times are not written in UTC, or an absent one is:\n%s", out)
	}
	back, err := ingest.ParseDocument("x", out)
	if err != nil {
		t.Fatal(err)
	}
	if back.Analysis.CreatedAt == nil || !back.Analysis.CreatedAt.Equal(at) || back.Analysis.UpdatedAt != nil {
		t.Errorf("times read back as %v, %v", back.Analysis.CreatedAt, back.Analysis.UpdatedAt)
	}
}
