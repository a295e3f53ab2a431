package ingest

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// Native analysis documents (apiVersion ssfgraph/v1, kind AnalysisDocument)
// hold one organization's analysis of one target with everything it names.
// ParseNative reads one (YAML or JSON), checks it against the published
// JSON Schema (native_schema.json, embedded and enforced here) and against
// the rules a schema cannot state, and turns it into a Batch in the storage
// shape the GraphQL mutations write. docs/native-format.md documents it.

// NativeAPIVersion and NativeKind are the apiVersion and kind of a native
// analysis document.
const (
	NativeAPIVersion = "ssfgraph/v1"
	NativeKind       = "AnalysisDocument"
)

// ---------------------------------------------------------------- the document

// Document is a native analysis document. ParseNative reads it and Export
// writes it; graph/neo4j builds one from the stored graph. Lists are in
// document order when parsed; MarshalDocument sorts them.
type Document struct {
	APIVersion   string
	Kind         string
	Organization DocOrganization
	Target       DocTarget
	Analysis     DocAnalysis
	Threats      []DocThreat
	Measures     []DocMeasure
	Policies     []DocPolicy
}

// DocOrganization is the organization that wrote the analysis.
type DocOrganization struct {
	ID, Name, Sector string
	Departments      []DocDepartment
}

// DocDepartment is a department of the organization.
type DocDepartment struct {
	ID, Name string
}

// DocTarget is the system or service analysed.
type DocTarget struct {
	ID, Name, Sector, Description string
	Assets                        []DocAsset
	Incidents                     []DocIncident
}

// DocAsset is an asset of the target; ConnectsTo names assets of the same
// target.
type DocAsset struct {
	ID, Name, Kind, Description string
	ConnectsTo                  []string
}

// DocIncident is an incident of the target.
type DocIncident struct {
	ID, Name, Consequence, Description string
}

// DocAnalysis is the analysis itself. Policies names the insurance
// policies it relies on. The times are optional: an export writes the
// stored ones so that a restored analysis keeps them.
type DocAnalysis struct {
	ID, Title                         string
	Status                            string // DRAFT or SUBMITTED
	Version                           int
	Visibility                        string // PRIVATE, SHARED or PUBLIC
	SharedWithOrganizationIDs         []string
	SharedWithSectors                 []string
	Policies                          []string
	CreatedAt, UpdatedAt, SubmittedAt *time.Time
	Assessments                       []DocAssessment
}

// DocAssessment is the analysis's judgment of one incident. Category is
// informative: it is derived from the axis ranks by the category rules.
type DocAssessment struct {
	ID               string
	Incident         string
	Axis1, Axis2     int
	Category         *int
	EstimatedLossJPY *float64
	Rationale        string
	OwnerDepartment  string
	Threats          []string
	Assets           []string
	Treatments       []DocTreatment
}

// DocTreatment is a measure applied to an assessed incident.
type DocTreatment struct {
	ID, Measure, Status, Perspective string
}

// DocThreat is a threat the document defines. ExternalID and Source are
// empty when absent.
type DocThreat struct {
	ID, Name, Kind, Description, ExternalID, Source string
}

// DocMeasure is a measure the document defines, with the clauses it
// satisfies. ExternalID and Source are empty when absent.
type DocMeasure struct {
	ID, Name, Description, Perspective, Kind, ExternalID, Source string
	Clauses                                                      []DocClauseLink
}

// DocClauseLink is a measure's claim to satisfy a clause (SATISFIES).
type DocClauseLink struct {
	Clause       string
	Relationship string // a MappingRelationship; EQUIVALENT_TO by default
	Coverage     *float64
	Rationale    *string
}

// DocPolicy is an insurance policy, as InsurancePolicyInput has it.
// HolderID is the document's organization unless it names another.
type DocPolicy struct {
	ID, Insurer, HolderID, Product string
	PeriodStart, PeriodEnd         string
	AggregateLimitJPY              float64
	Lines                          []DocCoverageLine
}

// DocCoverageLine is one coverage line of a policy.
type DocCoverageLine struct {
	ID, Type                                                                  string
	LimitJPY, DeductibleJPY                                                   float64
	Exclusions                                                                []string
	CoversIncidentIDs, CoversThreatIDs, RequiresMeasureIDs, RequiresClauseIDs []string
}

// ---------------------------------------------------------------- the common tree

// ykind is the kind of a ynode.
type ykind uint8

const (
	yNull ykind = iota
	yBool
	yInt
	yFloat
	yString
	yMap
	ySeq
)

// ynode is one value of a YAML or JSON document with the line it starts
// on: the tree that the CISO Assistant and native parsers read, so that
// every error they report can name a line.
type ynode struct {
	kind   ykind
	line   int
	b      bool
	i      int64
	f      float64
	s      string
	keys   []string // mapping keys, in document order
	klines []int    // the line of each key
	vals   []*ynode // mapping values
	items  []*ynode // sequence items
}

// get returns the value of key in a mapping, or nil.
func (n *ynode) get(key string) *ynode {
	if n == nil || n.kind != yMap {
		return nil
	}
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

// what names the node's kind for error messages.
func (n *ynode) what() string {
	if n == nil {
		return "nothing"
	}
	switch n.kind {
	case yNull:
		return "null"
	case yBool:
		return "a boolean"
	case yInt:
		return "an integer"
	case yFloat:
		return "a number"
	case yString:
		return "a string"
	case yMap:
		return "a mapping"
	default:
		return "a list"
	}
}

// scalar returns a scalar's text (for keys and messages).
func (n *ynode) scalar() string {
	switch n.kind {
	case yBool:
		return strconv.FormatBool(n.b)
	case yInt:
		return strconv.FormatInt(n.i, 10)
	case yFloat:
		return strconv.FormatFloat(n.f, 'g', -1, 64)
	case yString:
		return n.s
	case yNull:
		return "null"
	}
	return ""
}

// yerr returns an *Error for file at line.
func yerr(file string, line int, path, format string, args ...any) *Error {
	return &Error{File: file, Line: line, Path: path, Message: fmt.Sprintf(format, args...)}
}

// yamlDeepestFlow is the nesting of flow collections ([…], {…}) and of
// "- - -" runs beyond which a YAML document is refused before the parser
// sees it: the parser recurses once per level, so that a megabyte of '['
// could exhaust the stack. Real documents stay far below it; the precise
// limit (MaxDepth) is checked on the parsed tree.
const yamlDeepestFlow = 10 * MaxDepth

// yamlPrecheck refuses a YAML document whose nesting obviously exceeds
// yamlDeepestFlow, without parsing it. It counts '[' and '{' where a flow
// collection may start (after a line start, ':', '-', ',', '[', '{' or '?')
// outside quotes and comments, so that brackets inside plain text do not
// count, plus the "- - -" run that starts each line.
func yamlPrecheck(file string, data []byte) error {
	flow, line, dashes := 0, 1, 0
	atStart := true // only white space and "- " since the line began
	prev := byte('\n')
	flowStart := func(b byte) bool { return strings.IndexByte("\n:-,[{?", b) >= 0 }
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch c {
		case '\n':
			line++
			prev, atStart, dashes = '\n', true, 0
			continue
		case ' ', '\t', '\r':
			continue
		}
		if atStart && c == '-' && (i+1 == len(data) || data[i+1] == ' ' || data[i+1] == '\n') {
			dashes++
			prev = '-'
		} else {
			atStart = false
			switch c {
			case '#':
				if i == 0 || data[i-1] == ' ' || data[i-1] == '\t' {
					for i+1 < len(data) && data[i+1] != '\n' {
						i++
					}
					continue
				}
			case '"', '\'':
				if flowStart(prev) {
					for i++; i < len(data) && data[i] != c; i++ {
						switch {
						case data[i] == '\\' && c == '"':
							i++
						case data[i] == '\n':
							line++
						}
					}
				}
			case '[', '{':
				if flowStart(prev) {
					flow++
				}
			case ']', '}':
				flow = max(flow-1, 0)
			}
			prev = c
		}
		if flow+dashes > yamlDeepestFlow {
			return yerr(file, line, "", "the document nests deeper than %d levels", MaxDepth)
		}
	}
	return nil
}

// yamlTree parses one YAML document into a tree. It refuses anchors'
// aliases and merge keys (so that no document expands beyond its size),
// several documents in one file, duplicate keys, non-scalar keys and
// nesting deeper than MaxDepth.
func yamlTree(file string, data []byte) (root *ynode, err error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte-order mark
	if len(data) > MaxFileBytes {
		return nil, yerr(file, 0, "", "the file has %d bytes; the limit is %d", len(data), MaxFileBytes)
	}
	if !utf8.Valid(data) {
		return nil, yerr(file, 0, "", "the file is not valid UTF-8")
	}
	if err := yamlPrecheck(file, data); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil { // the YAML library must not take the process down
			root, err = nil, yerr(file, 0, "", "the YAML parser failed on this input: %v", r)
		}
	}()
	f, perr := parser.ParseBytes(data, 0)
	if perr != nil {
		var se *yaml.SyntaxError
		if errors.As(perr, &se) && se.Token != nil && se.Token.Position != nil {
			return nil, yerr(file, se.Token.Position.Line, "", "YAML syntax: %s", se.Message)
		}
		msg, _, _ := strings.Cut(perr.Error(), "\n")
		return nil, yerr(file, 0, "", "YAML syntax: %s", msg)
	}
	var body ast.Node
	for _, d := range f.Docs {
		if d == nil || d.Body == nil {
			continue
		}
		if body != nil {
			return nil, yerr(file, ynodeLine(d.Body), "", "the file holds more than one YAML document; give one per file")
		}
		body = d.Body
	}
	if body == nil {
		return nil, yerr(file, 1, "", "the document is empty")
	}
	return yamlNode(file, body, 1, "")
}

// ynodeLine returns the line an AST node starts on, or 0.
func ynodeLine(n ast.Node) int {
	if n == nil {
		return 0
	}
	if t := n.GetToken(); t != nil && t.Position != nil {
		return t.Position.Line
	}
	return 0
}

// yamlExponent matches a YAML 1.2 float in exponent notation.
var yamlExponent = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)[eE][-+]?[0-9]+$`)

// yamlNode converts one AST node at the given depth; path names it for
// errors.
func yamlNode(file string, n ast.Node, depth int, path string) (*ynode, error) {
	line := ynodeLine(n)
	if depth > MaxDepth {
		return nil, yerr(file, line, path, "the document nests deeper than %d levels", MaxDepth)
	}
	switch v := n.(type) {
	case nil:
		return &ynode{kind: yNull, line: line}, nil
	case *ast.NullNode:
		return &ynode{kind: yNull, line: line}, nil
	case *ast.BoolNode:
		return &ynode{kind: yBool, line: line, b: v.Value}, nil
	case *ast.IntegerNode:
		switch x := v.Value.(type) {
		case int64:
			return &ynode{kind: yInt, line: line, i: x}, nil
		case uint64:
			if x <= math.MaxInt64 {
				return &ynode{kind: yInt, line: line, i: int64(x)}, nil
			}
			return &ynode{kind: yFloat, line: line, f: float64(x)}, nil
		}
		return nil, yerr(file, line, path, "unreadable integer %q", v.GetToken().Value)
	case *ast.FloatNode:
		return &ynode{kind: yFloat, line: line, f: v.Value}, nil
	case *ast.InfinityNode:
		return &ynode{kind: yFloat, line: line, f: v.Value}, nil
	case *ast.NanNode:
		return &ynode{kind: yFloat, line: line, f: math.NaN()}, nil
	case *ast.StringNode:
		if v.Token != nil && v.Token.Type == token.StringType && yamlExponent.MatchString(v.Value) {
			// YAML 1.2 reads a plain 1e6 as a number; the parser, as YAML
			// 1.1 did, as a string.
			if f, err := strconv.ParseFloat(v.Value, 64); err == nil {
				return &ynode{kind: yFloat, line: line, f: f}, nil
			}
		}
		return &ynode{kind: yString, line: line, s: v.Value}, nil
	case *ast.LiteralNode:
		s := ""
		if v.Value != nil {
			s = v.Value.Value
		}
		return &ynode{kind: yString, line: line, s: s}, nil
	case *ast.TagNode:
		inner, err := yamlNode(file, v.Value, depth, path)
		if err != nil {
			return nil, err
		}
		if v.Start != nil && v.Start.Value == "!!str" && inner.kind != yMap && inner.kind != ySeq && inner.kind != yString {
			s := inner.scalar()
			if v.Value != nil && v.Value.GetToken() != nil {
				s = v.Value.GetToken().Value
			}
			return &ynode{kind: yString, line: inner.line, s: s}, nil
		}
		return inner, nil
	case *ast.AnchorNode:
		return yamlNode(file, v.Value, depth, path)
	case *ast.AliasNode:
		return nil, yerr(file, line, path, "YAML aliases (*name) are not supported; write the value out")
	case *ast.MergeKeyNode:
		return nil, yerr(file, line, path, "YAML merge keys (<<) are not supported; write the keys out")
	case *ast.MappingValueNode:
		return yamlMapping(file, []*ast.MappingValueNode{v}, line, depth, path)
	case *ast.MappingNode:
		return yamlMapping(file, v.Values, line, depth, path)
	case *ast.SequenceNode:
		out := &ynode{kind: ySeq, line: line, items: make([]*ynode, 0, len(v.Values))}
		for i, item := range v.Values {
			c, err := yamlNode(file, item, depth+1, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out.items = append(out.items, c)
		}
		return out, nil
	}
	return nil, yerr(file, line, path, "unsupported YAML construct (%s)", n.Type())
}

// yamlMapping converts the key-value pairs of one mapping.
func yamlMapping(file string, pairs []*ast.MappingValueNode, line, depth int, path string) (*ynode, error) {
	out := &ynode{kind: yMap, line: line}
	if len(pairs) > 0 {
		if l := ynodeLine(pairs[0].Key); l > 0 {
			out.line = l
		}
	}
	seen := make(map[string]int, len(pairs))
	for _, p := range pairs {
		kline := ynodeLine(p.Key)
		var key string
		switch k := p.Key.(type) {
		case *ast.StringNode:
			key = k.Value
		case *ast.MappingKeyNode:
			if _, ok := k.Value.(ast.ScalarNode); !ok || k.Value.GetToken() == nil {
				return nil, yerr(file, kline, path, "mapping keys must be plain scalars")
			}
			key = k.Value.GetToken().Value
		case *ast.MergeKeyNode:
			return nil, yerr(file, kline, path, "YAML merge keys (<<) are not supported; write the keys out")
		case ast.ScalarNode:
			if p.Key.GetToken() == nil {
				return nil, yerr(file, kline, path, "mapping keys must be plain scalars")
			}
			key = p.Key.GetToken().Value
		default:
			return nil, yerr(file, kline, path, "mapping keys must be plain scalars")
		}
		kp := ypath(path, key)
		if prev, dup := seen[key]; dup {
			return nil, yerr(file, kline, kp, "duplicate key %q (first on line %d)", key, prev)
		}
		seen[key] = kline
		v, err := yamlNode(file, p.Value, depth+1, kp)
		if err != nil {
			return nil, err
		}
		if v.line == 0 {
			v.line = kline
		}
		out.keys, out.klines, out.vals = append(out.keys, key), append(out.klines, kline), append(out.vals, v)
	}
	return out, nil
}

// ypath appends a key to a path.
func ypath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// jsonTree parses one JSON value into a tree, with the line of each value.
// It refuses duplicate keys, trailing data and nesting deeper than
// MaxDepth.
func jsonTree(file string, data []byte) (*ynode, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte-order mark
	if len(data) > MaxFileBytes {
		return nil, yerr(file, 0, "", "the file has %d bytes; the limit is %d", len(data), MaxFileBytes)
	}
	if !utf8.Valid(data) {
		return nil, yerr(file, 0, "", "the file is not valid UTF-8")
	}
	nl := []int{} // offsets of newlines
	for i, c := range data {
		if c == '\n' {
			nl = append(nl, i)
		}
	}
	lineAt := func(off int64) int { return sort.SearchInts(nl, int(off)) + 1 }
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	fail := func(err error, path string) error {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return yerr(file, lineAt(se.Offset-1), path, "JSON syntax: %v", se)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return yerr(file, lineAt(int64(len(data))-1), path, "JSON syntax: unexpected end of input")
		}
		return yerr(file, lineAt(dec.InputOffset()-1), path, "JSON syntax: %v", err)
	}
	var value func(tok json.Token, depth int, path string) (*ynode, error)
	value = func(tok json.Token, depth int, path string) (*ynode, error) {
		line := lineAt(dec.InputOffset() - 1)
		if depth > MaxDepth {
			return nil, yerr(file, line, path, "the document nests deeper than %d levels", MaxDepth)
		}
		switch t := tok.(type) {
		case nil:
			return &ynode{kind: yNull, line: line}, nil
		case bool:
			return &ynode{kind: yBool, line: line, b: t}, nil
		case string:
			return &ynode{kind: yString, line: line, s: t}, nil
		case json.Number:
			if i, err := t.Int64(); err == nil && !strings.ContainsAny(string(t), ".eE") {
				return &ynode{kind: yInt, line: line, i: i}, nil
			}
			f, err := t.Float64()
			if err != nil {
				return nil, yerr(file, line, path, "number %s is out of range", t)
			}
			return &ynode{kind: yFloat, line: line, f: f}, nil
		case json.Delim:
			if t == '[' {
				out := &ynode{kind: ySeq, line: line}
				for dec.More() {
					ip := fmt.Sprintf("%s[%d]", path, len(out.items))
					next, err := dec.Token()
					if err != nil {
						return nil, fail(err, ip)
					}
					c, err := value(next, depth+1, ip)
					if err != nil {
						return nil, err
					}
					out.items = append(out.items, c)
				}
				if _, err := dec.Token(); err != nil {
					return nil, fail(err, path)
				}
				return out, nil
			}
			out := &ynode{kind: yMap, line: line}
			seen := map[string]int{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, fail(err, path)
				}
				key, _ := kt.(string)
				kline := lineAt(dec.InputOffset() - 1)
				kp := ypath(path, key)
				if prev, dup := seen[key]; dup {
					return nil, yerr(file, kline, kp, "duplicate key %q (first on line %d)", key, prev)
				}
				seen[key] = kline
				vt, err := dec.Token()
				if err != nil {
					return nil, fail(err, kp)
				}
				v, err := value(vt, depth+1, kp)
				if err != nil {
					return nil, err
				}
				out.keys, out.klines, out.vals = append(out.keys, key), append(out.klines, kline), append(out.vals, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, fail(err, path)
			}
			return out, nil
		}
		return nil, yerr(file, line, path, "unexpected JSON token %v", tok)
	}
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, yerr(file, 1, "", "the document is empty")
		}
		return nil, fail(err, "")
	}
	root, err := value(tok, 1, "")
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, yerr(file, lineAt(dec.InputOffset()-1), "", "unexpected data after the JSON document")
	}
	return root, nil
}

// nativeIsJSON reports whether data starts, after white space and a byte
// order mark, with '{' or '['.
func nativeIsJSON(data []byte) bool {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	data = bytes.TrimLeft(data, " \t\r\n")
	return len(data) > 0 && (data[0] == '{' || data[0] == '[')
}

// ---------------------------------------------------------------- the schema

//go:embed native_schema.json
var nativeSchemaJSON []byte

// jsonSchema is the subset of JSON Schema (draft 2020-12) that
// native_schema.json uses and this package enforces. Loading the schema
// fails on any other keyword, so that the published schema never states a
// rule the loader does not check.
type jsonSchema struct {
	Schema               string                 `json:"$schema"`
	ID                   string                 `json:"$id"`
	Ref                  string                 `json:"$ref"`
	Defs                 map[string]*jsonSchema `json:"$defs"`
	Title                string                 `json:"title"`
	Description          string                 `json:"description"`
	Type                 string                 `json:"type"`
	Const                *string                `json:"const"`
	Enum                 []string               `json:"enum"`
	Properties           map[string]*jsonSchema `json:"properties"`
	Required             []string               `json:"required"`
	AdditionalProperties *bool                  `json:"additionalProperties"`
	Items                *jsonSchema            `json:"items"`
	MinItems             *int                   `json:"minItems"`
	MaxItems             *int                   `json:"maxItems"`
	UniqueItems          bool                   `json:"uniqueItems"`
	MinLength            *int                   `json:"minLength"`
	MaxLength            *int                   `json:"maxLength"`
	Pattern              string                 `json:"pattern"`
	Minimum              *float64               `json:"minimum"`
	Maximum              *float64               `json:"maximum"`
	XError               string                 `json:"x-error"` // the message when pattern fails

	re   *regexp.Regexp
	root *jsonSchema
}

// nativeSchema loads and compiles the embedded schema once.
var nativeSchema = sync.OnceValues(func() (*jsonSchema, error) {
	dec := json.NewDecoder(bytes.NewReader(nativeSchemaJSON))
	dec.DisallowUnknownFields()
	var s jsonSchema
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("ingest: native_schema.json: %w", err)
	}
	if err := s.compile(&s, "#"); err != nil {
		return nil, err
	}
	return &s, nil
})

// compile checks and prepares s and its subschemas.
func (s *jsonSchema) compile(root *jsonSchema, at string) error {
	s.root = root
	switch s.Type {
	case "", "object", "array", "string", "integer", "number", "boolean", "null":
	default:
		return fmt.Errorf("ingest: native_schema.json %s: unsupported type %q", at, s.Type)
	}
	if s.Ref != "" {
		name, ok := strings.CutPrefix(s.Ref, "#/$defs/")
		if !ok || root.Defs[name] == nil {
			return fmt.Errorf("ingest: native_schema.json %s: unresolvable $ref %q", at, s.Ref)
		}
	}
	if s.Pattern != "" {
		re, err := regexp.Compile(s.Pattern)
		if err != nil {
			return fmt.Errorf("ingest: native_schema.json %s: pattern: %w", at, err)
		}
		s.re = re
	}
	for _, r := range s.Required {
		if s.Properties[r] == nil {
			return fmt.Errorf("ingest: native_schema.json %s: required %q has no property schema", at, r)
		}
	}
	for name, d := range s.Defs {
		if err := d.compile(root, at+"/$defs/"+name); err != nil {
			return err
		}
	}
	for name, p := range s.Properties {
		if err := p.compile(root, at+"/properties/"+name); err != nil {
			return err
		}
	}
	if s.Items != nil {
		return s.Items.compile(root, at+"/items")
	}
	return nil
}

// validate checks n against s; path names n in errors.
func (s *jsonSchema) validate(file string, n *ynode, path string) error {
	if s.Ref != "" {
		if err := s.root.Defs[strings.TrimPrefix(s.Ref, "#/$defs/")].validate(file, n, path); err != nil {
			return err
		}
	}
	fail := func(format string, args ...any) error { return yerr(file, n.line, path, format, args...) }
	switch s.Type {
	case "object":
		if n.kind != yMap {
			return fail("must be a mapping, not %s", n.what())
		}
	case "array":
		if n.kind != ySeq {
			return fail("must be a list, not %s", n.what())
		}
	case "string":
		if n.kind != yString {
			return fail("must be a string, not %s%s", n.what(), quoteScalar(n))
		}
	case "integer":
		if n.kind != yInt && (n.kind != yFloat || n.f != math.Trunc(n.f) || math.IsInf(n.f, 0) || math.Abs(n.f) > 1<<53) {
			return fail("must be an integer, not %s%s", n.what(), quoteScalar(n))
		}
	case "number":
		if n.kind != yInt && n.kind != yFloat {
			return fail("must be a number, not %s%s", n.what(), quoteScalar(n))
		}
		if n.kind == yFloat && (math.IsNaN(n.f) || math.IsInf(n.f, 0)) {
			return fail("must be a finite number, not %v", n.f)
		}
	case "boolean":
		if n.kind != yBool {
			return fail("must be true or false, not %s%s", n.what(), quoteScalar(n))
		}
	}
	if s.Const != nil && (n.kind != yString || n.s != *s.Const) {
		return fail("must be %q, not %s", *s.Const, ydescribe(n))
	}
	if s.Enum != nil && (n.kind != yString || !slices.Contains(s.Enum, n.s)) {
		return fail("must be one of %s; got %s", strings.Join(s.Enum, ", "), ydescribe(n))
	}
	switch n.kind {
	case yString:
		l := utf8.RuneCountInString(n.s)
		if s.MinLength != nil && l < *s.MinLength {
			if *s.MinLength == 1 {
				return fail("must not be empty")
			}
			return fail("must have at least %d characters", *s.MinLength)
		}
		if s.MaxLength != nil && l > *s.MaxLength {
			return fail("has %d characters; the limit is %d", l, *s.MaxLength)
		}
		if s.re != nil && !s.re.MatchString(n.s) {
			if s.XError != "" {
				return fail("%s, not %q", s.XError, ytruncate(n.s, 60))
			}
			return fail("%q does not match %s", ytruncate(n.s, 60), s.Pattern)
		}
	case yInt, yFloat:
		v := n.f
		if n.kind == yInt {
			v = float64(n.i)
		}
		if s.Minimum != nil && v < *s.Minimum {
			return fail("must be at least %v, not %v", *s.Minimum, n.scalar())
		}
		if s.Maximum != nil && v > *s.Maximum {
			return fail("must be at most %v, not %v", *s.Maximum, n.scalar())
		}
	case yMap:
		for _, r := range s.Required {
			if n.get(r) == nil {
				return fail("missing required field %q", r)
			}
		}
		for i, k := range n.keys {
			p := s.Properties[k]
			if p == nil {
				if s.AdditionalProperties != nil && !*s.AdditionalProperties {
					return yerr(file, n.klines[i], ypath(path, k), "unknown field %q%s", k, suggestField(k, s.Properties))
				}
				continue
			}
			if err := p.validate(file, n.vals[i], ypath(path, k)); err != nil {
				return err
			}
		}
	case ySeq:
		if s.MinItems != nil && len(n.items) < *s.MinItems {
			return fail("needs at least %d item(s)", *s.MinItems)
		}
		if s.MaxItems != nil && len(n.items) > *s.MaxItems {
			return fail("has %d items; the limit is %d", len(n.items), *s.MaxItems)
		}
		seen := map[string]int{}
		for i, it := range n.items {
			ip := fmt.Sprintf("%s[%d]", path, i)
			if s.Items != nil {
				if err := s.Items.validate(file, it, ip); err != nil {
					return err
				}
			}
			if s.UniqueItems && it.kind != yMap && it.kind != ySeq {
				key := it.what() + ":" + it.scalar()
				if j, dup := seen[key]; dup {
					return yerr(file, it.line, ip, "%s is listed twice (also at %s[%d])", ydescribe(it), path, j)
				}
				seen[key] = i
			}
		}
	}
	return nil
}

// quoteScalar returns " " and a scalar's value for messages, or "".
func quoteScalar(n *ynode) string {
	switch n.kind {
	case yString:
		return fmt.Sprintf(" %q", ytruncate(n.s, 60))
	case yInt, yFloat, yBool:
		return " " + n.scalar()
	}
	return ""
}

// ydescribe describes a value for messages.
func ydescribe(n *ynode) string {
	if n.kind == yString {
		return strconv.Quote(ytruncate(n.s, 60))
	}
	if n.kind == yMap || n.kind == ySeq || n.kind == yNull {
		return n.what()
	}
	return n.scalar()
}

// suggestField returns ` (did you mean "x"?)` for a field that differs from
// a known one only in case, or "".
func suggestField(k string, props map[string]*jsonSchema) string {
	for name := range props {
		if strings.EqualFold(name, k) {
			return fmt.Sprintf(" (did you mean %q?)", name)
		}
	}
	return ""
}

// ytruncate shortens s to n characters for messages.
func ytruncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// ---------------------------------------------------------------- parse

// ParseNative reads a native analysis document (YAML, or JSON when it
// starts with '{') named name, checks it against the published schema and
// against the axis scales, perspectives and category rules in scales, and
// returns the batch that stores it. Assessment and treatment ids that the
// document omits are derived from the analysis, incident and measure ids,
// so that loading the same document again changes nothing. References to
// threats, measures, clauses, policies and organizations that the document
// does not define become relationships the loader checks against the
// stored graph (with a hint naming what to load first). Every problem is
// an *Error with the line and the path, such as
// "analysis.assessments[2].axis1".
func ParseNative(name string, data []byte, scales *model.Scales) (*Batch, error) {
	doc, lines, err := decodeNative(name, data)
	if err != nil {
		return nil, err
	}
	if scales == nil {
		return nil, yerr(name, 0, "", "no axis scales were given to check the ranks against (this is a bug in the caller)")
	}
	c := &nativeCheck{file: name, lines: lines, scales: scales}
	if err := c.check(doc); err != nil {
		return nil, err
	}
	b := c.batch(doc)
	if n := len(b.Nodes) + len(b.Rels); n > MaxRecords {
		return nil, yerr(name, 0, "", "the document makes %d nodes and relationships; the limit is %d", n, MaxRecords)
	}
	return b, nil
}

// ParseDocument reads a native analysis document like ParseNative and
// returns it as a Document, checked against the schema only (not against
// scales or references) and with no defaults filled in.
func ParseDocument(name string, data []byte) (*Document, error) {
	doc, _, err := decodeNative(name, data)
	return doc, err
}

// decodeNative parses data into a tree, validates it against the schema
// and decodes it. It also returns the line of every path it decoded.
func decodeNative(name string, data []byte) (*Document, map[string]int, error) {
	var root *ynode
	var err error
	if nativeIsJSON(data) {
		root, err = jsonTree(name, data)
	} else {
		root, err = yamlTree(name, data)
	}
	if err != nil {
		return nil, nil, err
	}
	s, err := nativeSchema()
	if err != nil {
		return nil, nil, err
	}
	if root.kind == yMap { // name the version problem first: the rest of the schema may not apply
		if v := root.get("apiVersion"); v != nil && (v.kind != yString || v.s != NativeAPIVersion) {
			return nil, nil, yerr(name, v.line, "apiVersion", "unsupported apiVersion %s; this ssfgraph reads %q", ydescribe(v), NativeAPIVersion)
		}
		if v := root.get("kind"); v != nil && (v.kind != yString || v.s != NativeKind) {
			return nil, nil, yerr(name, v.line, "kind", "kind must be %q, not %s", NativeKind, ydescribe(v))
		}
	}
	if err := s.validate(name, root, ""); err != nil {
		return nil, nil, err
	}
	d := &nativeDecoder{lines: map[string]int{"": root.line}}
	doc := d.document(root)
	if len(d.bad) > 0 {
		return nil, nil, yerr(name, d.lines[d.bad[0]], d.bad[0], "is not a time of the calendar (RFC 3339, such as 2026-04-01T09:00:00Z)")
	}
	return doc, d.lines, nil
}

// nativeDecoder turns a tree that passed the schema into a Document,
// recording the line of every path.
type nativeDecoder struct {
	lines map[string]int
	bad   []string // paths of times that do not parse
}

func (d *nativeDecoder) node(n *ynode, key, path string) *ynode {
	v := n.get(key)
	if v != nil {
		d.lines[ypath(path, key)] = v.line
	}
	return v
}

func (d *nativeDecoder) str(n *ynode, key, path string) string {
	if v := d.node(n, key, path); v != nil {
		return v.s
	}
	return ""
}

func (d *nativeDecoder) strPtr(n *ynode, key, path string) *string {
	if v := d.node(n, key, path); v != nil {
		s := v.s
		return &s
	}
	return nil
}

func (d *nativeDecoder) num(n *ynode, key, path string) *float64 {
	v := d.node(n, key, path)
	if v == nil {
		return nil
	}
	f := v.f
	if v.kind == yInt {
		f = float64(v.i)
	}
	return &f
}

func (d *nativeDecoder) integer(n *ynode, key, path string) *int {
	v := d.node(n, key, path)
	if v == nil {
		return nil
	}
	i := int(v.i)
	if v.kind == yFloat {
		i = int(v.f)
	}
	return &i
}

// time reads an RFC 3339 time that the schema's pattern admitted; one that
// does not parse (a 30 February) reads as nil and is reported by the check.
func (d *nativeDecoder) time(n *ynode, key, path string) *time.Time {
	v := d.node(n, key, path)
	if v == nil {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, v.s)
	if err != nil {
		d.bad = append(d.bad, ypath(path, key))
		return nil
	}
	t = t.UTC()
	return &t
}

func (d *nativeDecoder) strs(n *ynode, key, path string) []string {
	var out []string
	for i, it := range d.items(n, key, path) {
		d.lines[fmt.Sprintf("%s.%s[%d]", path, key, i)] = it.line
		out = append(out, it.s)
	}
	return out
}

func (d *nativeDecoder) items(n *ynode, key, path string) []*ynode {
	if v := d.node(n, key, path); v != nil {
		p := ypath(path, key)
		for i, it := range v.items {
			d.lines[fmt.Sprintf("%s[%d]", p, i)] = it.line
		}
		return v.items
	}
	return nil
}

func (d *nativeDecoder) document(root *ynode) *Document {
	doc := &Document{APIVersion: d.str(root, "apiVersion", ""), Kind: d.str(root, "kind", "")}
	o := d.node(root, "organization", "")
	doc.Organization = DocOrganization{ID: d.str(o, "id", "organization"), Name: d.str(o, "name", "organization"), Sector: d.str(o, "sector", "organization")}
	for i, it := range d.items(o, "departments", "organization") {
		p := fmt.Sprintf("organization.departments[%d]", i)
		doc.Organization.Departments = append(doc.Organization.Departments, DocDepartment{ID: d.str(it, "id", p), Name: d.str(it, "name", p)})
	}
	t := d.node(root, "target", "")
	doc.Target = DocTarget{ID: d.str(t, "id", "target"), Name: d.str(t, "name", "target"), Sector: d.str(t, "sector", "target"), Description: d.str(t, "description", "target")}
	for i, it := range d.items(t, "assets", "target") {
		p := fmt.Sprintf("target.assets[%d]", i)
		doc.Target.Assets = append(doc.Target.Assets, DocAsset{ID: d.str(it, "id", p), Name: d.str(it, "name", p), Kind: d.str(it, "kind", p),
			Description: d.str(it, "description", p), ConnectsTo: d.strs(it, "connectsTo", p)})
	}
	for i, it := range d.items(t, "incidents", "target") {
		p := fmt.Sprintf("target.incidents[%d]", i)
		doc.Target.Incidents = append(doc.Target.Incidents, DocIncident{ID: d.str(it, "id", p), Name: d.str(it, "name", p),
			Consequence: d.str(it, "consequence", p), Description: d.str(it, "description", p)})
	}
	a := d.node(root, "analysis", "")
	doc.Analysis = DocAnalysis{ID: d.str(a, "id", "analysis"), Title: d.str(a, "title", "analysis"), Status: d.str(a, "status", "analysis"),
		Visibility: d.str(a, "visibility", "analysis"), SharedWithOrganizationIDs: d.strs(a, "sharedWithOrganizationIds", "analysis"),
		SharedWithSectors: d.strs(a, "sharedWithSectors", "analysis"), Policies: d.strs(a, "policies", "analysis")}
	if v := d.integer(a, "version", "analysis"); v != nil {
		doc.Analysis.Version = *v
	}
	doc.Analysis.CreatedAt = d.time(a, "createdAt", "analysis")
	doc.Analysis.UpdatedAt = d.time(a, "updatedAt", "analysis")
	doc.Analysis.SubmittedAt = d.time(a, "submittedAt", "analysis")
	for i, it := range d.items(a, "assessments", "analysis") {
		p := fmt.Sprintf("analysis.assessments[%d]", i)
		s := DocAssessment{ID: d.str(it, "id", p), Incident: d.str(it, "incident", p), Category: d.integer(it, "category", p),
			EstimatedLossJPY: d.num(it, "estimatedLossJPY", p), Rationale: d.str(it, "rationale", p), OwnerDepartment: d.str(it, "ownerDepartment", p),
			Threats: d.strs(it, "threats", p), Assets: d.strs(it, "assets", p)}
		s.Axis1, s.Axis2 = *d.integer(it, "axis1", p), *d.integer(it, "axis2", p)
		for j, tr := range d.items(it, "treatments", p) {
			tp := fmt.Sprintf("%s.treatments[%d]", p, j)
			s.Treatments = append(s.Treatments, DocTreatment{ID: d.str(tr, "id", tp), Measure: d.str(tr, "measure", tp),
				Status: d.str(tr, "status", tp), Perspective: d.str(tr, "perspective", tp)})
		}
		doc.Analysis.Assessments = append(doc.Analysis.Assessments, s)
	}
	for i, it := range d.items(root, "threats", "") {
		p := fmt.Sprintf("threats[%d]", i)
		doc.Threats = append(doc.Threats, DocThreat{ID: d.str(it, "id", p), Name: d.str(it, "name", p), Kind: d.str(it, "kind", p),
			Description: d.str(it, "description", p), ExternalID: d.str(it, "externalId", p), Source: d.str(it, "source", p)})
	}
	for i, it := range d.items(root, "measures", "") {
		p := fmt.Sprintf("measures[%d]", i)
		m := DocMeasure{ID: d.str(it, "id", p), Name: d.str(it, "name", p), Description: d.str(it, "description", p),
			Perspective: d.str(it, "perspective", p), Kind: d.str(it, "kind", p), ExternalID: d.str(it, "externalId", p), Source: d.str(it, "source", p)}
		for j, c := range d.items(it, "clauses", p) {
			cp := fmt.Sprintf("%s.clauses[%d]", p, j)
			m.Clauses = append(m.Clauses, DocClauseLink{Clause: d.str(c, "clause", cp), Relationship: d.str(c, "relationship", cp),
				Coverage: d.num(c, "coverage", cp), Rationale: d.strPtr(c, "rationale", cp)})
		}
		doc.Measures = append(doc.Measures, m)
	}
	for i, it := range d.items(root, "policies", "") {
		p := fmt.Sprintf("policies[%d]", i)
		pol := DocPolicy{ID: d.str(it, "id", p), Insurer: d.str(it, "insurer", p), HolderID: d.str(it, "holderId", p), Product: d.str(it, "product", p),
			PeriodStart: d.str(it, "periodStart", p), PeriodEnd: d.str(it, "periodEnd", p), AggregateLimitJPY: *d.num(it, "aggregateLimitJPY", p)}
		for j, l := range d.items(it, "lines", p) {
			lp := fmt.Sprintf("%s.lines[%d]", p, j)
			line := DocCoverageLine{ID: d.str(l, "id", lp), Type: d.str(l, "type", lp), LimitJPY: *d.num(l, "limitJPY", lp),
				Exclusions: d.strs(l, "exclusions", lp), CoversIncidentIDs: d.strs(l, "coversIncidentIds", lp), CoversThreatIDs: d.strs(l, "coversThreatIds", lp),
				RequiresMeasureIDs: d.strs(l, "requiresMeasureIds", lp), RequiresClauseIDs: d.strs(l, "requiresClauseIds", lp)}
			if v := d.num(l, "deductibleJPY", lp); v != nil {
				line.DeductibleJPY = *v
			}
			pol.Lines = append(pol.Lines, line)
		}
		doc.Policies = append(doc.Policies, pol)
	}
	return doc
}

// ---------------------------------------------------------------- check

// nativeIDPattern is the rule of graph/neo4j/ids.go for node ids.
var nativeIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:\-]{0,199}$`)

// nativeChildID derives the id of a node that belongs to parent (an
// assessment of an analysis, a treatment of an assessment) from the ids
// that identify it: parent + ":" + kind + ":" + key when that is a valid
// id, else kind + "-" and a hash of both, so that the same document always
// gives the same ids.
func nativeChildID(parent, kind, key string) string {
	if id := parent + ":" + kind + ":" + key; nativeIDPattern.MatchString(id) {
		return id
	}
	sum := sha256.Sum256([]byte(parent + "\x00" + key))
	return kind + "-" + hex.EncodeToString(sum[:16])
}

// nativeCheck checks a decoded document against the rules the schema
// cannot state, fills in its defaults and derived ids, and builds its
// batch.
type nativeCheck struct {
	file   string
	lines  map[string]int
	scales *model.Scales

	defined     map[string]string // id → the path that defines it
	labels      map[string]string // id → label, for ids the document defines
	perspective map[string]string // measure id → perspective, for measures the document defines
}

// err returns an *Error at path, with the line of path or of its nearest
// decoded parent.
func (c *nativeCheck) err(path, format string, args ...any) *Error {
	line := 0
	for p := path; ; {
		if l, ok := c.lines[p]; ok {
			line = l
			break
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return yerr(c.file, line, path, format, args...)
}

// define records that path defines id with label; an id is unique across
// the whole graph, so the document may define it once.
func (c *nativeCheck) define(id, label, path string) error {
	if prev, dup := c.defined[id]; dup {
		return c.err(path, "id %q is already used by %s; ids are unique across the graph", id, prev)
	}
	c.defined[id], c.labels[id] = path, label
	return nil
}

// is reports whether the document defines id with label.
func (c *nativeCheck) is(id, label string) bool { return c.labels[id] == label }

// check validates doc and fills in defaults and derived ids.
func (c *nativeCheck) check(doc *Document) error {
	c.defined, c.labels, c.perspective = map[string]string{}, map[string]string{}, map[string]string{}
	o, t, a := &doc.Organization, &doc.Target, &doc.Analysis
	if err := c.define(o.ID, LabelOrganization, "organization.id"); err != nil {
		return err
	}
	for i, d := range o.Departments {
		if err := c.define(d.ID, LabelDepartment, fmt.Sprintf("organization.departments[%d].id", i)); err != nil {
			return err
		}
	}
	if err := c.define(t.ID, LabelTarget, "target.id"); err != nil {
		return err
	}
	for i, x := range t.Assets {
		if err := c.define(x.ID, LabelAsset, fmt.Sprintf("target.assets[%d].id", i)); err != nil {
			return err
		}
	}
	for i, x := range t.Incidents {
		if err := c.define(x.ID, LabelIncident, fmt.Sprintf("target.incidents[%d].id", i)); err != nil {
			return err
		}
	}
	for i, x := range doc.Threats {
		if err := c.define(x.ID, LabelThreat, fmt.Sprintf("threats[%d].id", i)); err != nil {
			return err
		}
	}
	for i, m := range doc.Measures {
		p := fmt.Sprintf("measures[%d]", i)
		if err := c.define(m.ID, LabelMeasure, p+".id"); err != nil {
			return err
		}
		if c.scales.Perspective(m.Perspective) == nil {
			return c.err(p+".perspective", "unknown perspective %q (want one of %s)", m.Perspective, c.perspectives())
		}
		c.perspective[m.ID] = m.Perspective
		seen := map[string]int{}
		for j := range m.Clauses {
			l := &m.Clauses[j]
			lp := fmt.Sprintf("%s.clauses[%d]", p, j)
			if k, dup := seen[l.Clause]; dup {
				return c.err(lp+".clause", "clause %q is linked twice (also at %s.clauses[%d]); give one link per clause", l.Clause, p, k)
			}
			seen[l.Clause] = j
			if l.Relationship == "" {
				l.Relationship = string(model.MappingRelationshipEquivalentTo)
			}
		}
	}
	for i := range doc.Policies {
		pol := &doc.Policies[i]
		p := fmt.Sprintf("policies[%d]", i)
		if err := c.define(pol.ID, LabelPolicy, p+".id"); err != nil {
			return err
		}
		if pol.HolderID == "" {
			pol.HolderID = o.ID
		}
		start, err := time.Parse(time.DateOnly, pol.PeriodStart)
		if err != nil {
			return c.err(p+".periodStart", "%q is not a day of the calendar (YYYY-MM-DD)", pol.PeriodStart)
		}
		end, err := time.Parse(time.DateOnly, pol.PeriodEnd)
		if err != nil {
			return c.err(p+".periodEnd", "%q is not a day of the calendar (YYYY-MM-DD)", pol.PeriodEnd)
		}
		if end.Before(start) {
			return c.err(p+".periodEnd", "periodEnd %s is before periodStart %s", pol.PeriodEnd, pol.PeriodStart)
		}
		for j, l := range pol.Lines {
			lp := fmt.Sprintf("%s.lines[%d]", p, j)
			if err := c.define(l.ID, LabelCoverageLine, lp+".id"); err != nil {
				return err
			}
			if l.LimitJPY > pol.AggregateLimitJPY {
				return c.err(lp+".limitJPY", "limitJPY %v is above the policy's aggregateLimitJPY %v", l.LimitJPY, pol.AggregateLimitJPY)
			}
		}
	}
	if err := c.define(a.ID, LabelAnalysis, "analysis.id"); err != nil {
		return err
	}
	if a.Status == "" {
		a.Status = string(model.AnalysisStatusDraft)
	}
	if a.Version == 0 {
		a.Version = 1
	}
	if a.Visibility == "" {
		a.Visibility = string(model.VisibilityPrivate)
	}
	if a.SubmittedAt != nil && a.Status != string(model.AnalysisStatusSubmitted) {
		return c.err("analysis.submittedAt", "a %s analysis has no submittedAt; only a SUBMITTED one does", a.Status)
	}
	shared := len(a.SharedWithOrganizationIDs) > 0 || len(a.SharedWithSectors) > 0
	switch {
	case a.Visibility == string(model.VisibilityShared) && !shared:
		return c.err("analysis.visibility", "a SHARED analysis must be shared with at least one organization or sector (sharedWithOrganizationIds, sharedWithSectors)")
	case a.Visibility != string(model.VisibilityShared) && len(a.SharedWithOrganizationIDs) > 0:
		return c.err("analysis.sharedWithOrganizationIds", "a %s analysis is shared with no organization; use visibility SHARED", a.Visibility)
	case a.Visibility != string(model.VisibilityShared) && len(a.SharedWithSectors) > 0:
		return c.err("analysis.sharedWithSectors", "a %s analysis is shared with no sector; use visibility SHARED", a.Visibility)
	}
	// Children of the analysis get their ids after every id the document
	// states, so that a derived id never hides a clash with a stated one.
	for i := range a.Assessments {
		if s := &a.Assessments[i]; s.ID != "" {
			if err := c.define(s.ID, LabelAssessment, fmt.Sprintf("analysis.assessments[%d].id", i)); err != nil {
				return err
			}
		}
		for j, tr := range a.Assessments[i].Treatments {
			if tr.ID != "" {
				if err := c.define(tr.ID, LabelTreatment, fmt.Sprintf("analysis.assessments[%d].treatments[%d].id", i, j)); err != nil {
					return err
				}
			}
		}
	}
	for i, x := range t.Assets {
		for j, to := range x.ConnectsTo {
			p := fmt.Sprintf("target.assets[%d].connectsTo[%d]", i, j)
			switch {
			case to == x.ID:
				return c.err(p, "asset %q cannot connect to itself", to)
			case !c.is(to, LabelAsset):
				return c.err(p, "%q is not an asset of target %q in this document; only assets of one target connect", to, t.ID)
			}
		}
	}
	assessed := map[string]int{}
	for i := range a.Assessments {
		if err := c.assessment(doc, i, assessed); err != nil {
			return err
		}
	}
	return nil
}

// assessment checks the i-th assessment and fills in its derived values.
func (c *nativeCheck) assessment(doc *Document, i int, assessed map[string]int) error {
	a := &doc.Analysis
	s := &a.Assessments[i]
	p := fmt.Sprintf("analysis.assessments[%d]", i)
	if !c.is(s.Incident, LabelIncident) {
		return c.err(p+".incident", "%q is not an incident of target %q in this document (target.incidents)", s.Incident, doc.Target.ID)
	}
	if k, dup := assessed[s.Incident]; dup {
		return c.err(p+".incident", "incident %q is assessed twice (also at analysis.assessments[%d]); give one assessment per incident", s.Incident, k)
	}
	assessed[s.Incident] = i
	if c.scales.Level(1, s.Axis1) == nil {
		return c.err(p+".axis1", "axis 1 has no level of rank %d (ranks %s)", s.Axis1, c.ranks(1))
	}
	if c.scales.Level(2, s.Axis2) == nil {
		return c.err(p+".axis2", "axis 2 has no level of rank %d (ranks %s)", s.Axis2, c.ranks(2))
	}
	cat, ok := c.scales.Category(s.Axis1, s.Axis2)
	switch {
	case !ok:
		return c.err(p+".axis1", "no category rule gives a category for axis-1 rank %d and axis-2 rank %d", s.Axis1, s.Axis2)
	case s.Category != nil && *s.Category != cat:
		return c.err(p+".category", "category %d differs from %d, which the category rules in force derive from axis1 %d and axis2 %d; the category is always derived: remove it or correct it", *s.Category, cat, s.Axis1, s.Axis2)
	}
	s.Category = &cat
	if s.OwnerDepartment != "" && !c.is(s.OwnerDepartment, LabelDepartment) {
		return c.err(p+".ownerDepartment", "%q is not a department of organization %q in this document (organization.departments)", s.OwnerDepartment, doc.Organization.ID)
	}
	for j, th := range s.Threats {
		if c.labels[th] != "" && !c.is(th, LabelThreat) {
			return c.err(fmt.Sprintf("%s.threats[%d]", p, j), "%q is not a threat: this document defines it as %s", th, c.defined[th])
		}
	}
	for j, x := range s.Assets {
		if !c.is(x, LabelAsset) {
			return c.err(fmt.Sprintf("%s.assets[%d]", p, j), "%q is not an asset of target %q in this document (target.assets)", x, doc.Target.ID)
		}
	}
	if s.ID == "" {
		s.ID = nativeChildID(a.ID, "as", s.Incident)
		if err := c.define(s.ID, LabelAssessment, p+".id (derived)"); err != nil {
			return err
		}
	}
	applied := map[string]int{}
	for j := range s.Treatments {
		tr := &s.Treatments[j]
		tp := fmt.Sprintf("%s.treatments[%d]", p, j)
		if k, dup := applied[tr.Measure]; dup {
			return c.err(tp+".measure", "measure %q is applied twice (also at %s.treatments[%d]); give one treatment per measure", tr.Measure, p, k)
		}
		applied[tr.Measure] = j
		if c.labels[tr.Measure] != "" && !c.is(tr.Measure, LabelMeasure) {
			return c.err(tp+".measure", "%q is not a measure: this document defines it as %s", tr.Measure, c.defined[tr.Measure])
		}
		if tr.Perspective == "" {
			p, ok := c.perspective[tr.Measure]
			if !ok {
				return c.err(tp+".perspective", "give the perspective: measure %q is not defined in this document, so its default perspective is unknown here", tr.Measure)
			}
			tr.Perspective = p
		} else if c.scales.Perspective(tr.Perspective) == nil {
			return c.err(tp+".perspective", "unknown perspective %q (want one of %s)", tr.Perspective, c.perspectives())
		}
		if tr.ID == "" {
			tr.ID = nativeChildID(s.ID, "tr", tr.Measure)
			if err := c.define(tr.ID, LabelTreatment, tp+".id (derived)"); err != nil {
				return err
			}
		}
	}
	return nil
}

// perspectives lists the perspective codes in force.
func (c *nativeCheck) perspectives() string {
	var codes []string
	for _, p := range c.scales.Perspectives {
		codes = append(codes, p.Code)
	}
	return strings.Join(codes, ", ")
}

// ranks lists the ranks of an axis in force.
func (c *nativeCheck) ranks(axis int) string {
	var r []string
	for _, l := range c.scales.Levels {
		if l.Axis == axis {
			r = append(r, strconv.Itoa(l.Rank))
		}
	}
	if len(r) == 0 {
		return "none: the scales are not seeded"
	}
	return strings.Join(r, ", ")
}

// ---------------------------------------------------------------- batch

// batch turns a checked document into the nodes and relationships the
// GraphQL mutations would have written.
func (c *nativeCheck) batch(doc *Document) *Batch {
	b := &Batch{Source: c.file, Format: FormatNative}
	node := func(label, id string, props map[string]any) {
		b.Nodes = append(b.Nodes, Node{Label: label, ID: id, Props: props})
	}
	rel := func(typ, fromLabel, from, toLabel, to, where string, props map[string]any) {
		r := Rel{Type: typ, FromLabel: fromLabel, From: from, ToLabel: toLabel, To: to, Props: props, Where: where}
		if !c.is(from, fromLabel) {
			r.Hint = nativeHint(fromLabel, from)
		}
		if !c.is(to, toLabel) {
			r.Hint = nativeHint(toLabel, to)
		}
		b.Rels = append(b.Rels, r)
	}
	o, t, a := doc.Organization, doc.Target, doc.Analysis
	node(LabelOrganization, o.ID, map[string]any{"name": o.Name, "sector": o.Sector})
	for i, d := range o.Departments {
		node(LabelDepartment, d.ID, map[string]any{"name": d.Name, "organizationId": o.ID})
		rel(RelHasDepartment, LabelOrganization, o.ID, LabelDepartment, d.ID, fmt.Sprintf("organization.departments[%d]", i), nil)
	}
	node(LabelTarget, t.ID, map[string]any{"name": t.Name, "sector": t.Sector, "description": t.Description})
	for i, x := range t.Assets {
		node(LabelAsset, x.ID, map[string]any{"targetId": t.ID, "name": x.Name, "kind": x.Kind, "description": x.Description})
		rel(RelHasAsset, LabelTarget, t.ID, LabelAsset, x.ID, fmt.Sprintf("target.assets[%d]", i), nil)
	}
	for i, x := range t.Assets {
		for j, to := range x.ConnectsTo {
			rel(RelConnectsTo, LabelAsset, x.ID, LabelAsset, to, fmt.Sprintf("target.assets[%d].connectsTo[%d]", i, j), nil)
		}
	}
	for i, x := range t.Incidents {
		node(LabelIncident, x.ID, map[string]any{"targetId": t.ID, "name": x.Name, "consequence": x.Consequence, "description": x.Description})
		rel(RelHasIncident, LabelTarget, t.ID, LabelIncident, x.ID, fmt.Sprintf("target.incidents[%d]", i), nil)
	}
	for _, x := range doc.Threats {
		node(LabelThreat, x.ID, nativeCatalogProps(map[string]any{"name": x.Name, "kind": x.Kind, "description": x.Description},
			x.ExternalID, x.Source))
	}
	for i, m := range doc.Measures {
		node(LabelMeasure, m.ID, nativeCatalogProps(map[string]any{"name": m.Name, "description": m.Description, "perspective": m.Perspective, "kind": m.Kind},
			m.ExternalID, m.Source))
		for j, l := range m.Clauses {
			lp := map[string]any{"relationship": l.Relationship}
			if l.Coverage != nil {
				lp["coverage"] = *l.Coverage
			}
			if l.Rationale != nil {
				lp["rationale"] = *l.Rationale
			}
			rel(RelSatisfies, LabelMeasure, m.ID, LabelClause, l.Clause, fmt.Sprintf("measures[%d].clauses[%d]", i, j), lp)
		}
	}
	for i, pol := range doc.Policies {
		p := fmt.Sprintf("policies[%d]", i)
		node(LabelPolicy, pol.ID, map[string]any{"insurer": pol.Insurer, "holderId": pol.HolderID, "product": pol.Product,
			"periodStart": pol.PeriodStart, "periodEnd": pol.PeriodEnd, "aggregateLimitJPY": pol.AggregateLimitJPY})
		rel(RelHolds, LabelOrganization, pol.HolderID, LabelPolicy, pol.ID, p+".holderId", nil)
		for j, l := range pol.Lines {
			lp := fmt.Sprintf("%s.lines[%d]", p, j)
			node(LabelCoverageLine, l.ID, map[string]any{"policyId": pol.ID, "type": l.Type, "limitJPY": l.LimitJPY,
				"deductibleJPY": l.DeductibleJPY, "exclusions": nativeList(l.Exclusions)})
			rel(RelHasLine, LabelPolicy, pol.ID, LabelCoverageLine, l.ID, lp, nil)
			for _, refs := range []struct {
				typ, label, field string
				ids               []string
			}{
				{RelCovers, LabelIncident, "coversIncidentIds", l.CoversIncidentIDs},
				{RelCovers, LabelThreat, "coversThreatIds", l.CoversThreatIDs},
				{RelRequires, LabelMeasure, "requiresMeasureIds", l.RequiresMeasureIDs},
				{RelRequires, LabelClause, "requiresClauseIds", l.RequiresClauseIDs},
			} {
				for k, id := range refs.ids {
					rel(refs.typ, LabelCoverageLine, l.ID, refs.label, id, fmt.Sprintf("%s.%s[%d]", lp, refs.field, k), nil)
				}
			}
		}
	}
	ap := map[string]any{"title": a.Title, "status": a.Status, "version": int64(a.Version), "visibility": a.Visibility,
		"sharedWithOrganizationIds": nativeList(a.SharedWithOrganizationIDs), "sharedWithSectors": nativeList(a.SharedWithSectors),
		"organizationId": o.ID, "targetId": t.ID}
	// Times the document omits are left as they are: a load never invents
	// them, and loading the same document again changes nothing.
	for k, v := range map[string]*time.Time{"createdAt": a.CreatedAt, "updatedAt": a.UpdatedAt, "submittedAt": a.SubmittedAt} {
		if v != nil {
			ap[k] = v.In(nativeUTC) // stored as datetime() stores them: offset Z
		}
	}
	node(LabelAnalysis, a.ID, ap)
	rel(RelAuthored, LabelOrganization, o.ID, LabelAnalysis, a.ID, "analysis", nil)
	rel(RelAnalyzes, LabelAnalysis, a.ID, LabelTarget, t.ID, "analysis", nil)
	for i, id := range a.Policies {
		rel(RelReliesOn, LabelAnalysis, a.ID, LabelPolicy, id, fmt.Sprintf("analysis.policies[%d]", i), nil)
	}
	for i, s := range a.Assessments {
		p := fmt.Sprintf("analysis.assessments[%d]", i)
		props := map[string]any{"analysisId": a.ID, "incidentId": s.Incident, "axis1": int64(s.Axis1), "axis2": int64(s.Axis2),
			"category": int64(*s.Category), "rationale": s.Rationale, "estimatedLossJPY": nil, "ownerDepartmentId": nativeOpt(s.OwnerDepartment)}
		if s.EstimatedLossJPY != nil {
			props["estimatedLossJPY"] = *s.EstimatedLossJPY
		}
		node(LabelAssessment, s.ID, props)
		rel(RelHasAssessment, LabelAnalysis, a.ID, LabelAssessment, s.ID, p, nil)
		rel(RelOf, LabelAssessment, s.ID, LabelIncident, s.Incident, p+".incident", nil)
		for j, th := range s.Threats {
			rel(RelCausedBy, LabelAssessment, s.ID, LabelThreat, th, fmt.Sprintf("%s.threats[%d]", p, j), nil)
		}
		for j, x := range s.Assets {
			rel(RelThrough, LabelAssessment, s.ID, LabelAsset, x, fmt.Sprintf("%s.assets[%d]", p, j), nil)
		}
		if s.OwnerDepartment != "" {
			rel(RelOwnedBy, LabelAssessment, s.ID, LabelDepartment, s.OwnerDepartment, p+".ownerDepartment", nil)
		}
		for j, tr := range s.Treatments {
			tp := fmt.Sprintf("%s.treatments[%d]", p, j)
			node(LabelTreatment, tr.ID, map[string]any{"assessmentId": s.ID, "measureId": tr.Measure, "status": tr.Status, "perspective": tr.Perspective})
			rel(RelTreatedBy, LabelAssessment, s.ID, LabelTreatment, tr.ID, tp, nil)
			rel(RelApplies, LabelTreatment, tr.ID, LabelMeasure, tr.Measure, tp+".measure", nil)
		}
	}
	return b
}

// nativeUTC is the zone times are stored in: a fixed offset of zero, which
// the driver sends as an offset (like Cypher's datetime()), not as a zone
// name.
var nativeUTC = time.FixedZone("Offset", 0)

// nativeCatalogProps adds a threat's or measure's optional external id and
// source when the document gives them. Threats and measures are shared
// with other analyses and catalogs, so one the document leaves out is left
// as it is stored (unlike an assessment's, see nativeOpt).
func nativeCatalogProps(p map[string]any, externalID, source string) map[string]any {
	if externalID != "" {
		p["externalId"] = externalID
	}
	if source != "" {
		p["source"] = source
	}
	return p
}

// nativeOpt is s, or nil (which removes the property) for "": a document
// states every property of the assessments it defines.
func nativeOpt(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nativeList returns s, or an empty list for nil, so that list properties are
// stored as [] like the mutations store them.
func nativeList(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// nativeHint says what to load first when a native document names a node
// it does not define and the graph does not hold; the loader says "ingest
// HINT first".
func nativeHint(label, id string) string {
	ns, _, _ := strings.Cut(id, ":")
	switch label {
	case LabelClause:
		switch {
		case ns == "ciso":
			if parts := strings.Split(id, ":"); len(parts) > 4 && parts[3] == "req_node" {
				return fmt.Sprintf("the CISO Assistant library of framework %s (guideline ciso:%s)", parts[4], parts[4])
			}
			return "the CISO Assistant library that defines the clause"
		case ns == "nist-sp800-53r5":
			return "the NIST SP 800-53 Rev. 5 OSCAL catalog (guideline nist-sp800-53r5)"
		case ns == "nist-csf-2.0":
			return "the NIST CSF 2.0 OSCAL catalog (guideline nist-csf-2.0)"
		}
		return "the guideline that defines the clause"
	case LabelThreat, LabelMeasure:
		what := strings.ToLower(label)
		switch ns {
		case "mitre-attack-ics":
			return "the MITRE ATT&CK for ICS STIX bundle"
		case "ciso":
			return "the CISO Assistant reference-controls library that defines the " + what
		}
		return fmt.Sprintf("the catalog that defines the %s (or define it under %ss in this document)", what, what)
	case LabelPolicy:
		return "a document that defines the policy (or define it under policies in this document)"
	case LabelOrganization:
		return "a document that defines the organization (or create it through the API)"
	case LabelIncident:
		return "the document of the incident's target"
	}
	return "a document that defines it"
}
