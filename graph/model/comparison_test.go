package model_test

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

func TestSubmittedJSON(t *testing.T) {
	t.Parallel()
	raw := `{"Incident":{"ID":"i1","Name":"Fire"},"Measures":[{"ID":"m1","Name":"Sprinkler"}]}`
	for _, tt := range []struct {
		name     string
		s        *model.SubmittedJSON
		incident string // "" when Decode returns nil
	}{
		{"Decodes", model.NewSubmittedJSON(raw), "i1"},
		{"NotJSON", model.NewSubmittedJSON("{"), ""},
		{"Nil", nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.s.Decode()
			switch {
			case tt.incident == "" && got != nil:
				t.Errorf("Decode() = %+v, want nil", got)
			case tt.incident != "" && (got == nil || got.Incident == nil || got.Incident.ID != tt.incident || got.Measure("m1") == nil):
				t.Errorf("Decode() = %+v, want incident %s and measure m1", got, tt.incident)
			}
		})
	}

	// Concurrent callers share one decoded value.
	s := model.NewSubmittedJSON(raw)
	var wg sync.WaitGroup
	got := make([]*model.AsSubmitted, 8)
	for i := range got {
		wg.Go(func() { got[i] = s.Decode() })
	}
	wg.Wait()
	for i := range got {
		if got[i] == nil || got[i] != got[0] {
			t.Fatalf("Decode() from goroutine %d = %p, want the one value %p", i, got[i], got[0])
		}
	}

	// A digest encodes the stored text, undecoded.
	enc, err := json.Marshal(struct{ S *model.SubmittedJSON }{model.NewSubmittedJSON(raw)})
	if want, _ := json.Marshal(struct{ S string }{raw}); err != nil || string(enc) != string(want) {
		t.Errorf("json.Marshal = %s, %v; want %s", enc, err, want)
	}
}
