package transport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// mergeIncremental folds the results that follow a @defer'd operation's
// first one (next returns them until nil) into one result, for a client
// that takes a single JSON answer: each later result's data goes into the
// object at its path, keys in the order they came; errors add up.
func mergeIncremental(first *graphql.Response, next func() *graphql.Response) (*graphql.Response, error) {
	root, err := parseOrdered(first.Data)
	if err != nil {
		return nil, fmt.Errorf("decoding the first result: %w", err)
	}
	out := &graphql.Response{Errors: first.Errors, Extensions: first.Extensions}
	for resp := next(); resp != nil; resp = next() {
		out.Errors = append(out.Errors, resp.Errors...)
		if len(resp.Data) == 0 || string(resp.Data) == "null" {
			continue
		}
		part, err := parseOrdered(resp.Data)
		if err != nil {
			return nil, fmt.Errorf("decoding a deferred result: %w", err)
		}
		at := root
		for _, p := range resp.Path {
			if at == nil {
				break
			}
			switch p := p.(type) {
			case ast.PathName:
				at = at.get(string(p))
			case ast.PathIndex:
				if int(p) < len(at.arr) {
					at = at.arr[p]
				} else {
					at = nil
				}
			}
		}
		if at == nil || at.keys == nil || part.keys == nil {
			continue // the object it belongs to is null: nothing to fill in
		}
		for _, k := range part.keys {
			at.set(k, part.obj[k])
		}
	}
	var b bytes.Buffer
	root.encode(&b)
	out.Data = b.Bytes()
	return out, nil
}

// ordered is a JSON value that keeps the order of object keys.
type ordered struct {
	keys []string // non-nil for an object
	obj  map[string]*ordered
	arr  []*ordered // non-nil for an array
	raw  json.RawMessage
}

func (o *ordered) get(k string) *ordered {
	if o.obj == nil {
		return nil
	}
	return o.obj[k]
}

func (o *ordered) set(k string, v *ordered) {
	if _, ok := o.obj[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.obj[k] = v
}

func parseOrdered(b []byte) (*ordered, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return parseValue(dec)
}

func parseValue(dec *json.Decoder) (*ordered, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := &ordered{keys: []string{}, obj: map[string]*ordered{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				o.set(k, v)
			}
			_, err := dec.Token()
			return o, err
		case '[':
			o := &ordered{arr: []*ordered{}}
			for dec.More() {
				v, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				o.arr = append(o.arr, v)
			}
			_, err := dec.Token()
			return o, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	default:
		raw, err := json.Marshal(t)
		return &ordered{raw: raw}, err
	}
}

func (o *ordered) encode(w io.Writer) {
	switch {
	case o == nil:
		io.WriteString(w, "null")
	case o.keys != nil:
		io.WriteString(w, "{")
		for i, k := range o.keys {
			if i > 0 {
				io.WriteString(w, ",")
			}
			kb, _ := json.Marshal(k)
			w.Write(kb)
			io.WriteString(w, ":")
			o.obj[k].encode(w)
		}
		io.WriteString(w, "}")
	case o.arr != nil:
		io.WriteString(w, "[")
		for i, v := range o.arr {
			if i > 0 {
				io.WriteString(w, ",")
			}
			v.encode(w)
		}
		io.WriteString(w, "]")
	default:
		w.Write(o.raw)
	}
}
