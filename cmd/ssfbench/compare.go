package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/ssfgraph/ssfgraph/bench"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jbench"
	"github.com/ssfgraph/ssfgraph/live"
)

// compareQuery is BenchmarkCompareAnalyses' summary read, of the given
// (draft) analyses.
const compareQuery = `query($t: ID!, $ids: [ID!]) { compareAnalyses(targetId: $t, analysisIds: $ids, includeDrafts: true) { revision analyses { analysis { id } incidents perspectives { perspective measures } }
  agreement { axis1 { value } axis2 { value } category { value } } pairs { a b axis1 { kappa { value } } incidents measures }
  hotspots { score incident { id } } } }`

// compareBench measures compareAnalyses on ssfgraph for one target with 2,
// 10 and 50 analyses of 50 assessments each: cold (the first read after
// the server's snapshot cache expired, live.DefaultCacheTTL) and warm (back
// to back), and writes a Markdown section to w.
func compareBench(ctx context.Context, w, progress io.Writer, c *http.Client, db *neo4jbench.DB, cfg *config, ssf bench.Server) error {
	const assessments, coldReads, warmReads = 50, 5, 20
	t := bench.Table{Head: []string{"analyses", "assessments", "cold p50", "cold max", "warm p50", "warm p99"}}
	for _, n := range []int{2, 10, 50} {
		d, err := bench.NewDataset(fmt.Sprintf("%scmp%d-", strings.TrimSuffix(cfg.prefix, "-"), n),
			bench.Size{Targets: 1, AnalysesPerTarget: n, AssessmentsPerAnalysis: assessments})
		if err != nil {
			return err
		}
		if err := db.Load(ctx, d); err != nil {
			return err
		}
		body := bench.Body(compareQuery, map[string]any{"t": d.Targets[0], "ids": d.Analyses()})
		read := func() (time.Duration, error) {
			t0 := time.Now()
			raw, err := bench.Post(ctx, c, ssf, body)
			if err == nil && strings.Contains(string(raw), `"errors":`) {
				err = fmt.Errorf("compareAnalyses: %.300s", raw)
			}
			return time.Since(t0), err
		}
		var cold, warm []time.Duration
		for range coldReads {
			select {
			case <-time.After(live.DefaultCacheTTL + 200*time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
			dt, err := read()
			if err != nil {
				return err
			}
			cold = append(cold, dt)
		}
		for range warmReads {
			dt, err := read()
			if err != nil {
				return err
			}
			warm = append(warm, dt)
		}
		t.Rows = append(t.Rows, []string{fmt.Sprint(n), fmt.Sprint(n * assessments),
			bench.Millis(bench.Percentile(cold, 50)), bench.Millis(bench.Percentile(cold, 100)),
			bench.Millis(bench.Percentile(warm, 50)), bench.Millis(bench.Percentile(warm, 99))})
		fmt.Fprintf(progress, "compareAnalyses at %d analyses: cold p50 %s, warm p50 %s\n", n,
			bench.Millis(bench.Percentile(cold, 50)), bench.Millis(bench.Percentile(warm, 50)))
	}
	fmt.Fprintln(w, "## compareAnalyses (ssfgraph only)")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "One target whose analyses each assess the same %d incidents; one client. Cold: %d reads, each %s after the last, when the server's snapshot cache (`live.DefaultCacheTTL`) has expired; warm: %d reads back to back.\n\n",
		assessments, coldReads, live.DefaultCacheTTL+200*time.Millisecond, warmReads)
	t.Write(w)
	return nil
}
