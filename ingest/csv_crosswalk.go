package ingest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// csvRow is one record of a CSV file with the line each cell starts on.
type csvRow struct {
	cells []string
	lines []int
}

// cell returns the trimmed cell i, or "" for a column the row lacks (-1,
// a column the header does not have).
func (r csvRow) cell(i int) string {
	if i < 0 || i >= len(r.cells) {
		return ""
	}
	return strings.TrimSpace(r.cells[i])
}

// line returns the line cell i starts on (the row's first line for a
// column the row lacks).
func (r csvRow) line(i int) int {
	if i >= 0 && i < len(r.lines) {
		return r.lines[i]
	}
	if len(r.lines) > 0 {
		return r.lines[0]
	}
	return 0
}

// ParseCSVCrosswalk reads a CSV crosswalk between two catalogs and returns
// its MAPS_TO relationships (Clause → Clause), one per source × target
// pair. Columns are found by their header names, case and '$' signs aside:
//
//   - source ids ("source id", "$$Map_Source_ID_Ref_list", …) and target ids
//     ("target ids", "$$Map_Target_ID_Ref_list", …), required; a cell may
//     list several ids, split on ';', ',' or newlines when it has any, else
//     on spaces (the compliance-trestle "csv-to-mapping" format);
//   - the catalog of each side: a "source resource"/"target resource" (or
//     "… guideline", "… catalog", "… framework") column, else the id
//     column's header (such as "SP 800-53 control"); the catalog is read as
//     for OSCAL mappings ("nist-sp800-53r5", "nist-csf-2.0");
//   - optional "relationship" (OSCAL spelling or the GraphQL enum; when the
//     column is missing or a cell empty, INTERSECTS_WITH is assumed, with a
//     warning), "rationale", "confidence" and "coverage" ("100%", "0.8" or
//     "80").
//
// A trestle file's second row (column descriptions) is skipped, as are rows
// without targets (one counted warning). Ids become clause ids as the
// catalogs spell them (lower case, "AC-2(1)" → "ac-2.1").
//
// The NIST IoT device capability catalog mapping tables (headers
// "Capability", "Sub-Capabilities", "Element/Action", …, "Related … Rev 5
// Controls" or "Related … Cybersecurity Framework Subcategories") are read
// too. Their capabilities have no catalog of their own, so the file itself
// makes them: a Guideline "nist-ir-8259-iot-catalog" with one Clause per
// capability, sub-capability, element and sub-element, numbered by position
// ("nist-ir-8259-iot-catalog:tech-1.2.3" for the third element of the
// second sub-capability of the first technical capability; "nontech-…" for
// the non-technical sheet), so that the 800-53 and the CSF tables of the
// same sheet make the same clauses (element texts are written as sentences,
// since the two tables differ only in some final periods). Empty cells
// below a value are read as that value carried down (merged cells). Each SP 800-53 control of the
// mapping column ("AC-2 ACCOUNT MANAGEMENT (1) … | …" is AC-2(1)) maps to
// "nist-sp800-53r5:ac-2.1"; each CSF subcategory of a CSF 2.0 table (its
// header says 2.0, or its ids are zero-padded: "PR.AA-01") to the CSF 2.0
// catalog, and of a CSF 1.1 table ("PR.AC-1", as NIST's tables are), of
// which there is no OSCAL catalog, to the clauses of the CISO Assistant
// NIST CSF 1.1 library ("ciso:intuitem:risk:req_node:nist-csf-1.1:pr.ac-1").
// The tables state no relationship: INTERSECTS_WITH, with a warning. Cells of the mapping
// column that name no control ("No Mapping") give no pair; text that looks
// like no id is reported in a counted warning.
//
// A CSV crosswalk stays pairwise: a row's several targets make one MAPS_TO
// each, and none of them carries the group of an OSCAL map (group,
// groupSources and groupTargets, see ParseOSCALMapping) — those are set to
// null, so that a pair an OSCAL mapping grouped before carries only what
// this file says.
//
// Errors name the line and the column.
func ParseCSVCrosswalk(name string, data []byte) (*Batch, error) {
	if len(data) > MaxFileBytes {
		return nil, &Error{File: name, Message: fmt.Sprintf("the file has %d bytes; the limit is %d", len(data), MaxFileBytes)}
	}
	data = bytes.TrimPrefix(data, jpBOM)
	if !utf8.Valid(data) {
		return nil, &Error{File: name, Line: csvFirstInvalidLine(data), Message: "the file is not UTF-8 text"}
	}
	rows, err := csvReadAll(name, data)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, &Error{File: name, Line: 1, Message: "the file is empty"}
	}
	header := make([]string, len(rows[0].cells))
	for i, h := range rows[0].cells {
		header[i] = csvHeaderKey(h)
	}
	b := &Batch{Source: name, Format: FormatCSVCrosswalk}
	var perr error
	if csvIsIoT(header) {
		perr = csvIoT(name, rows, header, b)
	} else {
		perr = csvCrosswalk(name, rows, header, b)
	}
	if perr != nil {
		return nil, perr
	}
	if err := jpCheckRecords(name, b); err != nil {
		return nil, err
	}
	return b, nil
}

// csvReadAll reads every record with the lines of its cells. A CSV syntax
// error becomes an *Error with its line, and so does a record with more or
// fewer fields than the header (a row cut short, as in a truncated file,
// or with a comma too many), so that such a file writes nothing. Empty
// lines are skipped, and so are lines of white space only.
func csvReadAll(name string, data []byte) ([]csvRow, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1 // checked below, so that the error can name the header's fields
	var rows []csvRow
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &Error{File: name, Line: pe.Line, Message: fmt.Sprintf("invalid CSV at character %d of the line: %v", pe.Column, pe.Err)}
			}
			return nil, &Error{File: name, Message: "invalid CSV: " + err.Error()}
		}
		if len(rows) > 0 && len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a line of spaces
		}
		lines := make([]int, len(rec))
		for i := range rec {
			lines[i], _ = r.FieldPos(i)
		}
		if len(rows) > 0 && len(rec) != len(rows[0].cells) {
			return nil, &Error{File: name, Line: lines[0], Message: csvFieldCount(rows, len(rec))}
		}
		rows = append(rows, csvRow{cells: rec, lines: lines})
		if len(rows) > MaxRecords {
			return nil, &Error{File: name, Line: lines[0], Message: fmt.Sprintf("the file has more than %d rows", MaxRecords)}
		}
	}
}

// csvFieldsShown is how many of the header's fields a field-count error
// names.
const csvFieldsShown = 8

// csvFieldCount says that a record has n fields where the header (rows[0])
// has another number, naming the header's fields.
func csvFieldCount(rows []csvRow, n int) string {
	want := len(rows[0].cells)
	names := make([]string, 0, csvFieldsShown+1)
	for i := range min(want, csvFieldsShown) {
		names = append(names, ytruncate(csvColumnName(rows, i), 40))
	}
	if want > csvFieldsShown {
		names = append(names, "…")
	}
	fields := "fields"
	if n == 1 {
		fields = "field"
	}
	return fmt.Sprintf("%d %s, want %d like the header (%s): is the file cut short, or is a comma missing or extra?", n, fields, want, strings.Join(names, ", "))
}

// csvFirstInvalidLine is the line of the first byte that is not UTF-8.
func csvFirstInvalidLine(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			return jpLineAt(data, int64(i))
		}
		i += n
	}
	return 0
}

// csvHeaderKey normalises a header cell for matching: lower case, without
// '$' signs, with runs of spaces, underscores and newlines as one space.
func csvHeaderKey(h string) string {
	h = strings.ToLower(strings.ReplaceAll(h, "$", ""))
	h = strings.NewReplacer("_", " ", "\n", " ", "\r", " ", "\t", " ").Replace(h)
	return strings.Join(strings.Fields(h), " ")
}

// csvColumnName is a header cell as an error path shows it.
func csvColumnName(rows []csvRow, i int) string {
	if len(rows) == 0 || i < 0 || i >= len(rows[0].cells) {
		return "column " + strconv.Itoa(i+1)
	}
	h := strings.Join(strings.Fields(rows[0].cells[i]), " ")
	if h == "" {
		return "column " + strconv.Itoa(i+1)
	}
	return h
}

// csvFind returns the first column whose header key satisfies ok, or -1.
func csvFind(header []string, ok func(string) bool) int {
	for i, h := range header {
		if ok(h) {
			return i
		}
	}
	return -1
}

// Words of crosswalk headers: a side's id column names ids, its resource
// column the catalog.
var (
	csvIDWords       = []string{"id", "ids", "ref", "refs", "control", "controls", "requirement", "requirements", "clause", "clauses", "subcategory", "subcategories"}
	csvResourceWords = []string{"resource", "guideline", "catalog", "framework", "standard"}
)

// csvWord reports whether the header key h has one of the words as a word.
func csvWord(h string, words ...string) bool {
	for _, f := range strings.FieldsFunc(h, func(r rune) bool { return strings.ContainsRune(" /-()#:", r) }) {
		for _, w := range words {
			if f == w {
				return true
			}
		}
	}
	return false
}

// csvHas reports whether s contains any of the words.
func csvHas(s string, words ...string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------- crosswalks

// csvCrosswalk reads a plain or trestle-style crosswalk.
func csvCrosswalk(name string, rows []csvRow, header []string, b *Batch) error {
	side := func(sideWords ...string) (ids, res int) {
		ids = csvFind(header, func(h string) bool {
			return csvWord(h, sideWords...) && csvWord(h, csvIDWords...) && !csvWord(h, csvResourceWords...)
		})
		if ids < 0 {
			ids = csvFind(header, func(h string) bool { return csvWord(h, sideWords...) && len(strings.Fields(h)) == 1 })
		}
		res = csvFind(header, func(h string) bool { return csvWord(h, sideWords...) && csvWord(h, csvResourceWords...) })
		return ids, res
	}
	srcCol, srcRes := side("source", "from")
	dstCol, dstRes := side("target", "targets", "to")
	if srcCol < 0 && dstCol < 0 {
		// No side named: the first two columns whose headers name a
		// catalog ("CSF 2.0 subcategory", "SP 800-53 controls") are the
		// source and the target.
		var named []int
		for i, h := range rows[0].cells {
			if jpGuidelineFor(h) != "" {
				named = append(named, i)
			}
		}
		if len(named) >= 2 {
			srcCol, dstCol = named[0], named[1]
		}
	}
	relCol := csvFind(header, func(h string) bool { return strings.Contains(h, "relationship") })
	ratCol := csvFind(header, func(h string) bool { return strings.Contains(h, "rationale") })
	confCol := csvFind(header, func(h string) bool { return strings.Contains(h, "confidence") })
	covCol := csvFind(header, func(h string) bool { return strings.Contains(h, "coverage") })
	switch {
	case srcCol < 0:
		return &Error{File: name, Line: 1, Path: "header", Message: "no column of source ids (a header such as \"source id\" or \"$$Map_Source_ID_Ref_list\")"}
	case dstCol < 0:
		return &Error{File: name, Line: 1, Path: "header", Message: "no column of target ids (a header such as \"target ids\" or \"$$Map_Target_ID_Ref_list\")"}
	}
	// The guideline of a side: from its resource column, else its header.
	headerGuideline := func(col, res int, what string) (string, error) {
		if res >= 0 {
			return "", nil
		}
		if g := jpGuidelineFor(rows[0].cells[col]); g != "" {
			return g, nil
		}
		return "", &Error{File: name, Line: rows[0].line(col), Path: csvColumnName(rows, col),
			Message: fmt.Sprintf("cannot tell which catalog the %s ids belong to: add a %q column or name the catalog (such as \"SP 800-53\" or \"CSF 2.0\") in this header", what, what+" resource")}
	}
	srcFixed, err := headerGuideline(srcCol, srcRes, "source")
	if err != nil {
		return err
	}
	dstFixed, err := headerGuideline(dstCol, dstRes, "target")
	if err != nil {
		return err
	}
	first := 1
	if len(rows) > 1 && strings.HasPrefix(strings.TrimSpace(rows[0].cells[srcCol]), "$") {
		first = 2 // compliance-trestle: row 2 describes the columns
	}
	origin := jpBase(name)
	w := newJPTally()
	seen := map[[2]string]bool{}
	noRel := 0
	for ri := first; ri < len(rows); ri++ {
		row := rows[ri]
		if csvBlank(row) {
			continue
		}
		targets := csvSplit(row.cell(dstCol))
		if len(targets) == 0 {
			w.count("row without targets", "", fmt.Sprintf("line %d", row.line(0)))
			continue
		}
		sources := csvSplit(row.cell(srcCol))
		if len(sources) == 0 {
			return csvErr(name, rows, row, srcCol, "no source id, but targets are given")
		}
		srcG, err := csvRowGuideline(name, rows, row, srcRes, srcFixed)
		if err != nil {
			return err
		}
		dstG, err := csvRowGuideline(name, rows, row, dstRes, dstFixed)
		if err != nil {
			return err
		}
		props := map[string]any{"source": origin}
		rel := ""
		if relCol >= 0 && row.cell(relCol) != "" {
			r, ok := oscalRelationship(row.cell(relCol))
			if !ok {
				return csvErr(name, rows, row, relCol, "unknown relationship %s (want equivalent-to, equal-to, subset-of, superset-of, intersects-with or no-relationship)", jpShort(row.cell(relCol), 40))
			}
			rel = r
		}
		if rel == "" {
			rel = "INTERSECTS_WITH"
			noRel++
		}
		props["relationship"] = rel
		if ratCol >= 0 && row.cell(ratCol) != "" {
			r, ok := oscalRationale(row.cell(ratCol))
			if !ok {
				return csvErr(name, rows, row, ratCol, "unknown rationale %s (want syntactic, semantic or functional)", jpShort(row.cell(ratCol), 40))
			}
			props["rationale"] = r
		}
		for _, c := range []struct {
			col int
			key string
		}{{confCol, "confidence"}, {covCol, "coverage"}} {
			if c.col < 0 || row.cell(c.col) == "" {
				continue
			}
			f, ok := jpFractionText(row.cell(c.col))
			if !ok {
				return csvErr(name, rows, row, c.col, "%s %s is not a percent (\"80%%\") or a fraction from 0 to 1", c.key, jpShort(row.cell(c.col), 20))
			}
			props[c.key] = f
		}
		hint := jpGuidelineName(srcG) + " and " + jpGuidelineName(dstG)
		if srcG == dstG {
			hint = jpGuidelineName(srcG)
		}
		var froms []string
		for _, s := range sources {
			ref, ok := jpControlRef(s)
			if !ok || !jpValidID(srcG+":"+ref) {
				return csvErr(name, rows, row, srcCol, "%s is not a control id", jpShort(s, 40))
			}
			froms = append(froms, srcG+":"+ref)
		}
		where := fmt.Sprintf("line %d, column %s", row.line(dstCol), csvColumnName(rows, dstCol))
		for ti, t := range targets {
			ref, ok := jpControlRef(t)
			if !ok || !jpValidID(dstG+":"+ref) {
				return csvErr(name, rows, row, dstCol, "%s is not a control id", jpShort(t, 40))
			}
			to := dstG + ":" + ref
			at := fmt.Sprintf("%s [%d]", where, ti)
			for _, from := range froms {
				csvAddPair(b, w, seen, from, to, props, at, hint)
			}
		}
	}
	if noRel > 0 {
		what := "has no relationship column"
		if relCol >= 0 {
			what = "leaves the relationship empty on some rows"
		}
		b.Warnings = append(b.Warnings, Warning{Location: "header", Message: fmt.Sprintf("the file %s: INTERSECTS_WITH assumed for the mappings of %d row(s)", what, noRel)})
	}
	b.Warnings = append(b.Warnings, w.warnings(csvWords)...)
	return nil
}

// csvAddPair appends one MAPS_TO, unless it maps a clause to itself or
// repeats an earlier pair (both counted in w).
func csvAddPair(b *Batch, w *jpTally, seen map[[2]string]bool, from, to string, props map[string]any, where, hint string) {
	switch {
	case from == to:
		w.count("pair of a clause with itself", "", where)
	case seen[[2]string{from, to}]:
		w.count("repeated pair", "", where)
	default:
		seen[[2]string{from, to}] = true
		b.Rels = append(b.Rels, Rel{Type: model.RelMapsTo, FromLabel: model.LabelClause, From: from, ToLabel: model.LabelClause, To: to,
			Props: pairwise(mapsToProps(props)), Where: where, Hint: hint})
	}
}

// csvWords words the counted warnings of the CSV transforms.
func csvWords(what, typ string, n int) string {
	switch what {
	case "row without targets":
		return fmt.Sprintf("%d row(s) without targets skipped", n)
	case "no mapping":
		return fmt.Sprintf("%d row(s) map to nothing (an empty cell, \"No Mapping\" or no id found)", n)
	case "unrecognised":
		return fmt.Sprintf("%d piece(s) of the mapping column name no control or subcategory id and were skipped: %s", n, jpShort(typ, 80))
	}
	return mappingWords(what, typ, n)
}

// csvRowGuideline returns the guideline of one side of a row: from its
// resource cell, else the one the header names.
func csvRowGuideline(name string, rows []csvRow, row csvRow, res int, fixed string) (string, error) {
	if res < 0 {
		return fixed, nil
	}
	v := row.cell(res)
	if v == "" {
		return "", csvErr(name, rows, row, res, "no catalog named")
	}
	if g := jpGuidelineFor(v); g != "" {
		return g, nil
	}
	return "", csvErr(name, rows, row, res, "cannot tell which catalog %s is; known: NIST SP 800-53 Rev. 5 (%s), CSF 2.0 (%s)", jpShort(v, 80), jpGuidelineSP80053r5, jpGuidelineCSF20)
}

// csvErr returns an *Error about one cell.
func csvErr(name string, rows []csvRow, row csvRow, col int, format string, args ...any) *Error {
	return &Error{File: name, Line: row.line(col), Path: csvColumnName(rows, col), Message: fmt.Sprintf(format, args...)}
}

// csvBlank reports whether every cell of a row is empty.
func csvBlank(r csvRow) bool {
	for _, c := range r.cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// csvSplit splits a cell listing ids: on ';', ',' and newlines when it has
// any, else on spaces.
func csvSplit(s string) []string {
	var parts []string
	if strings.ContainsAny(s, ";,\n") {
		parts = strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == '\n' || r == '\r' })
	} else {
		parts = strings.Fields(s)
	}
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ---------------------------------------------------------------- IoT catalog tables

// csvIsIoT reports whether a header is that of a NIST IoT device capability
// catalog mapping table.
func csvIsIoT(header []string) bool {
	return csvFind(header, func(h string) bool { return strings.HasSuffix(h, "capability") }) >= 0 &&
		csvFind(header, func(h string) bool { return strings.HasPrefix(h, "related") }) >= 0
}

// csvIoTLevel is one level of the capability hierarchy of an IoT table.
type csvIoTLevel struct {
	col     int    // column, or -1 when the sheet has no such level
	kind    string // clause kind
	ordinal int    // position among the siblings of the current parent
	id      string // current clause id, "" when none yet
	node    int    // index of the current clause in Batch.Nodes
}

// Patterns of the mapping column of the IoT tables.
var (
	csvSP80053Line = regexp.MustCompile(`^([A-Za-z]{2})-(\d+)\s*(?:\(\s*(\d+)\s*\))?(.*)$`)
	csvSP80053Enh  = regexp.MustCompile(`\(\s*(\d+)\s*\)[^|]*\|`)
	csvCSFID       = regexp.MustCompile(`^([A-Za-z]{2})\.([A-Za-z]{2})-(\d+)$`)
)

// csvCISOCSF11 is the clause id prefix of the CISO Assistant NIST CSF 1.1
// library's requirement nodes (see ciso.go).
const csvCISOCSF11 = "ciso:intuitem:risk:req_node:nist-csf-1.1:"

// csvIoT reads an IoT capability catalog mapping table.
func csvIoT(name string, rows []csvRow, header []string, b *Batch) error {
	capCol := csvFind(header, func(h string) bool { return strings.HasSuffix(h, "capability") })
	sheet := "iot"
	switch {
	case strings.Contains(header[capCol], "non-technical") || strings.Contains(header[capCol], "non technical"):
		sheet = "nontech"
	case strings.Contains(header[capCol], "technical"):
		sheet = "tech"
	}
	levels := []*csvIoTLevel{
		{col: capCol, kind: "capability"},
		{col: csvFind(header, func(h string) bool { return csvHas(h, "sub-capabilit", "sub capabilit") }), kind: "sub-capability"},
		{col: csvFind(header, func(h string) bool { return csvHas(h, "element") && !csvHas(h, "sub-element", "sub element") }), kind: "element"},
		{col: csvFind(header, func(h string) bool { return csvHas(h, "sub-element", "sub element") }), kind: "sub-element"},
	}
	descCol := csvFind(header, func(h string) bool { return strings.Contains(h, "separates out") })
	mapCol := csvFind(header, func(h string) bool { return strings.HasPrefix(h, "related") })
	if levels[2].col < 0 {
		return &Error{File: name, Line: 1, Path: "header", Message: "an IoT capability table needs an \"Element/Action\" column"}
	}
	var target string // "800-53", "csf-1.1" or "csf-2.0"
	switch h := header[mapCol]; {
	case csvHas(h, "800-53", "rev 5 controls", "controls identified"):
		target = "800-53"
	case csvHas(h, "cybersecurity framework", "csf"):
		target = csvCSFVersion(h, rows[1:], mapCol)
	default:
		return &Error{File: name, Line: rows[0].line(mapCol), Path: csvColumnName(rows, mapCol), Message: "cannot tell which catalog this column names: expected SP 800-53 controls or Cybersecurity Framework subcategories"}
	}
	b.Nodes = append(b.Nodes, Node{Label: model.LabelGuideline, ID: jpGuidelineIoT, Props: map[string]any{
		"title":     "NIST IoT Device Cybersecurity Capability Catalog (NISTIR 8259 series), as listed in NIST's mapping tables",
		"publisher": "NIST",
		"version":   "draft (2021-04)",
		"source":    "usnistgov/IoT-Device-Cybersecurity-Requirement-Catalogs",
	}})
	prefix := map[string]string{"tech": "T-", "nontech": "NT-", "iot": ""}[sheet]
	origin := jpBase(name)
	w := newJPTally()
	seen := map[[2]string]bool{}
	pairs := 0
	for ri := 1; ri < len(rows); ri++ {
		row := rows[ri]
		if csvBlank(row) {
			continue
		}
		rowClause := ""
		for li, lv := range levels {
			if lv.col < 0 || row.cell(lv.col) == "" {
				continue
			}
			lv.ordinal++
			var ords []string
			parent := ""
			for _, up := range levels[:li] {
				if up.col < 0 {
					continue
				}
				ords = append(ords, strconv.Itoa(up.ordinal))
				if up.id != "" && up.ordinal > 0 {
					parent = up.id
				}
			}
			ords = append(ords, strconv.Itoa(lv.ordinal))
			for _, down := range levels[li+1:] {
				down.ordinal, down.id = 0, ""
			}
			pos := strings.Join(ords, ".")
			lv.id = jpGuidelineIoT + ":" + sheet + "-" + pos
			lv.node = len(b.Nodes)
			text := csvCellText(row.cells[lv.col])
			if lv.kind == "element" || lv.kind == "sub-element" {
				text = csvSentences(text)
			}
			if lv.kind == "sub-capability" && descCol >= 0 {
				if d := csvCellText(row.cell(descCol)); d != "" {
					text = strings.TrimSpace(text + "\n" + d)
				}
			}
			props := map[string]any{
				"guidelineId": jpGuidelineIoT,
				"ref":         prefix + pos,
				"title":       csvTitle(text),
				"text":        text,
				"withdrawn":   false,
				"kind":        lv.kind,
			}
			if parent != "" {
				props["parentId"] = parent
			}
			b.Nodes = append(b.Nodes, Node{Label: model.LabelClause, ID: lv.id, Props: props})
			b.Rels = append(b.Rels, Rel{Type: model.RelHasClause, FromLabel: model.LabelGuideline, From: jpGuidelineIoT, ToLabel: model.LabelClause, To: lv.id, Props: map[string]any{}})
			if parent != "" {
				b.Rels = append(b.Rels, Rel{Type: model.RelPartOf, FromLabel: model.LabelClause, From: lv.id, ToLabel: model.LabelClause, To: parent, Props: map[string]any{}})
			}
			rowClause = lv.id
		}
		// A qualifier in "Field Separates Out Sub-Capabilities" without a new
		// sub-capability adds to the current one.
		if sub := levels[1]; descCol >= 0 && row.cell(descCol) != "" && (sub.col < 0 || row.cell(sub.col) == "") && sub.id != "" {
			props := b.Nodes[sub.node].Props
			props["text"] = strings.TrimSpace(props["text"].(string) + "\n" + csvCellText(row.cell(descCol)))
		}
		if rowClause == "" {
			// Merged cells: the row continues the deepest current clause.
			for li := len(levels) - 1; li >= 0; li-- {
				if levels[li].id != "" {
					rowClause = levels[li].id
					break
				}
			}
		}
		cell := row.cell(mapCol)
		where := fmt.Sprintf("line %d, column %s", row.line(mapCol), csvColumnName(rows, mapCol))
		var tos []string
		for _, piece := range strings.FieldsFunc(cell, func(r rune) bool { return r == '\n' || r == '\r' || r == ';' || (target != "800-53" && r == ',') }) {
			piece = strings.TrimSpace(piece)
			if piece == "" || strings.EqualFold(piece, "no mapping") {
				continue
			}
			to, ok := csvIoTTarget(target, piece)
			if !ok {
				w.count("unrecognised", piece, where)
				continue
			}
			tos = append(tos, to)
		}
		if len(tos) == 0 {
			w.count("no mapping", "", where)
			continue
		}
		if rowClause == "" {
			return csvErr(name, rows, row, mapCol, "a mapping before any capability")
		}
		for ti, to := range tos {
			hint := jpGuidelineName(csvGuidelineOf(to))
			n := len(b.Rels)
			csvAddPair(b, w, seen, rowClause, to, map[string]any{"relationship": "INTERSECTS_WITH", "source": origin}, fmt.Sprintf("%s [%d]", where, ti), hint)
			if len(b.Rels) > n {
				pairs++
			}
		}
	}
	if pairs > 0 {
		b.Warnings = append(b.Warnings, Warning{Location: "header", Message: fmt.Sprintf("the table states no relationship: INTERSECTS_WITH assumed for its %d mapping(s)", pairs)})
	}
	b.Warnings = append(b.Warnings, w.warnings(csvWords)...)
	return nil
}

// csvCSFZeroPadded matches a CSF 2.0 subcategory id ("PR.AA-01").
var csvCSFZeroPadded = regexp.MustCompile(`\b[A-Za-z]{2}\.[A-Za-z]{2}-0\d\b`)

// csvCSFVersion tells which CSF a table's subcategories are from: the
// version its header names, else 2.0 when any id is zero-padded as CSF 2.0
// numbers them ("PR.AA-01"), else 1.1 ("PR.AC-1"). Numbers from 10 up look
// the same in both, so the table decides, not each id.
func csvCSFVersion(header string, rows []csvRow, col int) string {
	switch {
	case strings.Contains(header, "2.0"):
		return "csf-2.0"
	case strings.Contains(header, "1.1"):
		return "csf-1.1"
	}
	for _, r := range rows {
		if csvCSFZeroPadded.MatchString(r.cell(col)) {
			return "csf-2.0"
		}
	}
	return "csf-1.1"
}

// csvIoTTarget turns one piece of an IoT table's mapping cell into a clause
// id: "AC-2 ACCOUNT MANAGEMENT (1) ACCOUNT MANAGEMENT | AUTOMATED …" →
// "nist-sp800-53r5:ac-2.1"; a CSF 1.1 id "PR.AC-1" → the CISO Assistant CSF
// 1.1 clause; a CSF 2.0 id "PR.AA-01" → "nist-csf-2.0:pr.aa-01".
func csvIoTTarget(target, piece string) (string, bool) {
	if target == "800-53" {
		m := csvSP80053Line.FindStringSubmatch(piece)
		if m == nil {
			return "", false
		}
		id := strings.ToLower(m[1]) + "-" + strings.TrimLeft(m[2], "0")
		enh := m[3]
		if enh == "" {
			if e := csvSP80053Enh.FindStringSubmatch(m[4]); e != nil {
				enh = e[1]
			}
		}
		if enh = strings.TrimLeft(enh, "0"); enh != "" {
			id += "." + enh
		}
		return jpGuidelineSP80053r5 + ":" + id, true
	}
	m := csvCSFID.FindStringSubmatch(piece)
	if m == nil {
		return "", false
	}
	id := strings.ToLower(m[1] + "." + m[2] + "-" + m[3])
	if target == "csf-2.0" {
		return jpGuidelineCSF20 + ":" + id, true
	}
	return csvCISOCSF11 + id, true
}

// csvGuidelineOf names the guideline of a clause id made by csvIoTTarget.
func csvGuidelineOf(clause string) string {
	if strings.HasPrefix(clause, csvCISOCSF11) {
		return "ciso:nist-csf-1.1"
	}
	g, _, _ := strings.Cut(clause, ":")
	return g
}

// csvCellText is a cell's text: lines trimmed, tabs as spaces.
func csvCellText(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r", ""), "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// csvEtc matches "etc" written without its period.
var csvEtc = regexp.MustCompile(`\betc\b([^.]|$)`)

// csvSentences ends each line of an element's text as a sentence ("etc."
// with its period, a final period after a letter or digit). NIST's 800-53
// and CSF tables of the same sheet spell some elements with and some
// without these periods; written alike, the two tables make identical
// clauses, so loading one after the other changes nothing.
func csvSentences(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		l = csvEtc.ReplaceAllString(l, "etc.$1")
		if r, _ := utf8.DecodeLastRuneInString(l); unicode.IsLetter(r) || unicode.IsDigit(r) {
			l += "."
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}

// csvTitle is a clause title from a cell: its first line, at most 200
// characters, cut at a word.
func csvTitle(s string) string {
	t, _, _ := strings.Cut(csvCellText(s), "\n")
	if utf8.RuneCountInString(t) <= 200 {
		return t
	}
	r := []rune(t)[:200]
	cut := string(r)
	if i := strings.LastIndex(cut, " "); i > 100 {
		cut = cut[:i]
	}
	return cut + "…"
}
