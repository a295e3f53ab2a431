package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/ssfgraph/ssfgraph/internal/numfmt"
)

// Format is a rendering of the report.
type Format string

// The formats.
const (
	Markdown Format = "md"
	JSON     Format = "json"
	CSV      Format = "csv"
	HTML     Format = "html"
)

// Formats lists the formats, for usage messages.
var Formats = []Format{Markdown, JSON, CSV, HTML}

// ParseFormat reads a format name (md, markdown, json, csv, html), any case.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "md", "markdown":
		return Markdown, nil
	case "json":
		return JSON, nil
	case "csv":
		return CSV, nil
	case "html":
		return HTML, nil
	}
	return "", fmt.Errorf("unknown report format %q (want md, json, csv or html)", s)
}

// Render writes the report in format f.
func (r *Report) Render(w io.Writer, f Format) error {
	switch f {
	case Markdown:
		return r.markdown(w)
	case JSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(r)
	case CSV:
		return r.csv(w)
	case HTML:
		return htmlReport.Execute(w, r)
	}
	return fmt.Errorf("unknown report format %q", f)
}

// Bytes renders the report in format f.
func (r *Report) Bytes(f Format) ([]byte, error) {
	var buf bytes.Buffer
	err := r.Render(&buf, f)
	return buf.Bytes(), err
}

// md escapes text for a Markdown table cell or line: characters Markdown
// would read as markup are backslash-escaped and line breaks become
// spaces, so that hostile text cannot break the table or inject links.
func md(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '|', '#', '!', '(', ')', '{', '}', '~':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func yen(v *float64) string {
	if v == nil {
		return "—"
	}
	return "¥" + numfmt.Group(strconv.FormatFloat(*v, 'f', 0, 64))
}

func intOr(p *int, none string) string {
	if p == nil {
		return none
	}
	return strconv.Itoa(*p)
}

func pct(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) + "%" }

func when(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return t.UTC().Format(time.RFC3339)
}

// route is a path written as its clause refs: "measure → AC-2 → PR.AA-01".
func (r *Report) route(c ClauseLine) string {
	if len(c.Path) == 0 {
		return ""
	}
	parts := []string{c.Path[0].From}
	for _, s := range c.Path {
		to := r.refs[s.To].ref
		if to == "" {
			to = s.To
		}
		if s.Kind == "JOINT" {
			to = "{" + strings.Join(s.Members, ", ") + "} ⇒ " + to
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", to, strings.ToLower(strings.ReplaceAll(s.Relationship, "_", "-"))))
	}
	return strings.Join(parts, " → ")
}

func (r *Report) markdown(w io.Writer) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	a := r.Analysis
	p("# Due-care report: %s\n\n", md(a.Title))
	p("- Generated: %s (paths of at most %d mappings)\n", r.GeneratedAt.Format(time.RFC3339), r.MaxHops)
	p("- Analysis: `%s`, version %d, %s, %s (created %s, submitted %s)\n", a.ID, a.Version, a.Status, a.Visibility, when(a.CreatedAt), when(a.SubmittedAt))
	p("- Organization: %s (`%s`, sector %s)\n", md(r.Organization.Name), r.Organization.ID, md(r.Organization.Sector))
	p("- Target: %s (`%s`, sector %s)\n\n", md(r.Target.Name), r.Target.ID, md(r.Target.Sector))

	p("## Scales in force\n\n| axis | version | name | confirmed | levels |\n|---|---|---|---|---|\n")
	for _, s := range r.Scales {
		var levels []string
		for _, l := range s.Levels {
			levels = append(levels, fmt.Sprintf("%d %s / %s", l.Rank, md(l.LabelEn), md(l.LabelJa)))
		}
		p("| %d | %s | %s | %t | %s |\n", s.Axis, md(s.Version), md(s.Name), s.Confirmed, strings.Join(levels, "; "))
	}

	p("\n## Assessments\n\n| incident | axis 1 | axis 2 | category | estimated loss | owner department | measures (status) | rationale |\n|---|---|---|---|---|---|---|---|\n")
	for _, as := range r.Assessments {
		var ms []string
		for _, t := range as.Treatments {
			ms = append(ms, fmt.Sprintf("%s (%s, %s)", t.Measure, t.Status, t.Perspective))
		}
		p("| %s (`%s`) | %d | %d | %s | %s | %s | %s | %s |\n", md(as.IncidentName), as.Incident, as.Axis1, as.Axis2, intOr(as.Category, "—"),
			yen(as.EstimatedLossJPY), md(as.OwnerDepartment), md(strings.Join(ms, "; ")), md(as.Rationale))
	}

	p("\n## Measures and the clauses they satisfy\n")
	for _, m := range r.Measures {
		p("\n### %s (`%s`)\n\n%s, %s, %s\n\n", md(m.Name), m.ID, m.Perspective, md(m.Kind), statusOr(m.Status))
		for _, c := range m.Direct {
			cov := ""
			if c.Coverage != nil {
				cov = ", coverage " + strconv.FormatFloat(*c.Coverage, 'f', 2, 64)
			}
			p("- satisfies %s (`%s`): %s%s\n", md(c.Ref), c.Clause, c.Relationship, cov)
		}
		for _, c := range m.Reaches {
			how := "directly"
			if c.Hops > 0 {
				how = fmt.Sprintf("through %d mapping(s)", c.Hops)
			}
			p("- %s %s of `%s` %s (%s)\n", c.Status, md(c.Ref), c.Guideline, how, c.Relationship)
		}
	}

	for _, g := range r.Guidelines {
		s := g.Summary
		p("\n## Coverage: %s %s (`%s`)\n\n", md(g.Title), md(g.Version), g.ID)
		p("%d clauses counted, %d applicable: %d covered (%s), %d partial, %d planned, %d gaps, %d not applicable; score %.3f.\n\n",
			s.Clauses, s.Applicable, s.Covered, pct(s.CoveredPercent), s.Partial, s.Planned, s.Gaps, s.NotApplicable, s.Score)
		p("| family | clauses | covered | partial | planned | gaps | not applicable |\n|---|---|---|---|---|---|---|\n")
		for _, f := range g.Families {
			p("| %s %s | %d | %d | %d | %d | %d | %d |\n", md(f.Ref), md(f.Title), f.Summary.Clauses, f.Summary.Covered, f.Summary.Partial, f.Summary.Planned, f.Summary.Gaps, f.Summary.NotApplicable)
		}
		p("\n### Covered, partial and planned clauses\n\n| clause | status | score | path |\n|---|---|---|---|\n")
		for _, c := range g.Clauses {
			if c.Status == "COVERED" || c.Status == "PARTIAL" || c.Status == "PLANNED" {
				p("| %s %s | %s | %.2f | %s |\n", md(c.Ref), md(c.Title), c.Status, c.Score, md(r.route(c)))
			}
		}
		p("\n### Not applicable\n\n")
		na := 0
		for _, c := range g.Clauses {
			if c.Status == "NOT_APPLICABLE" {
				p("- %s %s: %s\n", md(c.Ref), md(c.Title), md(c.Reason))
				na++
			}
		}
		if na == 0 {
			p("None.\n")
		}
		p("\n### Gaps\n\n")
		gaps := 0
		for _, c := range g.Clauses {
			if c.Status == "GAP" {
				p("- %s %s\n", md(c.Ref), md(c.Title))
				gaps++
			}
		}
		if gaps == 0 {
			p("None.\n")
		}
	}

	r.markdownInsurance(p)

	p("\n## Feedback received\n\n")
	if len(r.Feedback) == 0 {
		p("None.\n")
	} else {
		p("| given | kind | status | from (sector) | about | feedback | answer |\n|---|---|---|---|---|---|---|\n")
		for _, f := range r.Feedback {
			about := f.About
			if f.AboutVersion != nil {
				about += " v" + strconv.Itoa(*f.AboutVersion)
			}
			p("| %s | %s | %s | %s (%s) | `%s` | %s | %s |\n", f.CreatedAt.Format(time.RFC3339), f.Kind, f.Status, md(f.Organization), md(f.Sector), about, md(f.Text), md(f.Answer))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func statusOr(s string) string {
	if s == "" {
		return "not applied"
	}
	return s
}

// csvHeader is the header of the CSV rendering: one row per assessment,
// clause of each guideline, insurance entry and feedback, told apart by
// the section column.
var csvHeader = []string{"section", "guideline", "id", "ref", "title", "status", "score", "measure", "relationship", "hops", "path", "detail"}

func (r *Report) csv(w io.Writer) error {
	cw := csv.NewWriter(w)
	rows := [][]string{csvHeader}
	for _, as := range r.Assessments {
		var ms []string
		for _, t := range as.Treatments {
			ms = append(ms, t.Measure+":"+t.Status)
		}
		rows = append(rows, []string{"assessment", "", as.Incident, "", cell(as.IncidentName), intOr(as.Category, ""), "", strings.Join(ms, ";"), "", "", "",
			cell(fmt.Sprintf("axis1=%d axis2=%d loss=%s owner=%s rationale=%s", as.Axis1, as.Axis2, yen(as.EstimatedLossJPY), as.OwnerDepartment, as.Rationale))})
	}
	for _, g := range r.Guidelines {
		for _, c := range g.Clauses {
			rows = append(rows, []string{"coverage", g.ID, c.Clause, cell(c.Ref), cell(c.Title), c.Status, strconv.FormatFloat(c.Score, 'f', 4, 64),
				c.Measure, c.Relationship, strconv.Itoa(c.Hops), cell(r.route(c)), cell(c.Reason)})
		}
	}
	rows = append(rows, r.csvInsurance()...)
	for _, f := range r.Feedback {
		rows = append(rows, []string{"feedback", "", f.ID, "", cell(f.Text), f.Status, "", "", f.Kind, "", f.About,
			cell(fmt.Sprintf("from=%s sector=%s given=%s answer=%s", f.Organization, f.Sector, f.CreatedAt.Format(time.RFC3339), f.Answer))})
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("write the CSV report: %w", err)
	}
	return nil
}

// cell defuses a CSV cell that a spreadsheet would read as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

var htmlReport = template.Must(template.New("report").Funcs(template.FuncMap{
	"yen": yen, "pct": pct, "when": when, "int": func(p *int) string { return intOr(p, "—") },
	"route": func(r *Report, c ClauseLine) string { return r.route(c) }, "statusOr": statusOr,
	"time":  func(t time.Time) string { return t.Format(time.RFC3339) },
	"lower": strings.ToLower,
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Due-care report: {{.Analysis.Title}}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;max-width:80rem;color:#111}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #999;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#eee}.COVERED{background:#d7f0d7}.PARTIAL{background:#fff3c4}.PLANNED{background:#dde8ff}.GAP{background:#f8d3d3}.NOT_APPLICABLE{background:#eee}
</style></head><body>
<h1>Due-care report: {{.Analysis.Title}}</h1>
<ul>
<li>Generated {{time .GeneratedAt}} (paths of at most {{.MaxHops}} mappings)</li>
<li>Analysis <code>{{.Analysis.ID}}</code>, version {{.Analysis.Version}}, {{.Analysis.Status}}, {{.Analysis.Visibility}} (created {{when .Analysis.CreatedAt}}, submitted {{when .Analysis.SubmittedAt}})</li>
<li>Organization {{.Organization.Name}} (<code>{{.Organization.ID}}</code>, sector {{.Organization.Sector}})</li>
<li>Target {{.Target.Name}} (<code>{{.Target.ID}}</code>, sector {{.Target.Sector}})</li>
</ul>
<h2>Scales in force</h2>
<table><tr><th>axis</th><th>version</th><th>name</th><th>confirmed</th><th>levels</th></tr>
{{range .Scales}}<tr><td>{{.Axis}}</td><td>{{.Version}}</td><td>{{.Name}}</td><td>{{.Confirmed}}</td><td>{{range .Levels}}{{.Rank}} {{.LabelEn}} / {{.LabelJa}}<br>{{end}}</td></tr>
{{end}}</table>
<h2>Assessments</h2>
<table><tr><th>incident</th><th>axis 1</th><th>axis 2</th><th>category</th><th>estimated loss</th><th>owner department</th><th>measures</th><th>rationale</th></tr>
{{range .Assessments}}<tr><td>{{.IncidentName}} (<code>{{.Incident}}</code>)</td><td>{{.Axis1}}</td><td>{{.Axis2}}</td><td>{{int .Category}}</td><td>{{yen .EstimatedLossJPY}}</td><td>{{.OwnerDepartment}}</td><td>{{range .Treatments}}{{.Measure}} ({{.Status}}, {{.Perspective}})<br>{{end}}</td><td>{{.Rationale}}</td></tr>
{{end}}</table>
<h2>Measures and the clauses they satisfy</h2>
{{range .Measures}}<h3>{{.Name}} (<code>{{.ID}}</code>)</h3><p>{{.Perspective}}, {{.Kind}}, {{statusOr .Status}}</p><ul>
{{range .Direct}}<li>satisfies {{.Ref}} (<code>{{.Clause}}</code>): {{.Relationship}}</li>{{end}}
{{range .Reaches}}<li>{{.Status}} {{.Ref}} of <code>{{.Guideline}}</code>, {{.Hops}} mapping(s) ({{.Relationship}})</li>{{end}}
</ul>{{end}}
{{$r := .}}{{range .Guidelines}}<h2>Coverage: {{.Title}} {{.Version}} (<code>{{.ID}}</code>)</h2>
<p>{{.Summary.Clauses}} clauses counted, {{.Summary.Applicable}} applicable: {{.Summary.Covered}} covered ({{pct .Summary.CoveredPercent}}), {{.Summary.Partial}} partial, {{.Summary.Planned}} planned, {{.Summary.Gaps}} gaps, {{.Summary.NotApplicable}} not applicable.</p>
<table><tr><th>family</th><th>clauses</th><th>covered</th><th>partial</th><th>planned</th><th>gaps</th><th>not applicable</th></tr>
{{range .Families}}<tr><td>{{.Ref}} {{.Title}}</td><td>{{.Summary.Clauses}}</td><td>{{.Summary.Covered}}</td><td>{{.Summary.Partial}}</td><td>{{.Summary.Planned}}</td><td>{{.Summary.Gaps}}</td><td>{{.Summary.NotApplicable}}</td></tr>
{{end}}</table>
<table><tr><th>clause</th><th>status</th><th>score</th><th>path or reason</th></tr>
{{range .Clauses}}<tr class="{{.Status}}"><td>{{.Ref}} {{.Title}}</td><td>{{.Status}}</td><td>{{printf "%.2f" .Score}}</td><td>{{if .Reason}}{{.Reason}}{{else}}{{route $r .}}{{end}}</td></tr>
{{end}}</table>
{{end}}
{{if .Insurance}}<h2>Insurance (perspective P4)</h2>
<p>Policies ({{.Insurance.PolicySource}}): {{range $i, $p := .Insurance.Policies}}{{if $i}}, {{end}}<code>{{$p}}</code>{{end}}</p>
<table><tr><th>incident</th><th>category</th><th>status</th><th>loss</th><th>paid</th><th>residual</th><th>unmet conditions</th><th>reason</th></tr>
{{range .Insurance.Entries}}<tr><td>{{.IncidentName}} (<code>{{.Incident}}</code>)</td><td>{{.Category}}</td><td>{{.Status}}{{if .Irreversible}} (irreversible){{end}}</td><td>{{yen .LossJPY}}</td><td>{{yen .PaidJPY}}</td><td>{{yen .ResidualJPY}}</td><td>{{range .Unmet}}<code>{{.}}</code> {{end}}</td><td>{{.Reason}}</td></tr>
{{end}}</table>{{end}}
<h2>Feedback received</h2>
{{if .Feedback}}<table><tr><th>given</th><th>kind</th><th>status</th><th>from</th><th>about</th><th>feedback</th><th>answer</th></tr>
{{range .Feedback}}<tr><td>{{time .CreatedAt}}</td><td>{{.Kind}}</td><td>{{.Status}}</td><td>{{.Organization}} ({{.Sector}})</td><td><code>{{.About}}</code></td><td>{{.Text}}</td><td>{{.Answer}}</td></tr>
{{end}}</table>{{else}}<p>None.</p>{{end}}
</body></html>
`))
