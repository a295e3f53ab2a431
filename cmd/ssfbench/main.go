// Command ssfbench is `make bench`: it loads the benchmark's data set into a
// Neo4j, starts ssfgraph (built from this tree), the raw-Cypher floor and the
// @neo4j/graphql peer as processes of their own on loopback, checks that
// their answers hold the same counts, measures the nested reads in
// interleaved rounds, prints the tables and writes BENCHMARKS.md.
//
//	ssfbench [flags]                      the benchmark (README, Benchmarks)
//	ssfbench floor --addr A --neo4j-uri U  serve the floor alone (ssfbench starts it so)
package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ssfgraph/ssfgraph/bench"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jbench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	if len(os.Args) > 1 && os.Args[1] == "floor" {
		err = runFloor(ctx, os.Args[2:])
	} else {
		err = run(ctx, os.Args[1:], os.Stdout)
	}
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "ssfbench:", err)
		os.Exit(1)
	}
}

// runFloor serves bench.Floor on --addr until ctx ends.
func runFloor(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ssfbench floor", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	uri := fs.String("neo4j-uri", cmp.Or(os.Getenv("NEO4J_URI"), "bolt://127.0.0.1:7687"), "Neo4j Bolt URI")
	database := fs.String("neo4j-database", "neo4j", "Neo4j database")
	org := fs.String("org", "", "the caller's organization (sees its non-public analyses too)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := neo4jbench.Open(ctx, *uri, *database)
	if err != nil {
		return fmt.Errorf("floor: %w", err)
	}
	defer db.Close(context.Background())
	mux := http.NewServeMux()
	mux.Handle("POST /graphql", db.Floor(*org, slog.Default()))
	srv := &http.Server{Addr: *addr, Handler: mux, BaseContext: func(net.Listener) context.Context { return ctx }}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("floor: %w", err)
	}
	return nil
}

// config is the benchmark's flags.
type config struct {
	neo4jURI, database string
	neo4jPID           int
	prefix             string
	size               bench.Size
	clients            []int
	rounds             int
	round, warmup      time.Duration
	peerDir            string
	out                string
	extras, writes     bool
	fanout             bool
	reload             bool
}

func parseConfig(args []string) (*config, error) {
	c := &config{size: bench.DefaultSize}
	fs := flag.NewFlagSet("ssfbench", flag.ContinueOnError)
	fs.StringVar(&c.neo4jURI, "neo4j-uri", cmp.Or(os.Getenv("NEO4J_URI"), "bolt://127.0.0.1:7697"), "Neo4j Bolt URI [NEO4J_URI]")
	fs.StringVar(&c.database, "neo4j-database", "neo4j", "Neo4j database")
	fs.IntVar(&c.neo4jPID, "neo4j-pid", 0, "Neo4j's process id, for its CPU per request (0: not measured)")
	fs.BoolVar(&c.reload, "reload", false, "delete and write the data set even when it is there")
	fs.StringVar(&c.prefix, "prefix", "bench-", "id prefix of the data set (lower-case letters and digits, then '-')")
	fs.IntVar(&c.size.Targets, "targets", c.size.Targets, "targets in the data set")
	fs.IntVar(&c.size.AnalysesPerTarget, "analyses", c.size.AnalysesPerTarget, "analyses per target")
	fs.IntVar(&c.size.AssessmentsPerAnalysis, "assessments", c.size.AssessmentsPerAnalysis, "assessments per analysis")
	clients := fs.String("clients", "1,8,32", "comma-separated numbers of concurrent clients")
	fs.IntVar(&c.rounds, "rounds", 2, "interleaved rounds per query and number of clients")
	fs.DurationVar(&c.round, "round", 3*time.Second, "length of one round against one server")
	fs.DurationVar(&c.warmup, "warmup", 3*time.Second, "warm-up per server and query before measuring")
	fs.StringVar(&c.peerDir, "peer", "bench/peer", "folder of the @neo4j/graphql peer (npm ci done); empty: no peer")
	fs.StringVar(&c.out, "out", "BENCHMARKS.md", "Markdown file to write; empty: none")
	fs.BoolVar(&c.writes, "writes", true, "also assessIncident against the peer's updateAssessments, at 1 and 8 clients")
	fs.BoolVar(&c.extras, "extras", true, "also compareAnalyses at 2, 10 and 50 analyses (ssfgraph only)")
	fs.BoolVar(&c.fanout, "fanout", true, "also the comparison's fan-out to 100, 1,000 and 5,000 websocket subscribers (ssfgraph only)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	for _, s := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("--clients: %q is not a positive number", s)
		}
		c.clients = append(c.clients, n)
	}
	if c.rounds < 1 || c.round <= 0 {
		return nil, fmt.Errorf("--rounds and --round must be positive")
	}
	return c, nil
}

// proc is a server process that ssfbench started.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
}

// start starts name's process with its output in dir/name.log.
func start(dir, name string, env []string, bin string, args ...string) (*proc, error) {
	log := filepath.Join(dir, name+".log")
	f, err := os.Create(log)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	f.Close() // the child has its own copy
	return &proc{name: name, cmd: cmd, log: log}, nil
}

// stop ends the process: SIGTERM, then SIGKILL after 10 s.
func (p *proc) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

// tail is the end of the process's log, for error messages.
func (p *proc) tail() string {
	raw, _ := os.ReadFile(p.log)
	if len(raw) > 2000 {
		raw = raw[len(raw)-2000:]
	}
	return string(raw)
}

// freeAddr returns a loopback address with a port that was free just now.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// output runs bin and returns its standard output, or an error with its
// standard error.
func output(ctx context.Context, env []string, bin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w\n%s", filepath.Base(bin), strings.Join(args, " "), err, stderr.String())
	}
	return string(out), nil
}

// waitReady posts body to srv until it answers 200 without errors, the
// process exits, or a minute passes.
func waitReady(ctx context.Context, c *http.Client, srv bench.Server, p *proc, body []byte) error {
	deadline := time.Now().Add(time.Minute)
	for {
		raw, err := bench.Post(ctx, c, srv, body)
		if err == nil {
			if _, err = bench.CountAnswer(raw); err == nil {
				return nil
			}
		}
		if p.cmd.ProcessState != nil || time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%s did not answer: %v\n%s", srv.Name, err, p.tail())
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// runner holds what the benchmark's steps share.
type runner struct {
	cfg    *config
	db     *neo4jbench.DB
	client *http.Client
	out    io.Writer // progress
	tmp    string    // the ssfgraph binary and the servers' logs
	ssfBin string
	neoEnv []string // the Neo4j settings of every ssfgraph command
	procs  []*proc
}

// ssfgraph runs an ssfgraph command and returns its standard output.
func (r *runner) ssfgraph(ctx context.Context, args ...string) (string, error) {
	out, err := output(ctx, r.neoEnv, r.ssfBin, args...)
	return strings.TrimSpace(out), err
}

// token issues a token of org for user with role.
func (r *runner) token(ctx context.Context, org, user, role string) (string, error) {
	return r.ssfgraph(ctx, "token", "create", "--org", org, "--user", user, "--role", role)
}

// start starts a server process on a free loopback port and returns the
// server, its /graphql on that port; args may hold "ADDR" (the address) and
// env "PORT" (the port).
func (r *runner) start(name string, env []string, bin string, args ...string) (bench.Server, *proc, error) {
	addr, err := freeAddr()
	if err != nil {
		return bench.Server{}, nil, err
	}
	_, port, _ := net.SplitHostPort(addr)
	for i, a := range args {
		if a == "ADDR" {
			args[i] = addr
		}
	}
	for i, e := range env {
		if e == "PORT" {
			env[i] = "PORT=" + port
		}
	}
	p, err := start(r.tmp, name, env, bin, args...)
	if err != nil {
		return bench.Server{}, nil, err
	}
	r.procs = append(r.procs, p)
	return bench.Server{Name: name, URL: "http://" + addr + "/graphql", PID: p.cmd.Process.Pid}, p, nil
}

// serve starts an ssfgraph server with the limits that would throttle a
// benchmark off.
func (r *runner) serve(name string) (bench.Server, *proc, error) {
	return r.start(name, r.neoEnv, r.ssfBin, "serve", "--addr", "ADDR", "--log-level", "warn",
		"--rate-per-ip", "0", "--rate-per-token", "0", "--max-cost", "1000000000",
		"--max-websockets", "0", "--max-websockets-per-ip", "0", "--max-websockets-per-token", "0")
}

// read is one of the nested reads: each server's request body, and the
// counts every answer must hold.
type read struct {
	name   string
	bodies map[string]bench.Bodies
	want   bench.Counts
}

// reads returns the nested reads of d for servers.
func reads(cfg *config, d *bench.Dataset, servers []bench.Server) []read {
	one := read{name: "one target", bodies: map[string]bench.Bodies{},
		want: bench.Size{Targets: 1, AnalysesPerTarget: cfg.size.AnalysesPerTarget, AssessmentsPerAnalysis: cfg.size.AssessmentsPerAnalysis}.Counts()}
	all := read{name: fmt.Sprintf("all %d targets", cfg.size.Targets), bodies: map[string]bench.Bodies{}, want: cfg.size.Counts()}
	for _, s := range servers {
		if s.Name == bench.Peer {
			one.bodies[s.Name] = bench.Same(bench.Body(bench.PeerOneTargetQuery, map[string]any{"id": d.Targets[0], "org": d.Org}))
			all.bodies[s.Name] = bench.Same(bench.Body(bench.PeerAllTargetsQuery, map[string]any{"prefix": cfg.prefix + "bt-", "org": d.Org}))
		} else {
			one.bodies[s.Name] = bench.Same(bench.Body(bench.OneTargetQuery, map[string]any{"id": d.Targets[0]}))
			all.bodies[s.Name] = bench.Same(bench.Body(bench.AllTargetsQuery, map[string]any{"text": d.Word, "first": 500}))
		}
	}
	return []read{one, all}
}

// check sends q to srv and fails unless the answer holds q.want.
func (r *runner) check(ctx context.Context, srv bench.Server, q read) error {
	raw, err := bench.Post(ctx, r.client, srv, q.bodies[srv.Name](0, 0))
	if err != nil {
		return err
	}
	got, err := bench.CountAnswer(raw)
	if err != nil {
		return fmt.Errorf("%s, %s: %w", srv.Name, q.name, err)
	}
	if got != q.want {
		return fmt.Errorf("%s answered %q with %+v, want %+v: the servers do not read the same data", srv.Name, q.name, got, q.want)
	}
	return nil
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	cfg, err := parseConfig(args)
	if err != nil {
		return err
	}
	began, load0 := time.Now().UTC(), loadAverage()
	r := &runner{cfg: cfg, out: stdout, neoEnv: []string{"NEO4J_URI=" + cfg.neo4jURI, "NEO4J_DATABASE=" + cfg.database},
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128, MaxConnsPerHost: 128}, Timeout: 5 * time.Minute}}
	if r.db, err = neo4jbench.Open(ctx, cfg.neo4jURI, cfg.database); err != nil {
		return fmt.Errorf("%w (make bench starts its Neo4j: tools/neo4j/neo4j.sh)", err)
	}
	defer r.db.Close(context.Background())
	env, err := describe(ctx, r.db, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "machine: %s\n", env.machine)
	if r.tmp, err = os.MkdirTemp("", "ssfbench-"); err != nil {
		return err
	}
	defer os.RemoveAll(r.tmp)
	defer func() {
		for _, p := range r.procs {
			p.stop()
		}
	}()
	r.ssfBin = filepath.Join(r.tmp, "ssfgraph")
	fmt.Fprintln(stdout, "building ssfgraph from this tree...")
	if _, err := output(ctx, nil, "go", "build", "-o", r.ssfBin, "./cmd/ssfgraph"); err != nil {
		return err
	}
	if _, err := r.ssfgraph(ctx, "migrate"); err != nil {
		return err
	}

	// The data set.
	d, err := bench.NewDataset(cfg.prefix, cfg.size)
	if err != nil {
		return err
	}
	t0 := time.Now()
	if cfg.reload {
		if err := r.db.Delete(ctx, d); err != nil {
			return err
		}
	}
	if err := r.db.Load(ctx, d); err != nil {
		return err
	}
	want := cfg.size.Counts()
	verb := "already loaded"
	if d.Created {
		verb = fmt.Sprintf("loaded in %.1f s", time.Since(t0).Seconds())
	}
	fmt.Fprintf(stdout, "data set %s (prefix %s): %s; %d analyses, %d assessments, %d treatments\n",
		cfg.size, cfg.prefix, verb, want.Analyses, want.Assessments, want.Treatments)
	reader, err := r.token(ctx, d.Org, cfg.prefix+"reader", "viewer")
	if err != nil {
		return err
	}

	// The servers: ssfgraph, the floor, the peer.
	ssf, p, err := r.serve(bench.Ssfgraph)
	if err != nil {
		return err
	}
	ssf.Header = http.Header{"Authorization": {"Bearer " + reader}}
	servers, procs := []bench.Server{ssf}, []*proc{p}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	floor, p, err := r.start(bench.FloorName, nil, self, "floor", "--addr", "ADDR", "--neo4j-uri", cfg.neo4jURI,
		"--neo4j-database", cfg.database, "--org", d.Org)
	if err != nil {
		return err
	}
	servers, procs = append(servers, floor), append(procs, p)
	if cfg.peerDir != "" {
		peer, p, err := r.start(bench.Peer, append(slices.Clone(r.neoEnv), "PORT"), "node", filepath.Join(cfg.peerDir, "server.mjs"))
		if err != nil {
			return err
		}
		servers, procs = append(servers, peer), append(procs, p)
	}
	queries := reads(cfg, d, servers)
	for i, s := range servers {
		if err := waitReady(ctx, r.client, s, procs[i], queries[0].bodies[s.Name](0, 0)); err != nil {
			return err
		}
	}
	for _, q := range queries {
		for _, s := range servers {
			if err := r.check(ctx, s, q); err != nil {
				return err
			}
		}
		fmt.Fprintf(stdout, "%s: every server answers %+v\n", q.name, q.want)
	}

	// Warm-up, then the interleaved rounds.
	for _, q := range queries {
		for _, s := range servers {
			if _, err := bench.Round(ctx, r.client, s, q.bodies[s.Name], 4, cfg.warmup, 0); err != nil {
				return fmt.Errorf("warm-up: %w", err)
			}
		}
	}
	var cells []bench.Cell
	for _, q := range queries {
		for _, n := range cfg.clients {
			t0 := time.Now()
			samples, err := bench.Interleave(ctx, r.client, servers, q.bodies, n, cfg.rounds, cfg.round, cfg.neo4jPID)
			if err != nil {
				return fmt.Errorf("%s at %d clients: %w", q.name, n, err)
			}
			cells = append(cells, bench.Cell{Query: q.name, Clients: n, Samples: samples})
			fmt.Fprintf(stdout, "%s at %d clients: %s in %.0f s\n", q.name, n, summary(servers, samples), time.Since(t0).Seconds())
		}
	}
	var names []string
	mem := map[string]bench.Memory{}
	for _, s := range servers {
		names = append(names, s.Name)
		if mem[s.Name], err = bench.ProcMemory(s.PID); err != nil {
			return err
		}
	}

	var extras bytes.Buffer
	if cfg.writes {
		writer, err := r.token(ctx, d.Org, cfg.prefix+"writer", "analyst")
		if err != nil {
			return err
		}
		ws := []bench.Server{ssf}
		ws[0].Header = http.Header{"Authorization": {"Bearer " + writer}}
		if cfg.peerDir != "" {
			ws = append(ws, servers[2])
		}
		if err := writeBench(ctx, &extras, stdout, r.client, cfg, d, ws); err != nil {
			return fmt.Errorf("writes: %w", err)
		}
		// The writes re-rate assessments: the reads must still hold the same.
		if err := r.check(ctx, ssf, queries[1]); err != nil {
			return fmt.Errorf("after the writes: %w", err)
		}
		fmt.Fprintln(&extras)
	}
	if cfg.extras {
		if err := compareBench(ctx, &extras, stdout, r.client, r.db, cfg, ssf); err != nil {
			return fmt.Errorf("compareAnalyses: %w", err)
		}
		fmt.Fprintln(&extras)
	}
	if cfg.fanout {
		if err := r.fanout(ctx, &extras, queries[0].bodies[bench.Ssfgraph](0, 0)); err != nil {
			return fmt.Errorf("fan-out: %w", err)
		}
	}

	var doc bytes.Buffer
	env.load = fmt.Sprintf("%s at the start, %s at the end", load0, loadAverage())
	writeReport(&doc, cfg, env, began, cells, names, mem, extras.String())
	fmt.Fprintln(stdout)
	stdout.Write(doc.Bytes())
	if cfg.out != "" {
		if err := os.WriteFile(cfg.out, doc.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nwrote %s\n", cfg.out)
	}
	return nil
}

// fanout loads a target with 10 analyses and runs fanoutBench on an
// ssfgraph of its own (whose memory the reads have not grown), started
// and checked with ready, a read it answers.
func (r *runner) fanout(ctx context.Context, w io.Writer, ready []byte) error {
	fd, err := bench.NewDataset(strings.TrimSuffix(r.cfg.prefix, "-")+"fan-", bench.Size{Targets: 1, AnalysesPerTarget: 10, AssessmentsPerAnalysis: 50})
	if err != nil {
		return err
	}
	if err := r.db.Load(ctx, fd); err != nil {
		return err
	}
	writer, err := r.token(ctx, fd.Org, fd.Prefix+"writer", "analyst")
	if err != nil {
		return err
	}
	srv, p, err := r.serve("ssfgraph-fanout")
	if err != nil {
		return err
	}
	if err := waitReady(ctx, r.client, srv, p, ready); err != nil {
		return err
	}
	return fanoutBench(ctx, w, r.out, r.client, srv, writer, fd)
}

// summary is one progress line: each server's req/s and p50.
func summary(servers []bench.Server, samples map[string]*bench.Sample) string {
	var parts []string
	for _, s := range servers {
		smp := samples[s.Name]
		parts = append(parts, fmt.Sprintf("%s %.1f req/s p50 %s", s.Name, smp.PerSecond(), bench.Millis(bench.Percentile(smp.Latencies, 50))))
	}
	return strings.Join(parts, ", ")
}

// environment describes the machine and the software measured.
type environment struct {
	machine, neo4j, apoc, node, peer string
	load                             string
}

// loadAverage is the 1-minute load average (/proc/loadavg), or "?".
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(raw)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

func describe(ctx context.Context, db *neo4jbench.DB, cfg *config) (*environment, error) {
	e := &environment{}
	mem := "?"
	if raw, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(raw), "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf("%.0f GiB", float64(kb)/(1<<20))
		}
	}
	model := "?"
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(raw), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	e.machine = fmt.Sprintf("%d CPUs (%s), %s RAM, %s %s/%s", runtime.NumCPU(), model, mem, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	var err error
	if e.neo4j, err = db.Version(ctx); err != nil {
		return nil, err
	}
	if cfg.peerDir != "" {
		if e.apoc, err = db.APOCVersion(ctx); err != nil {
			return nil, fmt.Errorf("the peer needs APOC on the Neo4j at %s (make bench loads it: tools/neo4j/neo4j.sh fetch-apoc): %w", cfg.neo4jURI, err)
		}
		out, err := exec.CommandContext(ctx, "node", "--version").Output()
		if err != nil {
			return nil, fmt.Errorf("node --version: %w (the peer needs Node 20)", err)
		}
		e.node = strings.TrimSpace(string(out))
		var pkg struct{ Version string }
		raw, err := os.ReadFile(filepath.Join(cfg.peerDir, "node_modules/@neo4j/graphql/package.json"))
		if err == nil {
			err = json.Unmarshal(raw, &pkg)
		}
		if err != nil {
			return nil, fmt.Errorf("the peer's packages: %w (run npm ci in %s)", err, cfg.peerDir)
		}
		e.peer = pkg.Version
		if raw, err := os.ReadFile(filepath.Join(cfg.peerDir, "node_modules/graphql-yoga/package.json")); err == nil && json.Unmarshal(raw, &pkg) == nil {
			e.peer += " on graphql-yoga " + pkg.Version
		}
	}
	return e, nil
}

// writeReport writes BENCHMARKS.md.
func writeReport(w io.Writer, cfg *config, env *environment, began time.Time, cells []bench.Cell, names []string, mem map[string]bench.Memory, extras string) {
	fmt.Fprintln(w, "# Benchmarks")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Written by `make bench` (`go run ./cmd/ssfbench`); README, Benchmarks, says what runs and how to read it.")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "- command: `ssfbench %s`\n", strings.Join(os.Args[1:], " "))
	fmt.Fprintf(w, "- date: %s\n", began.Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(w, "- data set: %s, each assessment with its incident, 2 threats, 2 treatments → measures → 1 clause each (%d assessments, %d treatments), prefix `%s`\n",
		cfg.size, cfg.size.Counts().Assessments, cfg.size.Counts().Treatments, cfg.prefix)
	fmt.Fprintf(w, "- machine: %s; 1-minute load average %s (other work shares the CPUs: compare ratios, not absolute figures)\n", env.machine, env.load)
	fmt.Fprintf(w, "- Neo4j: %s", env.neo4j)
	if env.apoc != "" {
		fmt.Fprintf(w, ", APOC %s", env.apoc)
	}
	fmt.Fprintln(w)
	if env.peer != "" {
		fmt.Fprintf(w, "- peer: @neo4j/graphql %s, Node %s\n", env.peer, env.node)
	}
	fmt.Fprintf(w, "- method: warm-up %s per server and query; then per query and number of clients %d interleaved rounds of %s per server (%s); each client sends its next request when the last is answered; CPU from /proc/PID/stat before and after each round\n",
		cfg.warmup, cfg.rounds, cfg.round, strings.Join(names, ", "))
	fmt.Fprintln(w)
	fmt.Fprintln(w, "## Nested reads")
	fmt.Fprintln(w)
	bench.WriteReadTables(w, cells)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "## Memory")
	fmt.Fprintln(w)
	bench.WriteMemoryTable(w, names, mem)
	if extras != "" {
		fmt.Fprintln(w)
		fmt.Fprint(w, extras)
	}
}
