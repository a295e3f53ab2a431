package ingest

// Shared helpers of the STIX, OSCAL and CSV crosswalk parsers: a JSON
// decoder that enforces MaxFileBytes and MaxDepth and locates its errors by
// line and JSON path, id checks, slugs, and the mapping from catalog titles
// or references to the fixed guideline ids that catalogs and mappings share.
// Unexported names here start with "jp" so they cannot clash with the other
// parsers of the package.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// jpBOM is the UTF-8 byte order mark some editors put first in a file.
var jpBOM = []byte{0xEF, 0xBB, 0xBF}

// jpDecode checks data against MaxFileBytes and MaxDepth, then unmarshals it
// into v. Every error is an *Error naming name, with the line and the JSON
// path (such as "objects[12].name") of the problem.
func jpDecode(name string, data []byte, v any) error {
	if len(data) > MaxFileBytes {
		return &Error{File: name, Message: fmt.Sprintf("the file has %d bytes; the limit is %d", len(data), MaxFileBytes)}
	}
	data = bytes.TrimPrefix(data, jpBOM)
	if len(bytes.TrimSpace(data)) == 0 {
		return &Error{File: name, Line: 1, Message: "the file is empty"}
	}
	if off := jpDepthExceeded(data); off >= 0 {
		loc := jpLocateOffset(data, off)
		return &Error{File: name, Line: loc.line, Path: loc.path, Message: fmt.Sprintf("objects and arrays are nested more than %d deep", MaxDepth)}
	}
	err := json.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		loc := jpLocateOffset(data, se.Offset)
		msg := se.Error()
		if loc.eof || se.Offset >= int64(len(data)) {
			msg = "unexpected end of the file (is it truncated?)"
		}
		return &Error{File: name, Line: loc.line, Path: loc.path, Message: "invalid JSON: " + msg}
	case errors.As(err, &te):
		loc := jpLocateOffset(data, te.Offset)
		p := loc.path
		if p == "" {
			p = te.Field
		}
		return &Error{File: name, Line: loc.line, Path: p, Message: fmt.Sprintf("expected %s, found %s", jpTypeName(te.Type.String()), te.Value)}
	}
	return &Error{File: name, Message: "invalid JSON: " + err.Error()}
}

// jpTypeName names a Go type the way a JSON author would.
func jpTypeName(t string) string {
	switch {
	case t == "string":
		return "a string"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "float"), strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		return "a number"
	case strings.HasPrefix(t, "[]"):
		return "an array"
	case strings.HasPrefix(t, "map["), strings.Contains(t, "."):
		return "an object"
	}
	return t
}

// jpDepthExceeded returns the offset of the first '{' or '[' nested deeper
// than MaxDepth, or -1. It skips strings and does not otherwise validate:
// json.Unmarshal does that next, and this pass is much faster than a token
// walk.
func jpDepthExceeded(data []byte) int64 {
	depth := 0
	inString, escaped := false, false
	for i, c := range data {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > MaxDepth {
				return int64(i) + 1
			}
		case '}', ']':
			depth--
		}
	}
	return -1
}

// jpLocation is where in a JSON document something is.
type jpLocation struct {
	line int    // 1-based
	path string // e.g. "objects[3].name"; "" at the top
	eof  bool   // the document ended before it was complete
}

// jpFrame is one open object or array of a token walk.
type jpFrame struct {
	object  bool
	wantKey bool
	key     string
	index   int
}

// jpWalk reads data token by token, keeping the JSON path of the value being
// read. It calls visit with the path and the offset just after each value's
// first token (the scalar itself, or the '{' or '[' that opens it); visit
// returns true to stop. It returns the location where it stopped, or where
// the JSON is broken.
func jpWalk(data []byte, visit func(path string, end int64) bool) jpLocation {
	data = bytes.TrimPrefix(data, jpBOM)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []jpFrame
	done := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].object {
				stack[n-1].wantKey = true
			} else {
				stack[n-1].index++
			}
		}
	}
	here := func() jpLocation {
		return jpLocation{line: jpLineAt(data, dec.InputOffset()), path: jpPathOf(stack)}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			loc := here()
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				loc.eof = len(stack) > 0 || err == io.ErrUnexpectedEOF
				if loc.eof {
					loc.line = jpLineAt(data, int64(len(data)))
				}
			}
			var se *json.SyntaxError
			if errors.As(err, &se) {
				loc.line = jpLineAt(data, se.Offset)
			}
			return loc
		}
		end := dec.InputOffset()
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:n-1]
				done()
				continue
			}
			key, _ := tok.(string)
			stack[n-1].key, stack[n-1].wantKey = key, false
			continue
		}
		d, isDelim := tok.(json.Delim)
		switch {
		case isDelim && (d == '{' || d == '['):
			if visit(jpPathOf(stack), end) {
				return jpLocation{line: jpLineAt(data, end), path: jpPathOf(stack)}
			}
			stack = append(stack, jpFrame{object: d == '{', wantKey: d == '{'})
		case isDelim: // ']' (a '}' was handled with the keys)
			stack = stack[:len(stack)-1]
			done()
		default:
			if visit(jpPathOf(stack), end) {
				return jpLocation{line: jpLineAt(data, end), path: jpPathOf(stack)}
			}
			done()
		}
	}
}

// jpLocateOffset returns the line and path of the value that ends at or
// covers byte offset off, as reported by encoding/json errors.
func jpLocateOffset(data []byte, off int64) jpLocation {
	loc := jpWalk(data, func(_ string, end int64) bool { return end >= off })
	if loc.line == 0 {
		loc.line = jpLineAt(data, off)
	}
	return loc
}

// jpLineOf returns the 1-based line where the value at path p starts or,
// when there is no such value (a missing field), where its closest
// enclosing value starts.
func jpLineOf(data []byte, p string) int {
	found := 0
	jpWalk(data, func(at string, end int64) bool {
		if at == p || at == "" || strings.HasPrefix(p, at+".") || strings.HasPrefix(p, at+"[") {
			found = jpLineAt(data, end)
		}
		return at == p
	})
	return found
}

// jpLineAt is the 1-based line of byte offset off.
func jpLineAt(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	return bytes.Count(data[:off], []byte{'\n'}) + 1
}

// jpKeyPlain matches object keys that a dotted path can show as they are.
var jpKeyPlain = regexp.MustCompile(`^[A-Za-z0-9_$@-]+$`)

// jpPathOf renders the path of the value the innermost frame is reading.
func jpPathOf(stack []jpFrame) string {
	var b strings.Builder
	for _, f := range stack {
		switch {
		case f.object && f.wantKey: // between members: the object itself
		case f.object:
			b.WriteString(jpKey(b.Len() == 0, f.key))
		default:
			b.WriteString("[" + strconv.Itoa(f.index) + "]")
		}
	}
	return b.String()
}

// jpKey renders one object key of a path: ".key", or `["odd key"]`.
func jpKey(first bool, key string) string {
	if !jpKeyPlain.MatchString(key) {
		return "[" + strconv.Quote(key) + "]"
	}
	if first {
		return key
	}
	return "." + key
}

// jpJoin appends a key to a path built by the transforms.
func jpJoin(p, key string) string { return p + jpKey(p == "", key) }

// jpIndex appends an array index to a path built by the transforms.
func jpIndex(p string, i int) string { return p + "[" + strconv.Itoa(i) + "]" }

// jpErrorAt returns an *Error about the value at path p of a JSON document,
// with the line where that value starts.
func jpErrorAt(name string, data []byte, p, format string, args ...any) *Error {
	return &Error{File: name, Line: jpLineOf(data, p), Path: p, Message: fmt.Sprintf(format, args...)}
}

// jpIDPattern is what a node id may look like (the same rule the API applies
// to ids that clients choose).
var jpIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:\-]{0,199}$`)

// jpValidID reports whether id is a usable node id.
func jpValidID(id string) bool { return jpIDPattern.MatchString(id) }

// jpShort quotes s for a message, cut to n characters.
func jpShort(s string, n int) string {
	if utf8.RuneCountInString(s) > n {
		r := []rune(s)
		s = string(r[:n]) + "…"
	}
	return strconv.Quote(s)
}

// jpSlug turns free text into an id fragment: lower case, runs of other
// characters than letters, digits and '.' become '-', at most 80 bytes.
func jpSlug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
		if b.Len() >= 80 {
			break
		}
	}
	return strings.Trim(b.String(), ".-")
}

// The guideline ids that the OSCAL catalogs, OSCAL mappings and CSV
// crosswalks agree on, so that mappings connect to loaded catalogs.
const (
	jpGuidelineSP80053r5 = "nist-sp800-53r5"
	jpGuidelineSP80053r4 = "nist-sp800-53r4"
	jpGuidelineCSF20     = "nist-csf-2.0"
	jpGuidelineCSF11     = "nist-csf-1.1"
	jpGuidelineIoT       = "nist-ir-8259-iot-catalog"
)

// jpRev4 matches the ways a title or file name says "Revision 4".
var jpRev4 = regexp.MustCompile(`(?i)(rev(ision)?[ ._-]?4|[^0-9]r4([^0-9]|$))`)

// jpGuidelineFor maps a catalog's title, file name or reference (such as
// "catalogs/NIST_SP-800-53_rev5/catalog.json") to its guideline id, or ""
// when the text names none of the catalogs this package knows.
func jpGuidelineFor(text string) string {
	l := strings.ToLower(text)
	switch {
	case strings.Contains(l, "800-53") || strings.Contains(l, "800_53") || strings.Contains(l, "80053"):
		if jpRev4.MatchString(l) {
			return jpGuidelineSP80053r4
		}
		return jpGuidelineSP80053r5
	case strings.Contains(l, "cybersecurity framework") || strings.Contains(l, "csf"):
		switch {
		case strings.Contains(l, "2.0") || strings.Contains(l, "v2") || strings.Contains(l, "2_0"):
			return jpGuidelineCSF20
		case strings.Contains(l, "1.1") || strings.Contains(l, "v1") || strings.Contains(l, "1_1"):
			return jpGuidelineCSF11
		}
	case strings.Contains(l, "8259") || strings.Contains(l, "iot device cybersecurity"):
		return jpGuidelineIoT
	}
	return ""
}

// jpGuidelineName is a human name for a guideline id, for hints.
func jpGuidelineName(id string) string {
	switch id {
	case jpGuidelineSP80053r5:
		return "the NIST SP 800-53 Rev. 5 OSCAL catalog (guideline " + id + ")"
	case jpGuidelineSP80053r4:
		return "the NIST SP 800-53 Rev. 4 OSCAL catalog (guideline " + id + ")"
	case jpGuidelineCSF20:
		return "the NIST CSF 2.0 OSCAL catalog (guideline " + id + ")"
	case jpGuidelineCSF11:
		return "a NIST CSF 1.1 catalog with guideline id " + id + " (none of the shared data sets provides one)"
	case "ciso:nist-csf-1.1":
		return "the CISO Assistant NIST CSF 1.1 library (nist-csf-1.1.yaml, guideline ciso:nist-csf-1.1)"
	case jpGuidelineIoT:
		return "the IoT capability clauses of the same CSV file (guideline " + id + ")"
	}
	return "the catalog with guideline id " + id
}

// jpBase is the last element of a slash-separated file name.
func jpBase(name string) string {
	if name == "" {
		return "request"
	}
	return path.Base(strings.ReplaceAll(name, "\\", "/"))
}

// jpCheckRecords returns an *Error when a batch is over MaxRecords.
func jpCheckRecords(name string, b *Batch) error {
	if n := len(b.Nodes) + len(b.Rels); n > MaxRecords {
		return &Error{File: name, Message: fmt.Sprintf("the file makes %d nodes and relationships; the limit is %d", n, MaxRecords)}
	}
	return nil
}

// jpTally counts findings by (what, type), remembering where the first one
// was, so that thousands of skipped records give a few warnings.
type jpTally struct {
	order  [][2]string
	counts map[[2]string]int
	first  map[[2]string]string
	single []Warning
}

func newJPTally() *jpTally {
	return &jpTally{counts: map[[2]string]int{}, first: map[[2]string]string{}}
}

// count records one finding of a kind at where.
func (w *jpTally) count(what, typ, where string) {
	k := [2]string{what, typ}
	if w.counts[k] == 0 {
		w.order = append(w.order, k)
		w.first[k] = where
	}
	w.counts[k]++
}

// add records a finding that is its own warning.
func (w *jpTally) add(where, msg string) {
	w.single = append(w.single, Warning{Location: where, Message: msg})
}

// warnings returns the single warnings, then one per counted kind (sorted
// by what and type) worded by words and located at the first occurrence.
func (w *jpTally) warnings(words func(what, typ string, n int) string) []Warning {
	out := slices.Clone(w.single)
	keys := slices.Clone(w.order)
	slices.SortFunc(keys, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	for _, k := range keys {
		n := w.counts[k]
		loc := w.first[k]
		if n > 1 {
			loc += fmt.Sprintf(" (first of %d)", n)
		}
		out = append(out, Warning{Location: loc, Message: words(k[0], k[1], n)})
	}
	return out
}
