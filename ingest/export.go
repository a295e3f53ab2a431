package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Export formats of MarshalDocument.
const (
	ExportYAML = "yaml"
	ExportJSON = "json"
)

// MarshalDocument writes doc as a native analysis document in format
// (ExportYAML, the default when format is empty, or ExportJSON). The output
// is deterministic: every list of nodes is sorted by id (assessments by
// incident id, treatments by measure id, clause links and not-applicable
// marks by clause id, as the API orders them), every list of ids is sorted, fields come in a fixed
// order, and empty optional fields are left out. ParseDocument reads the
// output back into an equal Document, so export → ingest → export gives the
// same bytes. doc is not changed.
func MarshalDocument(doc *Document, format string) ([]byte, error) {
	if doc == nil {
		return nil, fmt.Errorf("ingest.MarshalDocument: no document")
	}
	root := documentTree(doc)
	var buf bytes.Buffer
	switch format {
	case "", ExportYAML:
		buf.WriteString("# ssfgraph native analysis document; schema: ingest/native_schema.json, format: docs/native-format.md\n")
		emitYAMLMap(&buf, root, 0)
	case ExportJSON:
		emitJSON(&buf, root, 0)
		buf.WriteByte('\n')
	default:
		return nil, fmt.Errorf("ingest.MarshalDocument: unknown format %q (want %s or %s)", format, ExportYAML, ExportJSON)
	}
	return buf.Bytes(), nil
}

// ---------------------------------------------------------------- the ordered tree

// enode is one value of the document to write: an ordered mapping, a list
// or a scalar.
type enode struct {
	keys  []string
	vals  []*enode
	items []*enode
	isMap bool
	isSeq bool
	val   any // string, int, float64 or bool for scalars
}

func emap() *enode { return &enode{isMap: true} }

// set appends key with v; a nil v is left out.
func (n *enode) set(key string, v *enode) *enode {
	if v != nil {
		n.keys, n.vals = append(n.keys, key), append(n.vals, v)
	}
	return n
}

func estr(s string) *enode { return &enode{val: s} }

// eopt is estr, or nil (left out) for "".
func eopt(s string) *enode {
	if s == "" {
		return nil
	}
	return estr(s)
}

func eint(i int) *enode { return &enode{val: i} }

func efloat(f float64) *enode { return &enode{val: f} }

// eids is a sorted list of ids, or nil (left out) when empty.
func eids(ids []string) *enode {
	if len(ids) == 0 {
		return nil
	}
	s := slices.Clone(ids)
	slices.Sort(s)
	s = slices.Compact(s)
	n := &enode{isSeq: true}
	for _, id := range s {
		n.items = append(n.items, estr(id))
	}
	return n
}

// elist is a list of the given nodes, or nil when empty.
func elist(items []*enode) *enode {
	if len(items) == 0 {
		return nil
	}
	return &enode{isSeq: true, items: items}
}

// exportSorted returns a sorted copy of s, ordered by key.
func exportSorted[T any](s []T, key func(T) string) []T {
	out := slices.Clone(s)
	slices.SortStableFunc(out, func(a, b T) int { return strings.Compare(key(a), key(b)) })
	return out
}

// documentTree lays doc out in the order the format documents.
func documentTree(doc *Document) *enode {
	root := emap()
	root.set("apiVersion", estr(cisoFirst(doc.APIVersion, NativeAPIVersion)))
	root.set("kind", estr(cisoFirst(doc.Kind, NativeKind)))

	o := emap().set("id", estr(doc.Organization.ID)).set("name", estr(doc.Organization.Name)).set("sector", estr(doc.Organization.Sector))
	var depts []*enode
	for _, d := range exportSorted(doc.Organization.Departments, func(d DocDepartment) string { return d.ID }) {
		depts = append(depts, emap().set("id", estr(d.ID)).set("name", estr(d.Name)))
	}
	root.set("organization", o.set("departments", elist(depts)))

	t := doc.Target
	tn := emap().set("id", estr(t.ID)).set("name", estr(t.Name)).set("sector", estr(t.Sector)).set("description", eopt(t.Description))
	var assets, incidents []*enode
	for _, x := range exportSorted(t.Assets, func(x DocAsset) string { return x.ID }) {
		assets = append(assets, emap().set("id", estr(x.ID)).set("name", estr(x.Name)).set("kind", estr(x.Kind)).
			set("description", eopt(x.Description)).set("connectsTo", eids(x.ConnectsTo)))
	}
	for _, x := range exportSorted(t.Incidents, func(x DocIncident) string { return x.ID }) {
		incidents = append(incidents, emap().set("id", estr(x.ID)).set("name", estr(x.Name)).set("consequence", estr(x.Consequence)).
			set("description", eopt(x.Description)))
	}
	root.set("target", tn.set("assets", elist(assets)).set("incidents", elist(incidents)))

	a := doc.Analysis
	an := emap().set("id", estr(a.ID)).set("title", estr(a.Title)).set("status", eopt(a.Status))
	if a.Version > 0 {
		an.set("version", eint(a.Version))
	}
	an.set("visibility", eopt(a.Visibility)).set("sharedWithOrganizationIds", eids(a.SharedWithOrganizationIDs)).
		set("sharedWithSectors", eids(a.SharedWithSectors)).set("policies", eids(a.Policies))
	for _, t := range []struct {
		key string
		at  *time.Time
	}{{"createdAt", a.CreatedAt}, {"updatedAt", a.UpdatedAt}, {"submittedAt", a.SubmittedAt}} {
		if t.at != nil {
			an.set(t.key, estr(t.at.UTC().Format(time.RFC3339Nano)))
		}
	}
	var assessments []*enode
	for _, s := range exportSorted(a.Assessments, func(s DocAssessment) string { return s.Incident + "\x00" + s.ID }) {
		sn := emap().set("id", eopt(s.ID)).set("incident", estr(s.Incident)).set("axis1", eint(s.Axis1)).set("axis2", eint(s.Axis2))
		if s.Category != nil {
			sn.set("category", eint(*s.Category))
		}
		if s.EstimatedLossJPY != nil {
			sn.set("estimatedLossJPY", efloat(*s.EstimatedLossJPY))
		}
		sn.set("rationale", eopt(s.Rationale)).set("ownerDepartment", eopt(s.OwnerDepartment)).
			set("threats", eids(s.Threats)).set("assets", eids(s.Assets))
		var trs []*enode
		for _, tr := range exportSorted(s.Treatments, func(tr DocTreatment) string { return tr.Measure + "\x00" + tr.ID }) {
			trs = append(trs, emap().set("id", eopt(tr.ID)).set("measure", estr(tr.Measure)).set("status", estr(tr.Status)).
				set("perspective", eopt(tr.Perspective)))
		}
		assessments = append(assessments, sn.set("treatments", elist(trs)))
	}
	var marks []*enode
	for _, na := range exportSorted(a.NotApplicable, func(na DocNotApplicable) string { return na.Clause }) {
		marks = append(marks, emap().set("clause", estr(na.Clause)).set("reason", estr(na.Reason)))
	}
	root.set("analysis", an.set("assessments", elist(assessments)).set("notApplicable", elist(marks)))

	var threats []*enode
	for _, x := range exportSorted(doc.Threats, func(x DocThreat) string { return x.ID }) {
		threats = append(threats, emap().set("id", estr(x.ID)).set("name", estr(x.Name)).set("kind", estr(x.Kind)).
			set("description", eopt(x.Description)).set("externalId", eopt(x.ExternalID)).set("source", eopt(x.Source)))
	}
	root.set("threats", elist(threats))

	var measures []*enode
	for _, m := range exportSorted(doc.Measures, func(m DocMeasure) string { return m.ID }) {
		mn := emap().set("id", estr(m.ID)).set("name", estr(m.Name)).set("perspective", estr(m.Perspective)).set("kind", estr(m.Kind)).
			set("description", eopt(m.Description)).set("externalId", eopt(m.ExternalID)).set("source", eopt(m.Source))
		var links []*enode
		for _, l := range exportSorted(m.Clauses, func(l DocClauseLink) string { return l.Clause }) {
			ln := emap().set("clause", estr(l.Clause)).set("relationship", eopt(l.Relationship))
			if l.Coverage != nil {
				ln.set("coverage", efloat(*l.Coverage))
			}
			if l.Rationale != nil {
				ln.set("rationale", estr(*l.Rationale))
			}
			links = append(links, ln)
		}
		measures = append(measures, mn.set("clauses", elist(links)))
	}
	root.set("measures", elist(measures))

	var policies []*enode
	for _, p := range exportSorted(doc.Policies, func(p DocPolicy) string { return p.ID }) {
		pn := emap().set("id", estr(p.ID)).set("insurer", estr(p.Insurer)).set("holderId", eopt(p.HolderID)).set("product", estr(p.Product)).
			set("periodStart", estr(p.PeriodStart)).set("periodEnd", estr(p.PeriodEnd)).set("aggregateLimitJPY", efloat(p.AggregateLimitJPY)).
			set("visibility", eopt(p.Visibility)).set("sharedWithOrganizationIds", eids(p.SharedWithOrganizationIDs)).set("sharedWithSectors", eids(p.SharedWithSectors))
		var lines []*enode
		for _, l := range exportSorted(p.Lines, func(l DocCoverageLine) string { return l.ID }) {
			ln := emap().set("id", estr(l.ID)).set("type", estr(l.Type)).set("limitJPY", efloat(l.LimitJPY)).set("deductibleJPY", efloat(l.DeductibleJPY))
			var excl []*enode
			for _, e := range l.Exclusions {
				excl = append(excl, estr(e))
			}
			ln.set("exclusions", elist(excl)).set("coversIncidentIds", eids(l.CoversIncidentIDs)).set("coversThreatIds", eids(l.CoversThreatIDs)).
				set("requiresMeasureIds", eids(l.RequiresMeasureIDs)).set("requiresClauseIds", eids(l.RequiresClauseIDs))
			lines = append(lines, ln)
		}
		policies = append(policies, pn.set("lines", elist(lines)))
	}
	root.set("policies", elist(policies))
	return root
}

// ---------------------------------------------------------------- YAML

// exportIndent is the indentation of one nesting level.
const exportIndent = "  "

// exportFlowWidth is the longest flow-style list ([a, b]) written on one line.
const exportFlowWidth = 100

// emitYAMLMap writes the pairs of a mapping at the given indentation.
func emitYAMLMap(buf *bytes.Buffer, n *enode, indent int) {
	pad := strings.Repeat(exportIndent, indent)
	for i, k := range n.keys {
		if i > 0 || indent > 0 {
			buf.WriteString(pad)
		}
		emitYAMLPair(buf, k, n.vals[i], indent)
	}
}

// emitYAMLPair writes "key: value" and the value's block, if any, at the
// given indentation (the key itself is already indented).
func emitYAMLPair(buf *bytes.Buffer, key string, v *enode, indent int) {
	buf.WriteString(key)
	buf.WriteByte(':')
	switch {
	case v.isMap:
		buf.WriteByte('\n')
		emitYAMLMap(buf, v, indent+1)
	case v.isSeq:
		if flow, ok := exportFlowList(v); ok && len(key)+len(flow)+2*indent+2 <= exportFlowWidth {
			buf.WriteByte(' ')
			buf.WriteString(flow)
			buf.WriteByte('\n')
			return
		}
		buf.WriteByte('\n')
		emitYAMLList(buf, v, indent+1)
	default:
		buf.WriteByte(' ')
		emitYAMLScalar(buf, v.val, indent+1)
	}
}

// emitYAMLList writes the items of a list in block style.
func emitYAMLList(buf *bytes.Buffer, n *enode, indent int) {
	pad := strings.Repeat(exportIndent, indent)
	for _, it := range n.items {
		buf.WriteString(pad)
		buf.WriteString("- ")
		switch {
		case it.isMap:
			for i, k := range it.keys {
				if i > 0 {
					buf.WriteString(pad + exportIndent)
				}
				emitYAMLPair(buf, k, it.vals[i], indent+1)
			}
		case it.isSeq:
			buf.WriteByte('\n')
			emitYAMLList(buf, it, indent+1)
		default:
			emitYAMLScalar(buf, it.val, indent+1)
		}
	}
}

// exportFlowList returns a list of plain, space-free strings (ids, codes) in
// flow style, and whether every item could be written so.
func exportFlowList(n *enode) (string, bool) {
	parts := make([]string, 0, len(n.items))
	for _, it := range n.items {
		s, ok := it.val.(string)
		if !ok || !exportPlain(s, true) || strings.ContainsRune(s, ' ') {
			return "", false
		}
		parts = append(parts, s)
	}
	return "[" + strings.Join(parts, ", ") + "]", true
}

// emitYAMLScalar writes a scalar and the end of its line; a multi-line
// string becomes a literal block indented at indent.
func emitYAMLScalar(buf *bytes.Buffer, v any, indent int) {
	switch x := v.(type) {
	case int:
		buf.WriteString(strconv.Itoa(x))
	case float64:
		buf.WriteString(exportNumber(x))
	case bool:
		buf.WriteString(strconv.FormatBool(x))
	case string:
		switch {
		case exportPlain(x, false):
			buf.WriteString(x)
		case exportLiteral(x):
			chomp := "-"
			body := strings.TrimSuffix(x, "\n")
			if body != x {
				chomp = ""
			}
			buf.WriteString("|" + chomp + "\n")
			pad := strings.Repeat(exportIndent, indent)
			for _, line := range strings.Split(body, "\n") {
				if line != "" {
					buf.WriteString(pad)
					buf.WriteString(line)
				}
				buf.WriteByte('\n')
			}
			return
		default:
			buf.WriteString(exportQuote(x))
		}
	}
	buf.WriteByte('\n')
}

// exportNumber writes a float the way both YAML and JSON read back as the
// same float64: whole numbers below 1e15 and other numbers from 1e-6 to
// 1e15 in decimal notation, the rest in exponent notation.
func exportNumber(f float64) string {
	a := math.Abs(f)
	if a == 0 || (a >= 1e-6 && a < 1e15) {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	if mant, exp, _ := strings.Cut(e, "e"); !strings.Contains(mant, ".") {
		e = mant + ".0e" + exp // 1.0e-07: YAML 1.1 readers take 1e-07 for a string
	}
	return e
}

// exportReserved are plain scalars that YAML 1.1 or 1.2 reads as something
// other than a string.
var exportReserved = map[string]bool{
	"true": true, "false": true, "yes": true, "no": true, "on": true, "off": true, "y": true, "n": true,
	"null": true, "~": true, ".inf": true, "-.inf": true, "+.inf": true, ".nan": true,
}

// exportPlain reports whether s can be written unquoted and read back as the
// same string: a conservative subset of YAML's plain scalars. inFlow also
// excludes the characters that end a scalar inside [ ].
func exportPlain(s string, inFlow bool) bool {
	if s == "" || s != strings.TrimSpace(s) || exportReserved[strings.ToLower(s)] {
		return false
	}
	if strings.ContainsAny(s[:1], "-?:,[]{}#&*!|>'\"%@`+.0123456789 ") {
		return false
	}
	if strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.HasSuffix(s, ":") {
		return false
	}
	if inFlow && strings.ContainsAny(s, ",[]{}#") {
		return false
	}
	for _, r := range s {
		if r == utf8.RuneError || r < ' ' || r == 0x7f || !strconv.IsPrint(r) {
			return false
		}
	}
	return true
}

// exportLiteral reports whether a multi-line s can be written as a literal
// block and read back unchanged: printable lines without tabs or trailing
// blanks, not starting with a blank, at most one final newline.
func exportLiteral(s string) bool {
	if !strings.Contains(strings.TrimSuffix(s, "\n"), "\n") || strings.HasSuffix(s, "\n\n") || strings.HasPrefix(s, "\n") {
		return false
	}
	for _, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if line != strings.TrimRight(line, " ") || strings.HasPrefix(line, " ") {
			return false
		}
		for _, r := range line {
			if r == utf8.RuneError || r < ' ' || r == 0x7f || !strconv.IsPrint(r) {
				return false
			}
		}
	}
	return true
}

// exportQuote writes s as a double-quoted YAML scalar, escaping what is not
// printable.
func exportQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < ' ' || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case !strconv.IsPrint(r) && r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		case !strconv.IsPrint(r):
			fmt.Fprintf(&b, `\U%08x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// ---------------------------------------------------------------- JSON

// emitJSON writes n as indented JSON.
func emitJSON(buf *bytes.Buffer, n *enode, indent int) {
	pad := strings.Repeat("  ", indent+1)
	switch {
	case n.isMap:
		buf.WriteString("{\n")
		for i, k := range n.keys {
			buf.WriteString(pad)
			buf.WriteString(exportJSONString(k))
			buf.WriteString(": ")
			emitJSON(buf, n.vals[i], indent+1)
			if i < len(n.keys)-1 {
				buf.WriteByte(',')
			}
			buf.WriteByte('\n')
		}
		buf.WriteString(strings.Repeat("  ", indent) + "}")
	case n.isSeq:
		buf.WriteString("[\n")
		for i, it := range n.items {
			buf.WriteString(pad)
			emitJSON(buf, it, indent+1)
			if i < len(n.items)-1 {
				buf.WriteByte(',')
			}
			buf.WriteByte('\n')
		}
		buf.WriteString(strings.Repeat("  ", indent) + "]")
	default:
		switch x := n.val.(type) {
		case int:
			buf.WriteString(strconv.Itoa(x))
		case float64:
			buf.WriteString(exportNumber(x))
		case bool:
			buf.WriteString(strconv.FormatBool(x))
		case string:
			buf.WriteString(exportJSONString(x))
		}
	}
}

// exportJSONString encodes s as a JSON string without HTML escaping.
func exportJSONString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}
