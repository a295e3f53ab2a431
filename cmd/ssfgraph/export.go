package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ssfgraph/ssfgraph/coverage"
	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j"
	"github.com/ssfgraph/ssfgraph/ingest"
	"github.com/ssfgraph/ssfgraph/report"
)

// runExport is `ssfgraph export analysis ID [--format yaml|json]`, or
// `ssfgraph export crosswalk FROM TO [--max-hops N]`, each with
// [--out FILE]. An analysis is written as a native analysis document (YAML
// by default) that `ssfgraph ingest` reads back, giving the same bytes when
// exported again; a crosswalk, the clause-to-clause mapping inferred from
// guideline FROM to guideline TO through every loaded crosswalk, as an
// OSCAL mapping collection (JSON).
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg Config
	fs, envs := cfg.flagSet("export", stdout, false)
	format := fs.String("format", "", "the document's `format`: yaml (the default) or json for an analysis; json for a crosswalk")
	out := fs.String("out", "", "write the document to `FILE` (replacing it) instead of standard output")
	maxHops := fs.Int("max-hops", coverage.DefaultMaxHops, fmt.Sprintf("crosswalk, report: how many mappings a path may walk (1 to %d)", coverage.MaxHopsLimit))
	analysisID := fs.String("analysis", "", "report: the `ID` of the analysis to report on")
	var guidelines stringList
	fs.Var(&guidelines, "guideline", "report: a guideline `ID` to report coverage of (repeat for several)")
	cfg.printUsage = func() {
		fs.SetOutput(stdout)
		fmt.Fprintln(stdout, "Usage: ssfgraph export analysis ID [flags]")
		fmt.Fprintln(stdout, "       ssfgraph export crosswalk FROM_GUIDELINE TO_GUIDELINE [flags]")
		fmt.Fprintln(stdout, "       ssfgraph export report --analysis ID --guideline ID [--guideline ID]... [--format md|json|csv|html] [flags]")
		fmt.Fprintln(stdout, "\nexport analysis writes the analysis ID, with its target, organization, threats, measures and")
		fmt.Fprintln(stdout, "policies, as a native analysis document (docs/native-format.md) that ssfgraph ingest reads back.")
		fmt.Fprintln(stdout, "export crosswalk writes the clause-to-clause mapping inferred between two guidelines through")
		fmt.Fprintln(stdout, "every loaded crosswalk (hub and spoke) as an OSCAL mapping collection, for review elsewhere.")
		fmt.Fprintln(stdout, "export report writes the due-care report of an analysis: ratings and owner departments, measures")
		fmt.Fprintln(stdout, "and the clauses they satisfy, coverage and gaps per guideline, insurance gaps and feedback.")
		fmt.Fprintln(stdout, "\nFlags (each falls back to the environment variable in brackets):")
		fs.PrintDefaults()
		fmt.Fprintln(stdout, "\nNEO4J_PASSWORD (environment only) is the Neo4j password.")
		fs.SetOutput(io.Discard)
	}
	flags, pos := splitExportArgs(fs, args)
	if err := cfg.parse(fs, envs, flags); err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageError("nothing to export: give export analysis ID, export crosswalk FROM TO or export report --analysis ID --guideline ID")
	}
	var export func(ctx context.Context, db *neo4j.DB) ([]byte, string, error)
	switch pos[0] {
	case "analysis":
		if len(pos) != 2 {
			return exportArity(pos, "export analysis needs the analysis's ID")
		}
		f := cmp.Or(*format, ingest.ExportYAML)
		if f != ingest.ExportYAML && f != ingest.ExportJSON {
			return usageError("--format must be yaml or json, got %q", f)
		}
		export = func(ctx context.Context, db *neo4j.DB) ([]byte, string, error) {
			return exportAnalysis(ctx, db, &cfg, pos[1], f)
		}
	case "crosswalk":
		if len(pos) != 3 {
			return exportArity(pos, "export crosswalk needs two guideline ids: FROM TO")
		}
		if *format != "" && *format != ingest.ExportJSON {
			return usageError("a crosswalk exports as OSCAL JSON only, not %q", *format)
		}
		if err := coverage.CheckMaxHops(*maxHops); err != nil {
			return usageError("--max-hops %v", err)
		}
		export = func(ctx context.Context, db *neo4j.DB) ([]byte, string, error) {
			return exportCrosswalk(ctx, db, pos[1], pos[2], *maxHops)
		}
	case "report":
		if len(pos) > 1 {
			return usageError("unexpected argument %q: name the analysis with --analysis ID", pos[1])
		}
		if *analysisID == "" || len(guidelines) == 0 {
			return usageError("export report needs --analysis ID and at least one --guideline ID")
		}
		f, err := report.ParseFormat(cmp.Or(*format, string(report.Markdown)))
		if err != nil {
			return usageError("--format: %v", err)
		}
		if err := coverage.CheckMaxHops(*maxHops); err != nil {
			return usageError("--max-hops %v", err)
		}
		export = func(ctx context.Context, db *neo4j.DB) ([]byte, string, error) {
			r, err := report.Build(ctx, db, *analysisID, guidelines, *maxHops, time.Now())
			if err != nil {
				return nil, "", err
			}
			data, err := r.Bytes(f)
			return data, fmt.Sprintf("the due-care report of analysis %s (%s)", *analysisID, f), err
		}
	default:
		return usageError("cannot export %q: export analysis ID, export crosswalk FROM TO or export report", pos[0])
	}
	db := cfg.db(cfg.logger(stderr))
	defer db.Close(context.WithoutCancel(ctx))
	if err := cfg.connect(ctx, db); err != nil {
		return err
	}
	data, what, err := export(ctx, db)
	if err != nil {
		return err
	}
	return writeOutput(stdout, stderr, *out, data, what)
}

// writeOutput writes what an export command made: to standard output, or
// to the file out (atomically), saying so on stderr.
func writeOutput(stdout, stderr io.Writer, out string, data []byte, what string) error {
	if out == "" {
		_, err := stdout.Write(data)
		return err
	}
	if err := writeFileAtomic(out, data); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "exported %s to %s\n", what, out)
	return nil
}

// stringList is a flag that may be given several times.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// exportArity explains a wrong number of export arguments.
func exportArity(pos []string, missing string) error {
	want := map[string]int{"analysis": 2, "crosswalk": 3}[pos[0]]
	if len(pos) > want {
		return usageError("unexpected argument %q", pos[want])
	}
	return usageError("%s", missing)
}

// exportAnalysis reads one analysis as a native document.
func exportAnalysis(ctx context.Context, db *neo4j.DB, cfg *Config, id, format string) ([]byte, string, error) {
	doc, err := db.ExportAnalysis(ctx, id)
	if err != nil {
		if model.ErrorCode(err) == model.ENOTFOUND {
			return nil, "", fmt.Errorf("no analysis %q in %s (database %s)", id, cfg.Neo4jURI, cfg.Neo4jDatabase)
		}
		return nil, "", err
	}
	data, err := ingest.MarshalDocument(doc, format)
	return data, fmt.Sprintf("analysis %s (%d assessments)", id, len(doc.Analysis.Assessments)), err
}

// exportCrosswalk infers the crosswalk between two guidelines and writes
// it as an OSCAL mapping collection.
func exportCrosswalk(ctx context.Context, db *neo4j.DB, fromID, toID string, maxHops int) ([]byte, string, error) {
	from, to, edges, err := db.CrosswalkInput(ctx, fromID, toID, maxHops)
	if err != nil {
		return nil, "", err
	}
	res := coverage.Crosswalk(from, to, edges, maxHops)
	nodes, err := db.Nodes(ctx, []string{fromID, toID})
	if err != nil {
		return nil, "", err
	}
	side := func(id string) ingest.CrosswalkGuideline {
		g := ingest.CrosswalkGuideline{ID: id, Title: id}
		if n, ok := nodes[id].(*model.Guideline); ok {
			g.Title, g.Version = n.Title, n.Version
		}
		return g
	}
	doc := &ingest.CrosswalkDocument{From: side(fromID), To: side(toID), MaxHops: maxHops,
		UnmappedFrom: res.UnmappedFrom, UnmappedTo: res.UnmappedTo, Generated: time.Now()}
	for _, m := range res.Mappings {
		path := []string{m.From}
		for _, s := range m.Path.Steps {
			path = append(path, s.To)
		}
		doc.Entries = append(doc.Entries, ingest.CrosswalkEntry{Source: m.From, Target: m.To, Relationship: string(m.Path.Relation),
			Score: m.Path.Score, Confidence: m.Path.Confidence, Path: path})
	}
	data, err := ingest.MarshalOSCALCrosswalk(doc)
	return data, fmt.Sprintf("crosswalk %s → %s (%d mappings)", fromID, toID, len(doc.Entries)), err
}

// splitExportArgs separates flags (with their values) from the positional
// arguments, so that flags may come before or after `analysis ID`.
func splitExportArgs(fs *flag.FlagSet, args []string) (flags, pos []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return flags, append(pos, args[i+1:]...)
		case a == "-" || !strings.HasPrefix(a, "-"):
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			continue // parse reports it
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			continue
		}
		if i+1 < len(args) {
			flags = append(flags, args[i+1])
			i++
		}
	}
	return flags, pos
}

// writeFileAtomic writes data to a temporary file beside name and renames
// it over name, so that a failed export never leaves half a document.
func writeFileAtomic(name string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", name, err)
	}
	return nil
}
