package transport

import (
	"encoding/json"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

func TestMergeIncremental(t *testing.T) {
	yes, no := true, false
	first := &graphql.Response{Data: json.RawMessage(`{"a":{"list":[{"id":1,"x":null},{"id":2,"x":null}],"z":null},"b":null,"n":1.50}`), HasNext: &yes}
	rest := []*graphql.Response{
		{Data: json.RawMessage(`{"x":{"deep":true}}`), Path: ast.Path{ast.PathName("a"), ast.PathName("list"), ast.PathIndex(1)}, HasNext: &yes},
		{Data: json.RawMessage(`{"z":"zed","new":[1,2]}`), Path: ast.Path{ast.PathName("a")}, HasNext: &yes,
			Errors: gqlerror.List{{Message: "late"}}},
		{Data: json.RawMessage(`{"c":3}`), Path: ast.Path{ast.PathName("b")}, HasNext: &no}, // under a null: dropped
	}
	got, err := mergeIncremental(first, func() *graphql.Response {
		if len(rest) == 0 {
			return nil
		}
		r := rest[0]
		rest = rest[1:]
		return r
	})
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"a":{"list":[{"id":1,"x":null},{"id":2,"x":{"deep":true}}],"z":"zed","new":[1,2]},"b":null,"n":1.50}`
	if string(got.Data) != want {
		t.Errorf("merged\n %s\nwant\n %s", got.Data, want)
	}
	if len(got.Errors) != 1 || got.HasNext != nil {
		t.Errorf("errors %v, hasNext %v", got.Errors, got.HasNext)
	}
}
