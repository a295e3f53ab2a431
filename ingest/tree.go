package ingest

// The common tree of YAML and JSON documents: ynode holds one value with
// the line it starts on, so that the CISO Assistant and native parsers can
// name a line in every error. yamlTree and jsonTree build it, refusing
// aliases, duplicate keys and nesting deeper than MaxDepth.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

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
