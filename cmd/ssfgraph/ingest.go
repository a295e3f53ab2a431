package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/neo4j"
	"github.com/ssfgraph/ssfgraph/ingest"
)

// ingestWarningsShown is how many warnings per file the text report lists.
const ingestWarningsShown = 20

// runIngest is `ssfgraph ingest [--format F] [--dry-run] [--json] FILE...`:
// it reads every file, orders them so that catalogs load before the
// crosswalks and analyses that refer to them (ingest.Order), parses each
// and loads each in its own transaction, so that a file that fails writes
// nothing while the others load. It prints a report per file (counts per
// label and relationship type, warnings with locations), or one JSON
// document with --json, and always ends with a one-line summary (on stderr
// with --json). On a terminal, stderr shows a progress bar. It fails when
// any file fails, after naming each failure with its file and location.
// With --dry-run it writes nothing at all, not even the schema migrations
// that the other commands apply when they connect.
func runIngest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg Config
	fs, envs := cfg.flagSet("ingest", stdout, false)
	cfg.busFlag(fs, envs)
	formatName := fs.String("format", string(ingest.FormatAuto), "the `format` of every FILE: auto (recognise each from its content), native, stix, oscal-catalog, oscal-profile, oscal-mapping, csv-crosswalk or ciso-library")
	dryRun := fs.Bool("dry-run", false, "check everything and count what would change, then write nothing")
	asJSON := fs.Bool("json", false, "print the reports as one JSON document (the summary line goes to stderr)")
	flagArgs, files := splitIngestArgs(fs, args)
	if err := cfg.parse(fs, envs, flagArgs); err != nil {
		return err
	}
	format, err := ingest.ParseFormat(*formatName)
	if err != nil {
		return usageError("--format: %v", err)
	}
	if len(files) == 0 {
		return usageError("no FILE to ingest: ssfgraph ingest [flags] FILE...")
	}
	run := &ingestRun{stdout: stdout, stderr: stderr, json: *asJSON, start: time.Now(), summary: ingest.Summary{DryRun: *dryRun}}

	var docs []ingest.File
	for _, name := range files {
		data, err := readIngestFile(name)
		if err != nil {
			run.fail(name, err)
			continue
		}
		docs = append(docs, ingest.File{Name: name, Data: data, Format: format})
	}
	docs = ingest.Order(docs)
	if len(docs) == 0 {
		return run.finish()
	}

	// Parse first, so that broken files are reported without Neo4j; only
	// native documents need it before (for the axis scales they rate on).
	// A dry run writes nothing at all: it does not migrate the schema
	// either, and checks native documents against the built-in scales when
	// the database has none (it was never migrated).
	log := cfg.logger(stderr)
	db := cfg.db(log)
	defer db.Close(context.WithoutCancel(ctx))
	open := cfg.connect
	if *dryRun {
		open = cfg.connectUnmigrated
	}
	connected := false
	connect := func() error {
		if connected {
			return nil
		}
		if err := open(ctx, db); err != nil {
			return err
		}
		connected = true
		return nil
	}
	var opts ingest.ParseOptions
	for _, d := range docs {
		if f := d.Format; f == ingest.FormatNative || f == ingest.FormatAuto && detected(d) == ingest.FormatNative {
			if err := connect(); err != nil {
				return run.failAll(docs, err)
			}
			if opts.Scales, err = db.Scales(ctx); err != nil {
				return run.failAll(docs, fmt.Errorf("reading the axis scales for native documents: %w", err))
			}
			if *dryRun && len(opts.Scales.Axes) == 0 {
				log.InfoContext(ctx, "the database has no axis scales (it was never migrated): native documents are checked against the built-in IoT-SSF scales")
				opts.Scales = neo4j.DefaultScales()
			}
			break
		}
	}

	var batches []*ingest.Batch
	var names []string
	records := 0
	for _, d := range docs {
		b, err := ingest.Parse(d.Name, d.Data, d.Format, opts)
		if err != nil {
			run.fail(d.Name, err)
			continue
		}
		batches = append(batches, b)
		names = append(names, d.Name)
		records += len(b.Nodes) + len(b.Rels)
	}
	if len(batches) == 0 {
		return run.finish()
	}
	if err := connect(); err != nil {
		for _, name := range names {
			run.fail(name, err)
		}
		return run.finish()
	}
	if ingest.IsTerminal(stderr) {
		run.progress = ingest.NewProgress(stderr, records)
		run.progress.File(names[0])
		ctx = ingest.WithProgress(ctx, run.progress.Add)
	}
	if cfg.Bus != "" && !*dryRun {
		var done func()
		if ctx, done, err = cfg.announceChanges(ctx, "ingest", log); err != nil {
			return run.failAll(docs, err)
		}
		defer done()
	}
	db.LoadBatches(ctx, batches, *dryRun, func(i int, r *ingest.Report, err error) {
		if err != nil {
			run.fail(names[i], err)
		} else {
			run.loaded(names[i], r)
		}
		if run.progress != nil && i+1 < len(names) {
			run.progress.File(names[i+1])
		}
	})
	return run.finish()
}

// detected returns the format of d as DetectFormat recognises it ("" when
// it cannot).
func detected(d ingest.File) ingest.Format {
	f, _ := ingest.DetectFormat(d.Name, d.Data)
	return f
}

// splitIngestArgs separates flags (with their values) from FILE arguments,
// which may come before, between or after the flags; everything after "--"
// is a file.
func splitIngestArgs(fs *flag.FlagSet, args []string) (flags, files []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return flags, append(files, args[i+1:]...)
		case len(a) < 2 || a[0] != '-':
			files = append(files, a)
		default:
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if strings.Contains(name, "=") {
				continue
			}
			f := fs.Lookup(name)
			if f == nil {
				continue // fs.Parse reports it
			}
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
				continue
			}
			if i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
		}
	}
	return flags, files
}

// readIngestFile reads a file of at most ingest.MaxFileBytes.
func readIngestFile(name string) ([]byte, error) {
	fi, err := os.Stat(name)
	switch {
	case err != nil:
		return nil, err
	case fi.IsDir():
		return nil, fmt.Errorf("%s is a directory", name)
	case fi.Size() > ingest.MaxFileBytes:
		return nil, &ingest.Error{File: name, Message: fmt.Sprintf("the file is %d bytes; the limit is %d (64 MiB)", fi.Size(), ingest.MaxFileBytes)}
	}
	return os.ReadFile(name)
}

// ingestRun collects the outcome of each file and prints it.
type ingestRun struct {
	stdout, stderr io.Writer
	json           bool
	start          time.Time
	progress       *ingest.Progress
	summary        ingest.Summary
	results        []ingestResult
}

// ingestResult is one file's outcome in the --json output.
type ingestResult struct {
	File   string         `json:"file"`
	Report *ingest.Report `json:"report,omitempty"`
	Error  *ingestError   `json:"error,omitempty"`
}

// ingestError is a failure in the --json output, located where possible.
type ingestError struct {
	Message string `json:"message"`
	Line    int    `json:"line,omitempty"`
	Path    string `json:"path,omitempty"`
}

func (r *ingestRun) clearProgress() {
	if r.progress != nil {
		r.progress.Clear()
	}
}

// fail records that the file name failed with err and prints the error
// (text mode) on stderr, naming the file and the location.
func (r *ingestRun) fail(name string, err error) {
	r.summary.Add(nil)
	msg := err.Error()
	je := &ingestError{Message: msg}
	if ie, ok := errors.AsType[*ingest.Error](err); ok {
		je = &ingestError{Message: ie.Message, Line: ie.Line, Path: ie.Path}
	}
	if !strings.HasPrefix(msg, name) {
		msg = name + ": " + msg
	}
	r.results = append(r.results, ingestResult{File: name, Error: je})
	if !r.json {
		r.clearProgress()
		fmt.Fprintf(r.stderr, "FAILED %s\n", indentLines(msg))
	}
}

// failAll records that every document failed with err, and finishes.
func (r *ingestRun) failAll(docs []ingest.File, err error) error {
	for _, d := range docs {
		r.fail(d.Name, err)
	}
	return r.finish()
}

// loaded records and prints (text mode) the report of a loaded file.
func (r *ingestRun) loaded(name string, rep *ingest.Report) {
	r.summary.Add(rep)
	r.results = append(r.results, ingestResult{File: name, Report: rep})
	if !r.json {
		r.clearProgress()
		_ = ingest.WriteReport(r.stdout, rep, ingestWarningsShown)
	}
}

// finish prints the JSON document (--json) and the summary line, and
// returns an error when any file failed.
func (r *ingestRun) finish() error {
	r.clearProgress()
	r.summary.Took = time.Since(r.start)
	if r.json {
		out := struct {
			Files   []ingestResult `json:"files"`
			Summary ingest.Summary `json:"summary"`
		}{r.results, r.summary}
		enc := json.NewEncoder(r.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
		fmt.Fprintln(r.stderr, r.summary.String())
	} else {
		fmt.Fprintln(r.stdout, r.summary.String())
	}
	if r.summary.Failed > 0 {
		return fmt.Errorf("%d of %d files failed", r.summary.Failed, r.summary.Files)
	}
	return nil
}

// indentLines indents every line after the first, so that a multi-line
// error stays visibly one item.
func indentLines(s string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}
