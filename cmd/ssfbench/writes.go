package main

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/ssfgraph/ssfgraph/bench"
)

// writeBench measures assessIncident on ssfgraph (with an analyst's token)
// against the peer's generated updateAssessments, at 1 and 8 clients in
// interleaved rounds, and writes a Markdown section to w. servers are
// ssfgraph and, when measured, the peer.
func writeBench(ctx context.Context, w, progress io.Writer, c *http.Client, cfg *config, d *bench.Dataset, servers []bench.Server) error {
	bodies := map[string]bench.Bodies{}
	for _, s := range servers {
		bodies[s.Name] = d.AssessBodies(s.Name == bench.Peer)
	}
	t := bench.Table{Head: []string{"clients", "ssfgraph writes/s", "peer writes/s", "ssfgraph/peer", "p50 ssfgraph", "p50 peer", "p99 ssfgraph", "p99 peer",
		"server CPU/write ssfgraph", "peer", "Neo4j CPU/write for ssfgraph", "for peer"}}
	for _, srv := range servers {
		if _, err := bench.Round(ctx, c, srv, bodies[srv.Name], 4, cfg.warmup, 0); err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
	}
	for _, n := range []int{1, 8} {
		samples, err := bench.Interleave(ctx, c, servers, bodies, n, cfg.rounds, cfg.round, cfg.neo4jPID)
		if err != nil {
			return fmt.Errorf("at %d clients: %w", n, err)
		}
		s, p := samples[bench.Ssfgraph], samples[bench.Peer]
		if p == nil {
			p = &bench.Sample{}
		}
		t.Rows = append(t.Rows, []string{fmt.Sprint(n),
			fmt.Sprintf("%.1f", s.PerSecond()), fmt.Sprintf("%.1f", p.PerSecond()), bench.Ratio(s.PerSecond(), p.PerSecond()),
			bench.Millis(bench.Percentile(s.Latencies, 50)), bench.Millis(bench.Percentile(p.Latencies, 50)),
			bench.Millis(bench.Percentile(s.Latencies, 99)), bench.Millis(bench.Percentile(p.Latencies, 99)),
			bench.Millis(s.PerRequest(s.CPU)), bench.Millis(p.PerRequest(p.CPU)),
			bench.Millis(s.PerRequest(s.Neo4jCPU)), bench.Millis(p.PerRequest(p.Neo4jCPU))})
		fmt.Fprintf(progress, "writes at %d clients: %s\n", n, summary(servers, samples))
	}
	fmt.Fprintln(w, "## Writes: assessIncident against the peer's updateAssessments")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Each client re-rates the incidents of an analysis of its own (axis-1 and axis-2 levels that change each time). ssfgraph's",
		"`assessIncident` (an analyst's token) checks the caller's rights and the input, derives the category, and records a change and an",
		"audit event in the same transaction, then feeds the live comparison; the peer's generated `updateAssessments` sets four",
		"properties of the node found by id, with nothing else. A warm-up, then the same rounds as the reads.")
	fmt.Fprintln(w)
	t.Write(w)
	return nil
}
