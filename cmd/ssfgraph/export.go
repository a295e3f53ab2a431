package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/ingest"
)

// runExport is `ssfgraph export analysis ID [--format yaml|json] [--out FILE]`:
// it reads one analysis with everything a native analysis document holds
// and writes it as one (YAML by default), to standard output or to FILE.
// `ssfgraph ingest` reads the output back; exporting again gives the same
// bytes.
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg Config
	fs, envs := cfg.flagSet("export", stdout, false)
	format := fs.String("format", ingest.ExportYAML, "the document's `format`: yaml or json")
	out := fs.String("out", "", "write the document to `FILE` (replacing it) instead of standard output")
	cfg.printUsage = func() {
		fs.SetOutput(stdout)
		fmt.Fprintln(stdout, "Usage: ssfgraph export analysis ID [flags]")
		fmt.Fprintln(stdout, "\nWrites the analysis ID, with its target, organization, threats, measures and policies,")
		fmt.Fprintln(stdout, "as a native analysis document (docs/native-format.md) that ssfgraph ingest reads back.")
		fmt.Fprintln(stdout, "\nFlags (each falls back to the environment variable in brackets):")
		fs.PrintDefaults()
		fmt.Fprintln(stdout, "\nNEO4J_PASSWORD (environment only) is the Neo4j password.")
		fs.SetOutput(io.Discard)
	}
	flags, pos := splitExportArgs(fs, args)
	if err := cfg.parse(fs, envs, flags); err != nil {
		return err
	}
	switch {
	case len(pos) == 0:
		return usageError("nothing to export: give export analysis ID")
	case pos[0] != "analysis":
		return usageError("cannot export %q: only analyses export (export analysis ID)", pos[0])
	case len(pos) == 1:
		return usageError("export analysis needs the analysis's ID")
	case len(pos) > 2:
		return usageError("unexpected argument %q", pos[2])
	}
	id := pos[1]
	if *format != ingest.ExportYAML && *format != ingest.ExportJSON {
		return usageError("--format must be yaml or json, got %q", *format)
	}
	db := cfg.db(cfg.logger(stderr))
	defer db.Close(context.WithoutCancel(ctx))
	if err := cfg.connect(ctx, db); err != nil {
		return err
	}
	doc, err := db.ExportAnalysis(ctx, id)
	if err != nil {
		if model.ErrorCode(err) == model.ENOTFOUND {
			return fmt.Errorf("no analysis %q in %s (database %s)", id, cfg.Neo4jURI, cfg.Neo4jDatabase)
		}
		return err
	}
	data, err := ingest.MarshalDocument(doc, *format)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err := stdout.Write(data)
		return err
	}
	if err := writeFileAtomic(*out, data); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "exported analysis %s (%d assessments) to %s\n", id, len(doc.Analysis.Assessments), *out)
	return nil
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
