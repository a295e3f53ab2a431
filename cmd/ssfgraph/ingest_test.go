package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/neo4j"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/ingest"
)

// ingestDataDir returns the shared real data sets: SSFGRAPH_DATA, or
// ../shared/data beside the repository. It fails the test when they are
// missing.
func ingestDataDir(t testing.TB) string {
	t.Helper()
	return neo4jtest.DataDir(t)
}

// ingestCLI runs `ssfgraph ingest args...` and returns the exit code,
// stdout and stderr.
func ingestCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), append([]string{"ingest"}, args...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// unreachable are flags that point at a Neo4j nobody runs: a test that
// passes them shows that the command never needed the database.
var unreachable = []string{"--neo4j-uri", "bolt://127.0.0.1:1", "--neo4j-wait", "300ms"}

// lastLine returns the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestIngestCommandLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	unknown := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(unknown, []byte("just some words\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.json")
	for _, tt := range []struct {
		name   string
		args   []string
		code   int
		stderr string // in stderr
		stdout string // in the last line of stdout
	}{
		{"BadFormat", []string{"--format", "xml", missing}, exitUsage, `--format: unknown format "xml": use one of auto, native, stix`, ""},
		{"NoFile", []string{"--dry-run"}, exitUsage, "no FILE to ingest", ""},
		{"UnknownFlag", []string{"--bogus", missing}, exitUsage, "flag provided but not defined: -bogus", ""},
		{"MissingFile", []string{missing}, exitError, "FAILED " + missing + ": ", "ingest: 1 file, 1 failed"},
		{"FlagsAfterFiles", []string{missing, "--format", "stix", "--dry-run"}, exitError, "no such file", "ingest (dry run: nothing written): 1 file, 1 failed"},
		{"Directory", []string{dir}, exitError, dir + " is a directory", "1 failed"},
		{"CannotTell", []string{unknown}, exitError, "FAILED " + unknown + ": cannot tell the format", "1 failed"},
		{"ExplicitFormatMismatch", []string{"--format", "stix", unknown}, exitError, "FAILED " + unknown + ":1", "1 failed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := ingestCLI(t, append(append([]string{}, unreachable...), tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.code, stderr)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr %q does not contain %q", stderr, tt.stderr)
			}
			if tt.stdout != "" && !strings.Contains(lastLine(stdout), tt.stdout) {
				t.Errorf("last line of stdout %q does not contain %q", lastLine(stdout), tt.stdout)
			}
			if strings.Contains(stderr, "127.0.0.1:1") {
				t.Errorf("the command tried Neo4j although no file could be loaded: %s", stderr)
			}
		})
	}
}

// TestIngestBrokenRealFiles truncates and corrupts copies of real data
// sets: each fails, naming the file and the line, before anything is sent
// to Neo4j (which is unreachable here), and a good file given in the same
// run is still checked on its own.
func TestIngestBrokenRealFiles(t *testing.T) {
	t.Parallel()
	data := ingestDataDir(t)
	dir := t.TempDir()
	read := func(rel string) []byte {
		b, err := os.ReadFile(filepath.Join(data, rel))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	catalog := read("nist-sp800-53r5-oscal/NIST_SP-800-53_rev5_catalog.json")
	attack := read("mitre-attack-ics/ics-attack-18.1.json")
	crosswalk := read(ingestCrosswalk)
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"truncated-800-53.json", catalog[:len(catalog)/2]},
		{"corrupted-attack.json", append(append(append([]byte{}, attack[:len(attack)/3]...), []byte("}}}")...), attack[len(attack)/3:]...)},
		{"truncated-crosswalk.csv", ingestCutRow(t, crosswalk, 100)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name)
			if err := os.WriteFile(path, tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := ingestCLI(t, append(append([]string{}, unreachable...), path)...)
			if code != exitError {
				t.Errorf("exit %d, want %d", code, exitError)
			}
			if !regexp.MustCompile(regexp.QuoteMeta("FAILED "+path) + `:[1-9][0-9]*: `).MatchString(stderr) {
				t.Errorf("stderr does not name the file and a line: %s", stderr)
			}
			if strings.Contains(stderr, "Neo4j") || strings.Contains(stderr, "127.0.0.1:1") {
				t.Errorf("a file that does not parse reached for Neo4j: %s", stderr)
			}
			if !strings.HasPrefix(lastLine(stdout), "ingest: 1 file, 1 failed") {
				t.Errorf("summary = %q", lastLine(stdout))
			}
		})
	}
}

// ingestBundle writes a small STIX bundle whose ATT&CK ids start with p;
// the bundle names no domain, so its node ids are "stix:" + p + "T0001" and
// so on.
func ingestBundle(t *testing.T, p, name string) string {
	t.Helper()
	obj := func(typ, uuid, ext, name string) string {
		return fmt.Sprintf(`{"type": %q, "spec_version": "2.1", "id": "%s--%s", "name": %q, "description": "d",
			"external_references": [{"source_name": "mitre-attack", "external_id": "%s%s"}]}`, typ, typ, uuid, name, p, ext)
	}
	rel := func(uuid, typ, from, to string) string {
		return fmt.Sprintf(`{"type": "relationship", "spec_version": "2.1", "id": "relationship--%s", "relationship_type": %q,
			"source_ref": %q, "target_ref": %q, "description": "because"}`, uuid, typ, from, to)
	}
	const u = "00000000-0000-4000-8000-0000000000"
	doc := `{"type": "bundle", "id": "bundle--` + u + `00", "objects": [` + strings.Join([]string{
		obj("attack-pattern", u+"01", "T0001", "One"),
		obj("attack-pattern", u+"02", "T0002", "Two"),
		obj("course-of-action", u+"03", "M0001", "Mitigate"),
		obj("x-mitre-asset", u+"04", "A0001", "PLC"),
		rel(u+"05", "mitigates", "course-of-action--"+u+"03", "attack-pattern--"+u+"01"),
		rel(u+"06", "targets", "attack-pattern--"+u+"01", "x-mitre-asset--"+u+"04"),
	}, ",\n") + `]}`
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		neo4jtest.AnalysisExec(t, `MATCH (n) WHERE n.id STARTS WITH $p DETACH DELETE n`, map[string]any{"p": "stix:" + p})
	})
	return path
}

// ingestJSON is the --json output.
type ingestJSON struct {
	Files []struct {
		File   string
		Report *ingest.Report
		Error  *struct {
			Message string
			Line    int
			Path    string
		}
	}
	Summary ingest.Summary
}

func decodeIngestJSON(t *testing.T, stdout string) ingestJSON {
	t.Helper()
	var out ingestJSON
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, stdout)
	}
	return out
}

func TestIngestDryRunThenLoadThenNothingChanges(t *testing.T) {
	t.Parallel()
	p := neo4jtest.Prefix(t)
	path := ingestBundle(t, p, "bundle.json")
	uri := []string{"--neo4j-uri", neo4jtest.URI()}
	before := neo4jtest.Snapshot(t, "stix:"+p)

	code, stdout, stderr := ingestCLI(t, append(uri, "--dry-run", "--json", path)...)
	if code != exitOK {
		t.Fatalf("--dry-run: exit %d: %s", code, stderr)
	}
	out := decodeIngestJSON(t, stdout)
	if len(out.Files) != 1 || out.Files[0].Report == nil || !out.Files[0].Report.DryRun {
		t.Fatalf("--dry-run --json: %s", stdout)
	}
	rep := out.Files[0].Report
	if rep.Nodes["Threat"] != (ingest.Counts{Created: 2}) || rep.Rels["MITIGATED_BY"] != (ingest.Counts{Created: 1}) || rep.Rels["TARGETS"] != (ingest.Counts{Created: 1}) {
		t.Errorf("dry-run counts: nodes %v, relationships %v", rep.Nodes, rep.Rels)
	}
	if !out.Summary.DryRun || out.Summary.Nodes.Created != 4 || !strings.HasPrefix(lastLine(stderr), "ingest (dry run: nothing written): 1 file, 0 failed") {
		t.Errorf("dry-run summary: %+v; stderr ends %q", out.Summary, lastLine(stderr))
	}
	if after := neo4jtest.Snapshot(t, "stix:"+p); after != before {
		t.Errorf("--dry-run wrote: %s", after)
	}

	code, stdout, stderr = ingestCLI(t, append(uri, path)...)
	if code != exitOK {
		t.Fatalf("ingest: exit %d: %s", code, stderr)
	}
	if want := "ingest: 1 file, 0 failed: nodes 4 created, 0 updated, 0 unchanged; relationships 2 created, 0 updated, 0 unchanged"; !strings.HasPrefix(lastLine(stdout), want) {
		t.Errorf("summary %q, want it to start with %q", lastLine(stdout), want)
	}
	for _, want := range []string{path + " (stix): 4 nodes, 2 relationships", "Threat", "MITIGATED_BY"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report does not contain %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stderr, "\r") {
		t.Errorf("a progress bar was drawn on a stderr that is not a terminal: %q", stderr)
	}
	if neo4jtest.Snapshot(t, "stix:"+p) == before {
		t.Error("ingest wrote nothing")
	}

	code, stdout, stderr = ingestCLI(t, append(uri, path)...)
	if code != exitOK {
		t.Fatalf("second ingest: exit %d: %s", code, stderr)
	}
	if want := "ingest: 1 file, 0 failed: nodes 0 created, 0 updated, 4 unchanged; relationships 0 created, 0 updated, 2 unchanged"; !strings.HasPrefix(lastLine(stdout), want) {
		t.Errorf("second summary %q, want it to start with %q", lastLine(stdout), want)
	}
}

// TestIngestOrdersFilesOfOneRun gives a crosswalk before the two catalogs it
// joins, in a dry run (which checks each file against what the files before
// it would write): the catalogs are loaded first and the crosswalk finds
// every clause the loaded catalogs have.
func TestIngestOrdersFilesOfOneRun(t *testing.T) {
	t.Parallel()
	data := ingestDataDir(t)
	mapping := filepath.Join(data, "nist-csf2-to-sp800-53r5-oscal-mapping", "NIST_CSF_v2.0-to-NIST_SP-800-53_rev5.mapping-collection.json")
	sp80053 := filepath.Join(data, "nist-sp800-53r5-oscal", "NIST_SP-800-53_rev5_catalog.json")
	csf := filepath.Join(data, "nist-csf2-to-sp800-53r5-oscal-mapping", "NIST_CSF_v2.0.catalog.json")
	code, stdout, stderr := ingestCLI(t, "--neo4j-uri", neo4jtest.URI(), "--dry-run", "--json", mapping, sp80053, csf)
	if code != exitOK {
		t.Fatalf("exit %d: %s\n%s", code, stderr, stdout)
	}
	out := decodeIngestJSON(t, stdout)
	var order []string
	for _, f := range out.Files {
		order = append(order, filepath.Base(f.File))
		if f.Error != nil {
			t.Errorf("%s failed: %s", f.File, f.Error.Message)
		}
	}
	if want := []string{filepath.Base(sp80053), filepath.Base(csf), filepath.Base(mapping)}; fmt.Sprint(order) != fmt.Sprint(want) {
		t.Fatalf("load order %v, want %v", order, want)
	}
	rep := out.Files[2].Report
	c := rep.Rels["MAPS_TO"]
	skipped := 0
	for _, w := range rep.Warnings {
		if strings.Contains(w.Message, "this mapping is skipped") {
			skipped++
		}
	}
	// SOURCE.md: 737 source→target pairs; the 5.0.1 catalog lacks the few
	// later controls some of them name, and those are skipped with a warning.
	if total := c.Created + c.Updated + c.Unchanged; total+skipped != 737 || total < 700 {
		t.Errorf("MAPS_TO %+v and %d skipped, want 737 in all", c, skipped)
	}
	if n := out.Files[0].Report.Nodes["Clause"]; n.Created+n.Updated+n.Unchanged != 1189+20 {
		t.Errorf("800-53 clauses %+v, want 1,189 controls and 20 groups", n)
	}
}

// ingestCrosswalk is the real CSV crosswalk (CSF 2.0 → SP 800-53), relative
// to the data folder; it has one record a line.
const ingestCrosswalk = "nist-csf2-to-sp800-53r5-oscal-mapping/csf2_to_800-53_crosswalk.csv"

// ingestCutRow returns data cut after the second comma of line n (1-based),
// as a copy: a file whose last row has 3 fields.
func ingestCutRow(t *testing.T, data []byte, n int) []byte {
	t.Helper()
	lines := bytes.SplitAfter(data, []byte("\n"))
	if n > len(lines) {
		t.Fatalf("the file has %d lines, not %d", len(lines), n)
	}
	out := bytes.Join(lines[:n-1], nil)
	row := lines[n-1]
	i := bytes.IndexByte(row, ',')
	j := bytes.IndexByte(row[i+1:], ',')
	if i < 0 || j < 0 {
		t.Fatalf("line %d has fewer than two commas: %q", n, row)
	}
	return append(out, row[:i+1+j+1]...)
}

// TestIngestOnPrivateNeo4j runs the ingest command on a private Neo4j,
// empty at first, whose whole graph the test may look at (the shared test
// database holds other tests' data). Its subtests run in order.
func TestIngestOnPrivateNeo4j(t *testing.T) {
	t.Parallel()
	in := neo4jtest.StartInstance(t)
	data := ingestDataDir(t)
	uri := []string{"--neo4j-uri", in.URI}

	// On the empty database, a dry run of a catalog and a native document
	// that cites it checks both (the document against the built-in scales,
	// as the database has none) and writes nothing: no node, and none of the
	// constraints and indexes that connecting otherwise creates.
	t.Run("DryRunWritesNothing", func(t *testing.T) {
		code, stdout, stderr := ingestCLI(t, append(uri, "--dry-run", "--json",
			filepath.Join(data, "ciso-assistant-libraries", "iec-62443-3-3-2013.yaml"),
			filepath.Join(neo4jtest.RepoRoot(t), "ingest", "testdata", "native", "example.yaml"))...)
		if code != exitOK {
			t.Fatalf("--dry-run: exit %d: %s\n%s", code, stderr, stdout)
		}
		out := decodeIngestJSON(t, stdout)
		if len(out.Files) != 2 || out.Files[1].Report == nil || out.Files[1].Report.Nodes["Analysis"].Created != 1 ||
			out.Files[0].Report == nil || out.Files[0].Report.Nodes["Clause"].Created == 0 {
			t.Errorf("the dry run did not check both files:\n%s", stdout)
		}
		if !strings.Contains(stderr, "built-in IoT-SSF scales") {
			t.Errorf("stderr does not say that the built-in scales were used: %s", stderr)
		}
		if n := in.Exec(t, "MATCH (n) RETURN count(n) AS n", nil)[0]["n"]; n != int64(0) {
			t.Errorf("the dry run left %v nodes", n)
		}
		if c := in.Exec(t, "SHOW CONSTRAINTS YIELD name", nil); len(c) > 0 {
			t.Errorf("the dry run created constraints: %v", c)
		}
		// Neo4j's own token lookup indexes are there from the start.
		if ix := in.Exec(t, "SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name", nil); len(ix) > 0 {
			t.Errorf("the dry run created indexes: %v", ix)
		}
	})

	// With the CSF 2.0 catalog and an excerpt of SP 800-53 loaded (AC-2,
	// which rows 9 and 11 of the crosswalk map to; the mappings to other
	// controls are skipped with a warning), the CSV crosswalk cut in the
	// middle of row 40 fails, naming the line, and changes nothing. The
	// whole file does change the graph, so the snapshot would show it.
	t.Run("TruncatedCrosswalkWritesNothing", func(t *testing.T) {
		code, stdout, stderr := ingestCLI(t, append(uri,
			filepath.Join(neo4jtest.RepoRoot(t), "ingest", "testdata", "oscal_catalog_tiny.json"),
			filepath.Join(data, "nist-csf2-to-sp800-53r5-oscal-mapping", "NIST_CSF_v2.0.catalog.json"))...)
		if code != exitOK {
			t.Fatalf("loading the catalogs: exit %d: %s\n%s", code, stderr, lastLine(stdout))
		}
		whole, err := os.ReadFile(filepath.Join(data, ingestCrosswalk))
		if err != nil {
			t.Fatal(err)
		}
		cut := filepath.Join(t.TempDir(), "crosswalk.csv")
		if err := os.WriteFile(cut, ingestCutRow(t, whole, 40), 0o600); err != nil {
			t.Fatal(err)
		}
		before := in.Snapshot(t, "")
		code, stdout, stderr = ingestCLI(t, append(uri, cut)...)
		if code != exitError {
			t.Errorf("the cut crosswalk: exit %d, want %d; stdout:\n%s", code, exitError, stdout)
		}
		if want := "FAILED " + cut + ":40: 3 fields, want 7 like the header ($$Source_Resource, $$Target_Resource, "; !strings.Contains(stderr, want) {
			t.Errorf("stderr %q does not contain %q", stderr, want)
		}
		if !strings.HasPrefix(lastLine(stdout), "ingest: 1 file, 1 failed") {
			t.Errorf("summary %q", lastLine(stdout))
		}
		if after := in.Snapshot(t, ""); after != before {
			t.Error("the cut crosswalk changed the graph")
		}

		if err := os.WriteFile(cut, whole, 0o600); err != nil {
			t.Fatal(err)
		}
		if code, stdout, stderr := ingestCLI(t, append(uri, cut)...); code != exitOK {
			t.Fatalf("the whole crosswalk: exit %d: %s\n%s", code, stderr, stdout)
		}
		if in.Snapshot(t, "") == before {
			t.Error("the whole crosswalk did not change the graph either: the snapshot shows nothing")
		}
	})

	// The scales a dry run falls back on are those that migrating seeds.
	t.Run("DefaultScalesAreTheSeeded", func(t *testing.T) {
		db := neo4j.NewDB(in.URI)
		if err := db.Open(t.Context()); err != nil {
			t.Fatal(err)
		}
		defer db.Close(context.Background())
		stored, err := db.Scales(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if got, want := mustJSON(t, neo4j.DefaultScales()), mustJSON(t, stored); got != want {
			t.Errorf("DefaultScales() =\n%s\nthe migrated database has\n%s", got, want)
		}
	})
}

// mustJSON returns v as indented JSON.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
