package ingest_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/ingest"
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
			MinLength *int   `json:"minLength"`
			MaxLength *int   `json:"maxLength"`
			Pattern   string `json:"pattern"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	for def, want := range map[string]int{"name": model.MaxName, "code": model.MaxCode, "perspective": model.MaxCode, "text": model.MaxText,
		"requiredText": model.MaxText} {
		d, ok := schema.Defs[def]
		switch {
		case !ok:
			t.Errorf("native_schema.json has no $defs/%s", def)
		case d.MaxLength == nil || *d.MaxLength != want:
			t.Errorf("$defs/%s maxLength %v, want %d as graph/model says", def, d.MaxLength, want)
		}
	}
	// A reason (requiredText) may not be empty, as NotApplicableInput.Validate says.
	if d := schema.Defs["requiredText"]; d.MinLength == nil || *d.MinLength != 1 {
		t.Errorf("$defs/requiredText minLength %v, want 1 as graph/model says", d.MinLength)
	}
	for _, reason := range []string{"", strings.Repeat("é", model.MaxText), strings.Repeat("é", model.MaxText+1)} {
		apiErr := (&model.NotApplicableInput{ClauseID: "c", Reason: reason}).Validate("m")
		doc := strings.Replace(string(ntExample(t)), "reason: The plant network has no wireless links; the gateway reaches the cloud over a leased line.",
			"reason: \""+reason+"\"", 1)
		_, docErr := ingest.ParseDocument("limits.yaml", []byte(doc))
		if (apiErr == nil) != (docErr == nil) {
			t.Errorf("a reason of %d characters: the API says %v, a document %v", len([]rune(reason)), apiErr, docErr)
		}
	}
	if got := schema.Defs["id"].Pattern; got != model.IDPattern {
		t.Errorf("$defs/id pattern %q, want %q as graph/model says", got, model.IDPattern)
	}
}
