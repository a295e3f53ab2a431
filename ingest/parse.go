package ingest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// Formats lists every format name Parse accepts, FormatAuto first.
var Formats = []Format{FormatAuto, FormatNative, FormatSTIX, FormatOSCALCatalog, FormatOSCALProfile, FormatOSCALMapping, FormatCSVCrosswalk, FormatCISOLibrary}

// ParseFormat returns the Format named s (as in Formats), or an error that
// lists the names.
func ParseFormat(s string) (Format, error) {
	if f := Format(s); slices.Contains(Formats, f) {
		return f, nil
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return "", fmt.Errorf("unknown format %q: use one of %s", s, strings.Join(names, ", "))
}

// ParseOptions is what Parse needs besides the document.
type ParseOptions struct {
	// Scales are the axis scales, perspectives and category rules in force,
	// for native documents (which rate on them). Other formats ignore it.
	Scales *model.Scales
}

// Parse reads one document into a Batch. name names it in the batch and in
// errors. With FormatAuto the format is recognised from the content (see
// DetectFormat). Every error carries an *Error with the file and, as far as
// the format allows, the line or path: a document larger than MaxFileBytes,
// an empty one, one whose format cannot be told, one that the format's
// parser rejects, and a batch of more than MaxRecords nodes and
// relationships. The batch's Source is name and its Format the format read.
func Parse(name string, data []byte, format Format, opts ParseOptions) (*Batch, error) {
	if len(data) > MaxFileBytes {
		return nil, &Error{File: name, Message: fmt.Sprintf("the document is %d bytes; the limit is %d (64 MiB)", len(data), MaxFileBytes)}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte-order mark
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &Error{File: name, Message: "the document is empty"}
	}
	if format == "" || format == FormatAuto {
		f, err := DetectFormat(name, data)
		if err != nil {
			return nil, err
		}
		format = f
	}
	var b *Batch
	var err error
	switch format {
	case FormatNative:
		b, err = ParseNative(name, data, opts.Scales)
	case FormatSTIX:
		b, err = ParseSTIX(name, data)
	case FormatOSCALCatalog:
		b, err = ParseOSCALCatalog(name, data)
	case FormatOSCALProfile:
		b, err = ParseOSCALProfile(name, data)
	case FormatOSCALMapping:
		b, err = ParseOSCALMapping(name, data)
	case FormatCSVCrosswalk:
		b, err = ParseCSVCrosswalk(name, data)
	case FormatCISOLibrary:
		b, err = ParseCISOLibrary(name, data)
	default:
		_, ferr := ParseFormat(string(format))
		return nil, &Error{File: name, Message: ferr.Error()}
	}
	if err != nil {
		if _, ok := errors.AsType[*Error](err); ok {
			return nil, err
		}
		return nil, &Error{File: name, Message: err.Error()}
	}
	if b == nil {
		return nil, &Error{File: name, Message: fmt.Sprintf("the %s parser returned nothing", format)}
	}
	if n := len(b.Nodes) + len(b.Rels); n > MaxRecords {
		return nil, &Error{File: name, Message: fmt.Sprintf("%d nodes and relationships; the limit is %d per document", n, MaxRecords)}
	}
	if b.Source == "" {
		b.Source = name
	}
	if b.Format == "" {
		b.Format = format
	}
	return b, nil
}

// DetectFormat recognises a document's format from its content:
//   - JSON whose top-level object has "type": "bundle": a STIX bundle; a
//     top-level "catalog": an OSCAL catalog; "profile": an OSCAL profile;
//     "mapping-collection": an OSCAL mapping collection; "apiVersion":
//     "ssfgraph/…": a native document;
//   - YAML with a top-level apiVersion ssfgraph/…: a native document; with
//     top-level urn and objects: a CISO Assistant library;
//   - otherwise CSV, if it reads as CSV with a header of two or more
//     columns.
//
// The first decisive key wins, so a truncated JSON document is still
// recognised when its beginning is intact (its parser then says where it
// breaks). It returns an *Error when none of these fits.
func DetectFormat(name string, data []byte) (Format, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return "", &Error{File: name, Message: "the document is empty"}
	}
	if trimmed[0] == '{' || trimmed[0] == '[' {
		return detectJSON(name, data)
	}
	if f, ok := detectYAML(data); ok {
		return f, nil
	}
	if detectCSV(data) {
		return FormatCSVCrosswalk, nil
	}
	return "", &Error{File: name, Message: "cannot tell the format: this is neither a native document (apiVersion: ssfgraph/v1), " +
		"a CISO Assistant library (top-level urn and objects) nor a CSV file with a header; name the format explicitly"}
}

// detectJSON reads the top-level keys of a JSON object until one decides
// the format.
func detectJSON(name string, data []byte) (Format, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	syntax := func(err error) error {
		off := dec.InputOffset()
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = se.Offset
		}
		line := 1 + bytes.Count(data[:min(int(off), len(data))], []byte("\n"))
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return &Error{File: name, Line: line, Message: "the JSON ends early (truncated?) before its format can be told"}
		}
		return &Error{File: name, Line: line, Message: "not valid JSON: " + err.Error()}
	}
	tok, err := dec.Token()
	if err != nil {
		return "", syntax(err)
	}
	if tok != json.Delim('{') {
		return "", &Error{File: name, Line: 1, Message: "a JSON document must be an object to be ingested; this one is an array"}
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", syntax(err)
		}
		key, _ := tok.(string)
		switch key {
		case "catalog":
			return FormatOSCALCatalog, nil
		case "mapping-collection":
			return FormatOSCALMapping, nil
		case "profile":
			return FormatOSCALProfile, nil
		case "type", "apiVersion":
			var v any
			if err := dec.Decode(&v); err != nil {
				return "", syntax(err)
			}
			s, _ := v.(string)
			if key == "type" && s == "bundle" {
				return FormatSTIX, nil
			}
			if key == "apiVersion" && strings.HasPrefix(s, "ssfgraph/") {
				return FormatNative, nil
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return "", syntax(err)
			}
		}
	}
	return "", &Error{File: name, Message: `cannot tell the format of this JSON: it has none of "type": "bundle" (STIX), ` +
		`"catalog" (OSCAL catalog), "profile" (OSCAL profile), "mapping-collection" (OSCAL mapping collection) or "apiVersion": "ssfgraph/v1" (native) at the top level; name the format explicitly`}
}

// yamlTopKey matches a top-level YAML mapping key and its value.
var yamlTopKey = regexp.MustCompile(`^["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?[ \t]*:(?:[ \t]+(.*))?$`)

// detectYAML looks at the unindented keys of a YAML document.
func detectYAML(data []byte) (Format, bool) {
	keys := map[string]bool{}
	for line := range bytes.Lines(data) {
		m := yamlTopKey.FindSubmatch(bytes.TrimRight(line, " \t\r\n"))
		if m == nil {
			continue
		}
		key := string(m[1])
		keys[key] = true
		if key == "apiVersion" && strings.HasPrefix(yamlScalar(string(m[2])), "ssfgraph/") {
			return FormatNative, true
		}
	}
	if keys["urn"] && keys["objects"] {
		return FormatCISOLibrary, true
	}
	return "", false
}

// yamlScalar strips a trailing comment and quotes from a plain YAML value.
func yamlScalar(v string) string {
	if i := strings.Index(v, " #"); i >= 0 {
		v = v[:i]
	}
	return strings.Trim(strings.TrimSpace(v), `"'`)
}

// detectCSV reports whether data reads as CSV with a header of at least two
// columns and rows of the same width (it checks the first few rows).
func detectCSV(data []byte) bool {
	if !utf8.Valid(data) {
		return false
	}
	r := csv.NewReader(bytes.NewReader(data))
	header, err := r.Read()
	if err != nil || len(header) < 2 {
		return false
	}
	for range 5 {
		if _, err := r.Read(); err == io.EOF {
			break
		} else if err != nil {
			return false
		}
	}
	return true
}
