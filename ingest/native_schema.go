package ingest

// Native documents: the embedded JSON Schema (native_schema.json), the
// subset of JSON Schema this package enforces, and the validation of a
// tree against it.

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

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
