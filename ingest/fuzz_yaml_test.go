package ingest_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/ssfgraph/ssfgraph/ingest"
)

// fzErr fails unless err carries an *ingest.Error naming the file.
func fzErr(t *testing.T, name string, err error) {
	t.Helper()
	e, ok := errors.AsType[*ingest.Error](err)
	if !ok {
		t.Fatalf("error %v (%T) carries no *ingest.Error", err, err)
	}
	if e.File != name {
		t.Fatalf("error %v names file %q, want %q", err, e.File, name)
	}
}

// FuzzParseNative feeds arbitrary bytes to ParseNative: it must not panic,
// and must return a batch or an *ingest.Error. Whatever ParseDocument
// accepts must write (MarshalDocument) to bytes that read back and write
// again to the same bytes. Seeds: the small testdata document, its JSON
// form, cuts of them and broken snippets. (Seeds stay small: the fuzzer
// minimizes every new input, which takes long on large ones.)
func FuzzParseNative(f *testing.F) {
	data, err := os.ReadFile(filepath.Join("testdata", "native", "minimal.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add(data[:len(data)/2])
	doc, err := ingest.ParseDocument("minimal.yaml", data)
	if err != nil {
		f.Fatal(err)
	}
	j, err := ingest.MarshalDocument(doc, ingest.ExportJSON)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(j)
	f.Add(j[:len(j)/3])
	for _, s := range []string{"", "{}", "[]", "a: &x 1\nb: *x\n", "apiVersion: ssfgraph/v1\nkind: AnalysisDocument\n", "- - - [[{a: b}]]",
		"apiVersion: ssfgraph/v1\nkind: AnalysisDocument\norganization: {id: o, name: O, sector: s}\ntarget: {id: t, name: T, sector: s}\nanalysis: {id: a, title: A}\n",
		"x: !!str 12\ny: !!binary aGk=\n", "a: 1e6\nb: .inf\nc: 0x1f\nd: '1'\n", "? [a]\n: b\n", "a: |\n  x\n b\n"} {
		f.Add([]byte(s))
	}
	scales := ntScales()
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "fuzz.yaml"
		b, err := ingest.ParseNative(name, data, scales)
		if err != nil {
			fzErr(t, name, err)
		} else if b == nil || b.Format != ingest.FormatNative || len(b.Nodes) == 0 {
			t.Fatalf("no error and batch %+v", b)
		}
		doc, err := ingest.ParseDocument(name, data)
		if err != nil {
			fzErr(t, name, err)
			return
		}
		for _, format := range []string{ingest.ExportYAML, ingest.ExportJSON} {
			out, err := ingest.MarshalDocument(doc, format)
			if err != nil {
				t.Fatal(err)
			}
			back, err := ingest.ParseDocument("again", out)
			if err != nil {
				t.Fatalf("%s output does not read back: %v\n%s", format, err, out)
			}
			again, err := ingest.MarshalDocument(back, format)
			if err != nil || !bytes.Equal(again, out) {
				t.Fatalf("%s: writing what was read back differs (%v):\n%s\n----\n%s", format, err, out, again)
			}
		}
	})
}

// FuzzParseCISOLibrary feeds arbitrary bytes to ParseCISOLibrary: it must
// not panic, and must return a batch or an *ingest.Error. Seeds: the small
// library of the tests and the first kilobyte of real libraries of the
// shared data sets (read in place, never copied).
func FuzzParseCISOLibrary(f *testing.F) {
	f.Add([]byte(ctLibrary))
	dir := ctDir(f)
	for _, file := range []string{"iec-62443-3-3-2013.yaml", "map-nist-csf-1.1-nist-csf-2.0.yaml", "d3fend.yaml"} {
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			f.Fatal(err)
		}
		cut := min(1024, len(data))
		for cut > 0 && !utf8.RuneStart(data[cut]) {
			cut--
		}
		f.Add(data[:cut])
	}
	for _, s := range []string{"", "urn: x\nobjects:\n", "urn: x\nobjects: {framework: {urn: 'urn:f', requirement_nodes: [{urn: a, parent_urn: a}]}}\n",
		"urn: 0\nobjects: {framework:{urn:A,requirement_nodes:[{urn:A}]}}", // found by fuzzing: two nodes, one id
		"urn: x\nobjects:\n  requirement_mapping_sets: [{requirement_mappings: [{source_requirement_urn: a, target_requirement_urn: b, relationship: equal, strength_of_relationship: .nan}]}]\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "fuzz.yaml"
		b, err := ingest.ParseCISOLibrary(name, data)
		if err != nil {
			fzErr(t, name, err)
			return
		}
		if b == nil || b.Format != ingest.FormatCISOLibrary {
			t.Fatalf("no error and batch %+v", b)
		}
		ids := map[string]string{}
		for _, n := range b.Nodes {
			if l, dup := ids[n.ID]; dup {
				t.Fatalf("node %s given twice (%s, %s)", n.ID, l, n.Label)
			}
			ids[n.ID] = n.Label
		}
	})
}
