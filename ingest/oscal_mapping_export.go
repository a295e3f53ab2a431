package ingest

import (
	"bytes"
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// CrosswalkGuideline names one side of an exported crosswalk.
type CrosswalkGuideline struct {
	ID, Title, Version string
}

// CrosswalkEntry is one inferred clause-to-clause mapping to export.
type CrosswalkEntry struct {
	// Source and Target are clause ids.
	Source, Target string
	// Relationship is the GraphQL spelling (SUPERSET_OF).
	Relationship string
	// Score is the share of the target the source meets (0..1).
	Score float64
	// Confidence is the path's lowest stated confidence, if any.
	Confidence *float64
	// Path lists the clause ids walked, source first, target last.
	Path []string
}

// CrosswalkDocument is an inferred crosswalk as an OSCAL mapping
// collection describes it.
type CrosswalkDocument struct {
	From, To                 CrosswalkGuideline
	MaxHops                  int
	Entries                  []CrosswalkEntry
	UnmappedFrom, UnmappedTo []string
	// Generated is when it was inferred (metadata last-modified).
	Generated time.Time
}

// oscalCrosswalkItem is a source or target of a map.
type oscalCrosswalkItem struct {
	Type  string `json:"type"`
	IDRef string `json:"id-ref"`
}

// MarshalOSCALCrosswalk writes an inferred crosswalk as an OSCAL 1.2
// mapping collection (JSON): one mapping from the source guideline to the
// target guideline, one map per inferred pair with its relationship
// (OSCAL spelling), its confidence and coverage, and the path in its
// remarks, plus a gap summary on each side. Each side's resource is a
// back-matter resource titled with the guideline's title and carrying its
// ssfgraph id. Control ids are the clause ids without the guideline's
// prefix when they have it, so that catalogs ssfgraph recognises (SP
// 800-53, CSF, the NIST IoT catalog) load the file back. UUIDs are derived
// from the content, so the same crosswalk gives the same file but for
// last-modified.
func MarshalOSCALCrosswalk(d *CrosswalkDocument) ([]byte, error) {
	fromRes, toRes := stableUUID("resource", d.From.ID), stableUUID("resource", d.To.ID)
	maps := make([]map[string]any, 0, len(d.Entries))
	for _, e := range d.Entries {
		m := map[string]any{
			"uuid":         stableUUID("map", e.Source, e.Target),
			"relationship": oscalSpelling(e.Relationship),
			"sources":      []oscalCrosswalkItem{{"control", controlRef(d.From.ID, e.Source)}},
			"targets":      []oscalCrosswalkItem{{"control", controlRef(d.To.ID, e.Target)}},
			"coverage":     map[string]any{"target-coverage": round4(e.Score), "generation-method": "inferred"},
			"remarks":      "Inferred by ssfgraph through " + strings.Join(e.Path, " → "),
		}
		if e.Confidence != nil {
			m["confidence-score"] = map[string]any{"percentage": round4(*e.Confidence)}
		}
		maps = append(maps, m)
	}
	mapping := map[string]any{
		"uuid":            stableUUID("mapping", d.From.ID, d.To.ID),
		"source-resource": map[string]any{"type": "catalog", "href": "#" + fromRes},
		"target-resource": map[string]any{"type": "catalog", "href": "#" + toRes},
		"maps":            maps,
	}
	if len(d.UnmappedFrom) > 0 {
		mapping["source-gap-summary"] = gapSummary(d.From.ID, d.UnmappedFrom)
	}
	if len(d.UnmappedTo) > 0 {
		mapping["target-gap-summary"] = gapSummary(d.To.ID, d.UnmappedTo)
	}
	doc := map[string]any{"mapping-collection": map[string]any{
		"uuid": stableUUID("collection", d.From.ID, d.To.ID, fmt.Sprint(d.MaxHops)),
		"metadata": map[string]any{
			"title":         fmt.Sprintf("Crosswalk %s → %s inferred by ssfgraph", d.From.Title, d.To.Title),
			"last-modified": d.Generated.UTC().Format(time.RFC3339),
			"version":       "1",
			"oscal-version": "1.2.0",
			"remarks": fmt.Sprintf("Inferred from every crosswalk loaded in ssfgraph, through at most %d mappings per path, "+
				"composing relationships as a path of sets allows (never stronger than the weakest step). Review before use.", d.MaxHops),
		},
		"provenance": map[string]any{
			"method": "automation", "matching-rationale": "semantic", "status": "draft",
			"mapping-description": "Hub-and-spoke inference over the crosswalks loaded in ssfgraph.",
		},
		"mappings": []any{mapping},
		"back-matter": map[string]any{"resources": []any{
			resource(fromRes, d.From), resource(toRes, d.To),
		}},
	}}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode the OSCAL mapping collection: %w", err)
	}
	return buf.Bytes(), nil
}

func resource(uuid string, g CrosswalkGuideline) map[string]any {
	r := map[string]any{"uuid": uuid, "title": g.Title,
		"props": []any{map[string]any{"name": "ssfgraph-guideline-id", "ns": "https://github.com/ssfgraph/ssfgraph", "value": g.ID}}}
	if g.Version != "" {
		r["remarks"] = "Version " + g.Version
	}
	return r
}

func gapSummary(guideline string, ids []string) map[string]any {
	refs := make([]string, len(ids))
	for i, id := range ids {
		refs[i] = controlRef(guideline, id)
	}
	return map[string]any{"uuid": stableUUID("gap", guideline, strings.Join(ids, ",")),
		"unmapped-controls": []any{map[string]any{"with-ids": refs}}}
}

// controlRef is a clause id without its guideline's prefix.
func controlRef(guideline, clause string) string {
	if ref, ok := strings.CutPrefix(clause, guideline+":"); ok {
		return ref
	}
	return clause
}

// oscalSpelling turns SUPERSET_OF into superset-of.
func oscalSpelling(rel string) string {
	return strings.ReplaceAll(strings.ToLower(rel), "_", "-")
}

func round4(f float64) float64 {
	return float64(int64(f*10000+0.5)) / 10000
}

// stableUUID returns a name-based (version 5 style) UUID of the parts, so
// that the same content always gets the same UUID.
func stableUUID(parts ...string) string {
	h := sha1.Sum([]byte("ssfgraph\x00" + strings.Join(parts, "\x00")))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}
