package resolvers_test

import (
	"encoding/csv"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

const reportQuery = `query($a: ID!, $g: [ID!]!, $f: ReportFormat!) { dueCareReport(analysisId: $a, guidelineIds: $g) {
  analysis { id } maxHops coverage { guideline { id } summary { partial planned gaps } } feedback { id text } document(format: $f) } }`

type reportResult struct {
	DueCareReport struct {
		Analysis struct{ ID string }
		MaxHops  int
		Coverage []struct {
			Guideline struct{ ID string }
			Summary   struct{ Partial, Planned, Gaps int }
		}
		Feedback []struct{ ID, Text string }
		Document string
	}
}

// TestDueCareReport renders the report of an analysis whose measures
// satisfy SP 800-53 controls, against SP 800-53 and CSF 2.0, in every
// format, and checks what each says, that hostile text stays text, and
// that two reports of the same state differ only in when they were made.
func TestDueCareReport(t *testing.T) {
	e := newEnv(t, resolvers.Options{})
	loadData(t, e.db, sp80053Catalog, csf2Catalog, csf2To80053)
	analysis, token := coverageScene(t, e, "report", []claim{
		{"acct", "nist-sp800-53r5:ac-2", "EQUAL_TO", "IMPLEMENTED"},
		{"tls", "nist-sp800-53r5:sc-8", "EQUAL_TO", "PLANNED"},
	})
	hostile := `<script>alert(1)</script> | *bold* [x](http://evil) =cmd`
	neo4jtest.AnalysisExec(t, `MATCH (m:Measure {id: $id}) SET m.name = $name`, map[string]any{"id": e.p + "report-acct", "name": hostile})
	author := e.org(t, "reviewer", "building")
	neo4jtest.FeedbackAbout(t, e.p+"fb", author, analysis)
	vars := func(f string) map[string]any {
		return map[string]any{"a": analysis, "g": []string{"nist-sp800-53r5", "nist-csf-2.0"}, "f": f}
	}

	var md reportResult
	e.must(t, token, reportQuery, vars("MARKDOWN"), &md)
	r := md.DueCareReport
	if r.Analysis.ID != analysis || r.MaxHops != 3 || len(r.Coverage) != 2 || r.Coverage[1].Guideline.ID != "nist-csf-2.0" ||
		r.Coverage[1].Summary.Partial != 5 || r.Coverage[1].Summary.Planned != 1 || len(r.Feedback) != 1 || r.Feedback[0].ID != e.p+"fb" {
		t.Fatalf("report %+v", r)
	}
	doc := r.Document
	for _, want := range []string{
		"# Due-care report: Coverage scene",
		"## Coverage: NIST Cybersecurity Framework", "5 partial, 1 planned",
		"- satisfies AC-2 (`nist-sp800-53r5:ac-2`): EQUAL_TO",
		"PARTIAL PR.AA-01", "through 1 mapping(s)",
		`\<script\>alert\(1\)\</script\> \| \*bold\* \[x\]\(http://evil\) =cmd`,
		"## Feedback received", "REVISION_REQUEST",
		"### Gaps", "## Scales in force",
		"## Insurance (perspective P4)", "| RESIDUAL |",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("the Markdown report lacks %q", want)
		}
	}
	if strings.Contains(doc, "<script>") {
		t.Error("the Markdown report carries a raw <script>")
	}

	var again reportResult
	e.must(t, token, reportQuery, vars("MARKDOWN"), &again)
	generated := regexp.MustCompile(`(?m)^- Generated: .*$`)
	if generated.ReplaceAllString(again.DueCareReport.Document, "") != generated.ReplaceAllString(doc, "") {
		t.Error("two reports of the same state differ beyond their date")
	}

	var js reportResult
	e.must(t, token, reportQuery, vars("JSON"), &js)
	var parsed struct {
		Analysis   struct{ ID string }
		Guidelines []struct {
			ID      string
			Summary struct{ Partial, Planned, Covered int }
			Clauses []struct{ Clause, Status string }
		}
		Measures []struct {
			ID      string
			Name    string
			Status  string
			Reaches []struct{ Guideline, Clause, Status string }
		}
		Feedback  []struct{ ID, Kind string }
		Insurance struct {
			PolicySource string
			Entries      []struct{ Incident, Status string }
		}
	}
	if err := json.Unmarshal([]byte(js.DueCareReport.Document), &parsed); err != nil {
		t.Fatalf("JSON report: %v", err)
	}
	if parsed.Analysis.ID != analysis || len(parsed.Guidelines) != 2 || parsed.Guidelines[0].Summary.Covered != 1 ||
		len(parsed.Measures) != 2 || parsed.Measures[0].Name != hostile || parsed.Measures[0].Status != "IMPLEMENTED" || len(parsed.Feedback) != 1 {
		t.Fatalf("JSON report %+v", parsed)
	}
	if ins := parsed.Insurance; ins.PolicySource != "HELD" || len(ins.Entries) != 1 || ins.Entries[0].Status != "RESIDUAL" {
		t.Fatalf("insurance: %+v (no policy: the one assessment stays with the organization)", ins)
	}
	reaches := 0
	for _, c := range parsed.Measures[0].Reaches {
		if c.Guideline == "nist-csf-2.0" && c.Status == "PARTIAL" {
			reaches++
		}
	}
	if reaches != 5 {
		t.Errorf("ac-2's measure reaches %d CSF 2.0 subcategories in the report, want the 5 of the mapping", reaches)
	}

	var cs reportResult
	e.must(t, token, reportQuery, vars("CSV"), &cs)
	rows, err := csv.NewReader(strings.NewReader(cs.DueCareReport.Document)).ReadAll()
	if err != nil {
		t.Fatalf("CSV report: %v", err)
	}
	sections := map[string]int{}
	for _, row := range rows[1:] {
		sections[row[0]]++
	}
	want := len(parsed.Guidelines[0].Clauses) + len(parsed.Guidelines[1].Clauses)
	if rows[0][0] != "section" || sections["coverage"] != want || sections["assessment"] != 1 || sections["feedback"] != 1 || sections["insurance"] != 1 {
		t.Fatalf("CSV sections %v (want %d coverage rows)", sections, want)
	}

	var html reportResult
	e.must(t, token, reportQuery, vars("HTML"), &html)
	h := html.DueCareReport.Document
	if !strings.HasPrefix(h, "<!doctype html>") || strings.Contains(h, "<script>") || !strings.Contains(h, "&lt;script&gt;alert(1)&lt;/script&gt;") ||
		!strings.Contains(h, `class="PARTIAL"`) {
		t.Error("the HTML report must escape hostile text and mark statuses")
	}

	other := e.token(t, e.org(t, "stranger", "home"), model.RoleAnalyst)
	if r := e.do(t, other, reportQuery, vars("MARKDOWN")); r.code() != "NOT_FOUND" {
		t.Fatalf("another organization's private analysis: %s %+v", r.code(), r.Errors)
	}
	for _, g := range [][]string{{}, {"nist-csf-2.0", "nist-csf-2.0"}} {
		if r := e.do(t, token, reportQuery, map[string]any{"a": analysis, "g": g, "f": "JSON"}); r.code() != "BAD_USER_INPUT" {
			t.Fatalf("guidelineIds %v: %s %+v", g, r.code(), r.Errors)
		}
	}
	if r := e.do(t, token, reportQuery, map[string]any{"a": analysis, "g": []string{e.p + "nope"}, "f": "JSON"}); r.code() != "NOT_FOUND" {
		t.Fatalf("unknown guideline: %s %+v", r.code(), r.Errors)
	}
}
