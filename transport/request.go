package transport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/99designs/gqlgen/graphql"
)

// decodeRequest decodes one GraphQL request object ({"query",
// "operationName", "variables", "extensions"}), from a POST body or a
// websocket's subscribe payload: the one rule of what a request is. Its
// errors name the member at fault and never quote the input. Numbers stay
// json.Number, as gqlgen's variable coercion expects.
func decodeRequest(b []byte) (*graphql.RawParams, error) {
	if t := bytes.TrimLeft(b, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return nil, errors.New("the request must be a JSON object with a query")
	}
	var raw map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("the request is not valid JSON: %s", jsonProblem(err))
	}
	if dec.More() {
		return nil, errors.New("the request has more than one JSON value")
	}
	p := &graphql.RawParams{}
	var ok bool
	if q, present := raw["query"]; present && q != nil {
		if p.Query, ok = q.(string); !ok {
			return nil, errors.New("query must be a string")
		}
	}
	if n, present := raw["operationName"]; present && n != nil {
		if p.OperationName, ok = n.(string); !ok {
			return nil, errors.New("operationName must be a string")
		}
	}
	if v, present := raw["variables"]; present && v != nil {
		if p.Variables, ok = v.(map[string]any); !ok {
			return nil, errors.New("variables must be an object")
		}
	}
	if e, present := raw["extensions"]; present && e != nil {
		if p.Extensions, ok = e.(map[string]any); !ok {
			return nil, errors.New("extensions must be an object")
		}
	}
	if p.Query == "" && p.Extensions["persistedQuery"] == nil {
		return nil, errors.New("no query")
	}
	return p, nil
}

// jsonProblem describes a JSON decoding error without the input.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("malformed JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("%q must not be a JSON %s", typ.Field, typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends early"
	}
	return "malformed JSON"
}
