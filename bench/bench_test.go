package bench_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/bench"
)

func ms(ns ...int) []time.Duration {
	out := make([]time.Duration, len(ns))
	for i, n := range ns {
		out[i] = time.Duration(n) * time.Millisecond
	}
	return out
}

func TestPercentile(t *testing.T) {
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i // 100, 99, …, 1: unsorted
	}
	for _, tt := range []struct {
		name string
		ds   []time.Duration
		p    float64
		want time.Duration
	}{
		{"None", nil, 50, 0},
		{"One", ms(7), 99, 7 * time.Millisecond},
		{"MedianOfOdd", ms(30, 10, 20), 50, 20 * time.Millisecond},
		{"MedianOfEvenIsLowerMiddle", ms(40, 10, 30, 20), 50, 20 * time.Millisecond},
		{"P99OfHundred", ms(hundred...), 99, 99 * time.Millisecond},
		{"P100IsMax", ms(hundred...), 100, 100 * time.Millisecond},
		{"P1IsMin", ms(hundred...), 1, 1 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := append([]time.Duration(nil), tt.ds...)
			if got := bench.Percentile(tt.ds, tt.p); got != tt.want {
				t.Errorf("Percentile(%v, %v) = %v, want %v", tt.ds, tt.p, got, tt.want)
			}
			for i := range before {
				if tt.ds[i] != before[i] {
					t.Fatalf("Percentile changed its input: %v, was %v", tt.ds, before)
				}
			}
		})
	}
}

func TestRatioAndUnits(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{bench.Ratio(3, 2), "1.50×"},
		{bench.Ratio(1, 3), "0.33×"},
		{bench.Ratio(0, 3), "—"},
		{bench.Ratio(3, 0), "—"},
		{bench.Millis(1500 * time.Millisecond), "1500 ms"},
		{bench.Millis(12340 * time.Microsecond), "12.3 ms"},
		{bench.Millis(1234 * time.Microsecond), "1.23 ms"},
		{bench.Millis(0), "—"},
		{bench.MiB(230 << 20), "230 MiB"},
		{bench.MiB(0), "—"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// TestReadTables checks the table's figures and ratios for known samples,
// and "—" for a server that was not measured.
func TestReadTables(t *testing.T) {
	ssf := &bench.Sample{Latencies: ms(100, 100, 100, 100), Elapsed: 2 * time.Second, CPU: 400 * time.Millisecond, Neo4jCPU: 80 * time.Millisecond}
	floor := &bench.Sample{Latencies: ms(10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10), Elapsed: time.Second, CPU: 40 * time.Millisecond}
	var buf bytes.Buffer
	bench.WriteReadTables(&buf, []bench.Cell{{Query: "one target", Clients: 8,
		Samples: map[string]*bench.Sample{bench.Ssfgraph: ssf, bench.FloorName: floor}}})
	out := buf.String()
	for _, want := range []string{
		// 2 req/s against the floor's 20: 0.10×; p50 100 ms against 10 ms: 10.00×.
		"| one target | 8 | 2.0 | 20.0 | — | — | 0.10× | 100 ms | 10.0 ms | — | 10.00× | 100 ms | 10.0 ms | — |",
		// CPU per request: 100 ms against 2 ms: 50.00×; Neo4j 20 ms per ssfgraph read.
		"| one target | 8 | 100 ms | 2.00 ms | — | — | 50.00× | 20.0 ms | — | — | 4 / 20 / 0 |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks\n%s\ngot\n%s", want, out)
		}
	}
}

// TestCountAnswer counts an ssfgraph-shaped and a peer-shaped answer of the
// same data alike, and refuses errors.
func TestCountAnswer(t *testing.T) {
	want := bench.Counts{Targets: 1, Analyses: 2, Assessments: 3, Treatments: 2, Clauses: 3}
	ssf := `{"data":{"target":{"id":"t","analyses":[
	  {"id":"a","notApplicable":[{"reason":"r","clause":{"ref":"x"}}],"assessments":[
	    {"id":"s1","incident":{"name":"i"},"threats":[{"name":"th"}],"treatments":[
	      {"status":"IMPLEMENTED","measure":{"name":"m","clauses":[{"clause":{"ref":"c1"}},{"clause":{"ref":"c2"}}]}},
	      {"status":"IMPLEMENTED","measure":{"name":"m","clauses":[{"clause":{"ref":"c3"}}]}}]},
	    {"id":"s2","incident":{"name":"i"},"threats":[],"treatments":[]}]},
	  {"id":"b","notApplicable":[],"assessments":[{"id":"s3","incident":{"name":"i"},"threats":[],"treatments":[]}]}]}}}`
	peer := `{"data":{"targets":[{"id":"t","analyses":[
	  {"id":"a","notApplicable":{"edges":[{"properties":{"reason":"r"},"node":{"ref":"x"}}]},"assessments":[
	    {"id":"s1","incident":[{"name":"i"}],"threats":[{"name":"th"}],"treatments":[
	      {"status":"IMPLEMENTED","measure":[{"name":"m","clauses":[{"ref":"c1"},{"ref":"c2"}]}]},
	      {"status":"IMPLEMENTED","measure":[{"name":"m","clauses":[{"ref":"c3"}]}]}]},
	    {"id":"s2","incident":[{"name":"i"}],"threats":[],"treatments":[]}]},
	  {"id":"b","notApplicable":{"edges":[]},"assessments":[{"id":"s3","incident":[],"threats":[],"treatments":[]}]}]}]}}`
	for name, raw := range map[string]string{"ssfgraph": ssf, "peer": peer} {
		got, err := bench.CountAnswer([]byte(raw))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got != want {
			t.Errorf("%s: %+v, want %+v", name, got, want)
		}
	}
	for _, raw := range []string{`{"errors":[{"message":"no"}],"data":null}`, `{"data":null}`, `<html>`} {
		if _, err := bench.CountAnswer([]byte(raw)); err == nil {
			t.Errorf("CountAnswer(%s): no error", raw)
		}
	}
}

// TestProcOfThisProcess reads this process's CPU time and memory: both
// positive, and CPU time grows with work.
func TestProcOfThisProcess(t *testing.T) {
	pid := os.Getpid()
	before, err := bench.ProcCPU(pid)
	if err != nil {
		t.Fatal(err)
	}
	for start := time.Now(); time.Since(start) < 100*time.Millisecond; {
	}
	after, err := bench.ProcCPU(pid)
	if err != nil {
		t.Fatal(err)
	}
	if after <= before {
		t.Errorf("CPU time %v after 100 ms of spinning, %v before", after, before)
	}
	m, err := bench.ProcMemory(pid)
	if err != nil {
		t.Fatal(err)
	}
	if m.RSS <= 0 || m.Peak < m.RSS {
		t.Errorf("memory %+v: want 0 < RSS <= peak", m)
	}
}

func TestNewDatasetRefusesBadPrefixesAndSizes(t *testing.T) {
	for _, p := range []string{"", "bench", "Bench-", "be nch-", "bench-'"} {
		if _, err := bench.NewDataset(p, bench.DefaultSize); err == nil {
			t.Errorf("NewDataset(%q): no error", p)
		}
	}
	if _, err := bench.NewDataset("bench-", bench.Size{Targets: 1}); err == nil {
		t.Error("NewDataset with 0 analyses: no error")
	}
	d, err := bench.NewDataset("bench-", bench.Size{Targets: 2, AnalysesPerTarget: 3, AssessmentsPerAnalysis: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Targets) != 2 || len(d.Analyses()) != 3 || d.Org != "bench-org" {
		t.Errorf("dataset %+v, analyses %v", d, d.Analyses())
	}
}

// TestRoundCountsFailures runs rounds against a server that fails every
// other request with GraphQL errors, and one that always fails.
func TestRoundCountsFailures(t *testing.T) {
	var n atomic.Int64
	half := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%2 == 0 {
			io.WriteString(w, `{"errors":[{"message":"Neo4j is unavailable"}],"data":null}`)
			return
		}
		io.WriteString(w, `{"data":{"target":{"id":"x","analyses":[]}}}`)
	}))
	defer half.Close()
	s, err := bench.Round(t.Context(), half.Client(), bench.Server{Name: "half", URL: half.URL}, bench.Same([]byte(`{}`)), 2, 50*time.Millisecond, 0)
	if err != nil {
		t.Fatal(err)
	}
	if s.Failed == 0 || s.Requests() == 0 || !strings.Contains(s.FirstError, "Neo4j is unavailable") {
		t.Errorf("answered %d, failed %d (%q): want both, with the server's message", s.Requests(), s.Failed, s.FirstError)
	}
	if d := s.Failed - s.Requests(); d < -2 || d > 2 {
		t.Errorf("answered %d, failed %d: want about half each", s.Requests(), s.Failed)
	}

	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	if _, err := bench.Round(t.Context(), down.Client(), bench.Server{Name: "down", URL: down.URL}, bench.Same([]byte(`{}`)), 2, 20*time.Millisecond, 0); err == nil {
		t.Error("a round in which every request failed: no error")
	}
}

// TestReadTablesShowFailures lists failed requests beside the answered ones.
func TestReadTablesShowFailures(t *testing.T) {
	ssf := &bench.Sample{Latencies: ms(100, 100), Elapsed: time.Second, Failed: 3, FirstError: "ssfgraph: GraphQL errors: Neo4j is unavailable"}
	var buf bytes.Buffer
	bench.WriteReadTables(&buf, []bench.Cell{{Query: "all 20 targets", Clients: 32, Samples: map[string]*bench.Sample{bench.Ssfgraph: ssf}}})
	for _, want := range []string{"| 2 (3) / 0 / 0 |", "- ssfgraph, all 20 targets at 32 clients: 3 of 5 requests failed, first: ssfgraph: GraphQL errors: Neo4j is unavailable"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, buf.String())
		}
	}
}
