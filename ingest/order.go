package ingest

import (
	"bytes"
	"encoding/json"
	"strings"
)

// File is one document of a run over several, before it is parsed.
type File struct {
	// Name names the document (its path) in reports and errors.
	Name string
	// Data is its content.
	Data []byte
	// Format is the format to read it as; FormatAuto (or "") recognises it.
	Format Format
}

// Order returns files in the order to load them, so that what a document
// refers to is loaded before it: catalogs (STIX bundles, OSCAL catalogs,
// CISO Assistant frameworks and reference controls) first, then what maps
// onto them (OSCAL profiles and baseline catalogs, whose clauses map to
// their full catalog's; OSCAL mapping collections, CSV crosswalks, CISO
// Assistant requirement mapping sets), then native analysis documents, then documents whose
// format cannot be told (their load reports why). Among CISO Assistant
// libraries, one that lists another's urn in its dependencies comes after
// it. Otherwise the given order is kept. files is not modified.
func Order(files []File) []File {
	type item struct {
		f    File
		tier int
		urn  string
		deps []string
	}
	items := make([]item, len(files))
	for i, f := range files {
		it := item{f: f, tier: 4}
		format := f.Format
		if format == "" || format == FormatAuto {
			format, _ = DetectFormat(f.Name, f.Data)
		}
		switch format {
		case FormatSTIX:
			it.tier = 0
		case FormatOSCALCatalog:
			it.tier = 0
			if oscalIsBaseline(f.Data) {
				it.tier = 1
			}
		case FormatOSCALProfile:
			it.tier = 1
		case FormatCISOLibrary:
			it.urn, it.deps = cisoHeader(f.Data)
			it.tier = 0
			if cisoIsMappingSet(f.Data) {
				it.tier = 1
			}
		case FormatOSCALMapping, FormatCSVCrosswalk:
			it.tier = 1
		case FormatNative:
			it.tier = 2
		}
		items[i] = it
	}
	placed := make([]bool, len(items))
	placedURN := map[string]bool{}
	given := map[string]bool{}
	for _, it := range items {
		if it.urn != "" {
			given[it.urn] = true
		}
	}
	ready := func(it item) bool {
		for _, d := range it.deps {
			if given[d] && !placedURN[d] {
				return false
			}
		}
		return true
	}
	out := make([]File, 0, len(files))
	for len(out) < len(items) {
		best := -1
		for pass := 0; pass < 2 && best < 0; pass++ { // a dependency cycle: ignore dependencies
			for i, it := range items {
				if placed[i] || (pass == 0 && !ready(it)) {
					continue
				}
				if best < 0 || it.tier < items[best].tier {
					best = i
				}
			}
		}
		placed[best] = true
		if items[best].urn != "" {
			placedURN[items[best].urn] = true
		}
		out = append(out, items[best].f)
	}
	return out
}

// oscalIsBaseline reports whether an OSCAL catalog's title names a
// baseline of another catalog (see ParseOSCALCatalog); a document that does
// not decode is not one (its load reports why).
func oscalIsBaseline(data []byte) bool {
	var doc struct {
		Catalog struct {
			Metadata struct {
				Title string `json:"title"`
			} `json:"metadata"`
		} `json:"catalog"`
	}
	if json.Unmarshal(bytes.TrimPrefix(data, jpBOM), &doc) != nil {
		return false
	}
	_, id := oscalBaseline(doc.Catalog.Metadata.Title)
	return id != ""
}

// cisoHeader reads a CISO Assistant library's own urn and the urns in its
// top-level dependencies list.
func cisoHeader(data []byte) (urn string, deps []string) {
	inDeps := false
	for line := range bytes.Lines(data) {
		s := strings.TrimRight(string(line), " \t\r\n")
		switch {
		case strings.HasPrefix(s, "urn:"):
			urn = yamlScalar(strings.TrimPrefix(s, "urn:"))
			inDeps = false
		case s == "dependencies:":
			inDeps = true
		case inDeps && strings.HasPrefix(strings.TrimLeft(s, " "), "- "):
			deps = append(deps, yamlScalar(strings.TrimPrefix(strings.TrimLeft(s, " "), "- ")))
		case s != "" && s[0] != ' ' && s[0] != '#':
			inDeps = false
		}
	}
	return urn, deps
}

// cisoIsMappingSet reports whether a CISO Assistant library holds
// requirement mapping sets (which refer to frameworks in other libraries).
func cisoIsMappingSet(data []byte) bool {
	for line := range bytes.Lines(data) {
		s := strings.TrimSpace(string(line))
		if s == "requirement_mapping_set:" || s == "requirement_mapping_sets:" {
			return true
		}
	}
	return false
}
