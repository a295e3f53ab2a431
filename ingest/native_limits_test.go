package ingest_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// TestNativeSchemaLimitsAreTheModels checks that the JSON Schema of native
// documents states the text limits and the id pattern that graph/model
// applies to every input, so that a document cannot hold what the API
// refuses (or the other way round).
func TestNativeSchemaLimitsAreTheModels(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("native_schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Defs map[string]struct {
			MaxLength *int   `json:"maxLength"`
			Pattern   string `json:"pattern"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	for def, want := range map[string]int{"name": model.MaxName, "code": model.MaxCode, "perspective": model.MaxCode, "text": model.MaxText} {
		d, ok := schema.Defs[def]
		switch {
		case !ok:
			t.Errorf("native_schema.json has no $defs/%s", def)
		case d.MaxLength == nil || *d.MaxLength != want:
			t.Errorf("$defs/%s maxLength %v, want %d as graph/model says", def, d.MaxLength, want)
		}
	}
	if got := schema.Defs["id"].Pattern; got != model.IDPattern {
		t.Errorf("$defs/id pattern %q, want %q as graph/model says", got, model.IDPattern)
	}
}
