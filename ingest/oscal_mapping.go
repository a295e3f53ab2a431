package ingest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// OSCAL mapping-collection shapes (OSCAL 1.2 mapping model): only the
// fields the transform reads.
type (
	oscalMappingDoc struct {
		Collection *oscalMappingCollection `json:"mapping-collection"`
	}
	oscalMappingCollection struct {
		Metadata   *oscalMetadata   `json:"metadata"`
		Provenance *oscalProvenance `json:"provenance"`
		Mappings   []oscalMapping   `json:"mappings"`
		BackMatter *oscalBackMatter `json:"back-matter"`
	}
	oscalProvenance struct {
		MatchingRationale string `json:"matching-rationale"`
	}
	oscalMapping struct {
		Provenance       *oscalProvenance  `json:"provenance"`
		SourceResource   *oscalResourceRef `json:"source-resource"`
		TargetResource   *oscalResourceRef `json:"target-resource"`
		Maps             []oscalMap        `json:"maps"`
		SourceGapSummary *oscalGapSummary  `json:"source-gap-summary"`
		TargetGapSummary *oscalGapSummary  `json:"target-gap-summary"`
	}
	oscalResourceRef struct {
		Type string `json:"type"`
		Href string `json:"href"`
	}
	oscalMap struct {
		UUID              string            `json:"uuid"`
		Relationship      string            `json:"relationship"`
		MatchingRationale string            `json:"matching-rationale"`
		Sources           []oscalMapItem    `json:"sources"`
		Targets           []oscalMapItem    `json:"targets"`
		ConfidenceScore   *oscalConfidence  `json:"confidence-score"`
		Coverage          *oscalMapCoverage `json:"coverage"`
	}
	oscalMapItem struct {
		Type  string `json:"type"`
		IDRef string `json:"id-ref"`
	}
	oscalConfidence struct {
		Category   string   `json:"category"`
		Percentage *float64 `json:"percentage"`
	}
	oscalMapCoverage struct {
		TargetCoverage *float64 `json:"target-coverage"`
	}
	oscalGapSummary struct {
		UnmappedControls []struct {
			WithIDs []string `json:"with-ids"`
		} `json:"unmapped-controls"`
	}
	oscalBackMatter struct {
		Resources []struct {
			UUID   string `json:"uuid"`
			Title  string `json:"title"`
			Rlinks []struct {
				Href string `json:"href"`
			} `json:"rlinks"`
		} `json:"resources"`
	}
)

// ParseOSCALMapping reads an OSCAL mapping collection (such as the CSF 2.0
// → SP 800-53 Rev. 5 crosswalk) and returns its MAPS_TO relationships,
// Clause → Clause, one per source × target pair of each map.
//
// Each side's guideline comes from the mapping's source-resource and
// target-resource (their href, or the back-matter resource it points to):
// a reference naming SP 800-53 maps to "nist-sp800-53r5", one naming the
// CSF 2.0 to "nist-csf-2.0"; any other is an error, since its clauses could
// not be found. Control ids become clause ids as the catalogs spell them:
// lower case, "ac-2(1)" written "ac-2.1". The relationship is the map's
// ("superset-of" → "SUPERSET_OF", …), the rationale the map's or the
// provenance's matching-rationale ("semantic" → "SEMANTIC"), the confidence
// the confidence-score percentage and the coverage the target-coverage
// (0..1; values over 1 are read as percents); source is the collection's
// title. Each relationship carries where it comes from and a hint naming
// the catalogs to load first. A source-gap-summary becomes a warning with
// its count; pairs repeated or mapped to themselves are skipped with a
// counted warning.
//
// A map with several sources or several targets relates the sets, not
// each pair: "A superset-of {B, C}" says that A holds all of B and C
// together, which the pairs alone do not say (for subset-of they even say
// more than the map). Its pairs are still stored one MAPS_TO each, and each
// of them carries the map's group:
//
//   - group: the map's uuid when it has one, else "<collection title or
//     file base>#<mapping index>.<map index>" (0-based), so the same file
//     names the same groups when it is loaded again;
//   - groupSources and groupTargets: how many items the map lists on its
//     source and target side, as written, counting those that make no
//     MAPS_TO (items that are not controls or groups, and clauses the
//     loaded catalog lacks, which the loader skips): fewer MAPS_TO in a
//     group than groupSources × groupTargets means part of a set is not in
//     the graph.
//
// A map of one source and one target sets these three properties to null,
// so that an edge an earlier load grouped and this file maps alone carries
// no stale group: a MAPS_TO carries what the last document that wrote it
// says. A pair that an earlier map of the same file wrote keeps that map's
// group (it is skipped as repeated).
func ParseOSCALMapping(name string, data []byte) (*Batch, error) {
	var doc oscalMappingDoc
	if err := jpDecode(name, data, &doc); err != nil {
		return nil, err
	}
	mc := doc.Collection
	if mc == nil {
		return nil, jpErrorAt(name, data, "", "not an OSCAL mapping collection: no \"mapping-collection\" object at the top")
	}
	origin := jpBase(name)
	if mc.Metadata != nil && strings.TrimSpace(mc.Metadata.Title) != "" {
		origin = strings.TrimSpace(mc.Metadata.Title)
	}
	b := &Batch{Source: name, Format: FormatOSCALMapping}
	defaultRationale := ""
	if mc.Provenance != nil && mc.Provenance.MatchingRationale != "" {
		r, ok := oscalRationale(mc.Provenance.MatchingRationale)
		if !ok {
			return nil, jpErrorAt(name, data, "mapping-collection.provenance.matching-rationale", "unknown matching-rationale %s (want syntactic, semantic or functional)", jpShort(mc.Provenance.MatchingRationale, 40))
		}
		defaultRationale = r
	}
	if len(mc.Mappings) == 0 {
		b.Warnings = append(b.Warnings, Warning{Location: "mapping-collection", Message: "the collection has no mappings"})
	}
	w := newJPTally()
	seen := map[[2]string]bool{}
	for mi := range mc.Mappings {
		m := &mc.Mappings[mi]
		mp := jpIndex("mapping-collection.mappings", mi)
		srcG, err := oscalResourceGuideline(name, data, mc, m.SourceResource, jpJoin(mp, "source-resource"))
		if err != nil {
			return nil, err
		}
		dstG, err := oscalResourceGuideline(name, data, mc, m.TargetResource, jpJoin(mp, "target-resource"))
		if err != nil {
			return nil, err
		}
		hint := jpGuidelineName(srcG) + " and " + jpGuidelineName(dstG)
		if srcG == dstG {
			hint = jpGuidelineName(srcG)
		}
		rationale := defaultRationale
		if m.Provenance != nil && m.Provenance.MatchingRationale != "" {
			r, ok := oscalRationale(m.Provenance.MatchingRationale)
			if !ok {
				return nil, jpErrorAt(name, data, jpJoin(jpJoin(mp, "provenance"), "matching-rationale"), "unknown matching-rationale %s (want syntactic, semantic or functional)", jpShort(m.Provenance.MatchingRationale, 40))
			}
			rationale = r
		}
		if gs := m.SourceGapSummary; gs != nil {
			n := 0
			for _, u := range gs.UnmappedControls {
				n += len(u.WithIDs)
			}
			b.Warnings = append(b.Warnings, Warning{Location: jpJoin(mp, "source-gap-summary"),
				Message: fmt.Sprintf("%d source controls of %s are listed as unmapped (source-gap-summary); they get no MAPS_TO", n, srcG)})
		}
		if gs := m.TargetGapSummary; gs != nil {
			n := 0
			for _, u := range gs.UnmappedControls {
				n += len(u.WithIDs)
			}
			b.Warnings = append(b.Warnings, Warning{Location: jpJoin(mp, "target-gap-summary"),
				Message: fmt.Sprintf("%d target controls of %s are listed as unmapped (target-gap-summary)", n, dstG)})
		}
		for ki := range m.Maps {
			mm := &m.Maps[ki]
			kp := jpIndex(jpJoin(mp, "maps"), ki)
			rel, ok := oscalRelationship(mm.Relationship)
			if !ok {
				what := "unknown relationship " + jpShort(mm.Relationship, 40)
				if mm.Relationship == "" {
					what = "no relationship"
				}
				return nil, jpErrorAt(name, data, jpJoin(kp, "relationship"), "%s (want equivalent-to, equal-to, subset-of, superset-of, intersects-with or no-relationship)", what)
			}
			props := map[string]any{"relationship": rel, "source": origin}
			r := rationale
			if mm.MatchingRationale != "" {
				if r, ok = oscalRationale(mm.MatchingRationale); !ok {
					return nil, jpErrorAt(name, data, jpJoin(kp, "matching-rationale"), "unknown matching-rationale %s (want syntactic, semantic or functional)", jpShort(mm.MatchingRationale, 40))
				}
			}
			if r != "" {
				props["rationale"] = r
			}
			if cs := mm.ConfidenceScore; cs != nil && cs.Percentage != nil {
				f, ok := jpFraction(*cs.Percentage)
				if !ok {
					return nil, jpErrorAt(name, data, jpJoin(jpJoin(kp, "confidence-score"), "percentage"), "confidence %v is not a fraction from 0 to 1 or a percent from 0 to 100", *cs.Percentage)
				}
				props["confidence"] = f
			}
			if cv := mm.Coverage; cv != nil && cv.TargetCoverage != nil {
				f, ok := jpFraction(*cv.TargetCoverage)
				if !ok {
					return nil, jpErrorAt(name, data, jpJoin(jpJoin(kp, "coverage"), "target-coverage"), "coverage %v is not a fraction from 0 to 1 or a percent from 0 to 100", *cv.TargetCoverage)
				}
				props["coverage"] = f
			}
			if len(mm.Sources) == 0 || len(mm.Targets) == 0 {
				w.count("map without sources or targets", "", kp)
				continue
			}
			if len(mm.Sources) > 1 || len(mm.Targets) > 1 {
				group := strings.TrimSpace(mm.UUID)
				if group == "" {
					group = fmt.Sprintf("%s#%d.%d", origin, mi, ki)
				}
				props[mapsToGroup] = group
				props[mapsToGroupSources] = int64(len(mm.Sources))
				props[mapsToGroupTargets] = int64(len(mm.Targets))
			} else {
				pairwise(props)
			}
			srcs := make([]string, len(mm.Sources))
			for si, s := range mm.Sources {
				id, err := oscalItemClause(name, data, srcG, s, jpIndex(jpJoin(kp, "sources"), si), w)
				if err != nil {
					return nil, err
				}
				srcs[si] = id
			}
			for ti, tg := range mm.Targets {
				tp := jpIndex(jpJoin(kp, "targets"), ti)
				to, err := oscalItemClause(name, data, dstG, tg, tp, w)
				if err != nil {
					return nil, err
				}
				if to == "" {
					continue
				}
				for _, from := range srcs {
					if from == "" {
						continue
					}
					if from == to {
						w.count("pair of a clause with itself", "", tp)
						continue
					}
					if seen[[2]string{from, to}] {
						w.count("repeated pair", "", tp)
						continue
					}
					seen[[2]string{from, to}] = true
					b.Rels = append(b.Rels, Rel{Type: model.RelMapsTo, FromLabel: model.LabelClause, From: from, ToLabel: model.LabelClause, To: to,
						Props: mapsToProps(props), Where: tp, Hint: hint})
				}
			}
		}
	}
	b.Warnings = append(b.Warnings, w.warnings(mappingWords)...)
	if err := jpCheckRecords(name, b); err != nil {
		return nil, err
	}
	return b, nil
}

// The MAPS_TO properties that group the pairs of one OSCAL map (see
// ParseOSCALMapping).
const (
	mapsToGroup        = "group"
	mapsToGroupSources = "groupSources"
	mapsToGroupTargets = "groupTargets"
)

// pairwise sets the group properties of a MAPS_TO to null and returns
// props: the mapping relates one source to one target, and a group an
// earlier load put on the same edge no longer holds.
func pairwise(props map[string]any) map[string]any {
	props[mapsToGroup], props[mapsToGroupSources], props[mapsToGroupTargets] = nil, nil, nil
	return props
}

// mapsToProps copies a map's properties for one relationship.
func mapsToProps(p map[string]any) map[string]any {
	out := make(map[string]any, len(p))
	for k, v := range p {
		out[k] = v
	}
	return out
}

// mappingWords words the counted warnings of the mapping transforms
// (OSCAL mappings and CSV crosswalks).
func mappingWords(what, typ string, n int) string {
	switch what {
	case "map without sources or targets":
		return fmt.Sprintf("%d map(s) without sources or targets skipped", n)
	case "pair of a clause with itself":
		return fmt.Sprintf("%d pair(s) of a clause with itself skipped", n)
	case "repeated pair":
		return fmt.Sprintf("%d pair(s) skipped: the same source and target are mapped earlier in the file", n)
	case "item type":
		return fmt.Sprintf("%d item(s) of type %q skipped: only controls and groups are clauses", n, typ)
	}
	return fmt.Sprintf("%d × %s %s", n, what, typ)
}

// oscalResourceGuideline maps a mapping's source or target resource to a
// guideline id.
func oscalResourceGuideline(name string, data []byte, mc *oscalMappingCollection, r *oscalResourceRef, p string) (string, error) {
	if r == nil || strings.TrimSpace(r.Href) == "" {
		return "", jpErrorAt(name, data, p, "no resource reference (href): cannot tell which catalog the ids belong to")
	}
	texts := []string{r.Href}
	if uuid, ok := strings.CutPrefix(r.Href, "#"); ok && mc.BackMatter != nil {
		for _, res := range mc.BackMatter.Resources {
			if res.UUID == uuid {
				texts = append(texts, res.Title)
				for _, l := range res.Rlinks {
					texts = append(texts, l.Href)
				}
			}
		}
	}
	for _, s := range texts {
		if g := jpGuidelineFor(s); g != "" {
			return g, nil
		}
	}
	return "", jpErrorAt(name, data, jpJoin(p, "href"), "cannot tell which catalog %s is; known: NIST SP 800-53 Rev. 5 (%s) and CSF 2.0 (%s)", jpShort(r.Href, 80), jpGuidelineSP80053r5, jpGuidelineCSF20)
}

// oscalItemClause returns the clause id of a map's source or target item,
// or "" (with a counted warning) for an item that is not a control or group.
func oscalItemClause(name string, data []byte, gid string, it oscalMapItem, p string, w *jpTally) (string, error) {
	switch it.Type {
	case "", "control", "group":
	default:
		w.count("item type", it.Type, p)
		return "", nil
	}
	ref, ok := jpControlRef(it.IDRef)
	if !ok {
		what := "id-ref " + jpShort(it.IDRef, 60) + " is not a control id"
		if strings.TrimSpace(it.IDRef) == "" {
			what = "no id-ref"
		}
		return "", jpErrorAt(name, data, jpJoin(p, "id-ref"), "%s", what)
	}
	id := gid + ":" + ref
	if !jpValidID(id) {
		return "", jpErrorAt(name, data, jpJoin(p, "id-ref"), "id-ref %s makes the clause id %s, which is too long", jpShort(it.IDRef, 60), jpShort(id, 60))
	}
	return id, nil
}

// jpEnhancementParen matches an enhancement written "ac-2(1)" or "ac-2 (1)".
var jpEnhancementParen = regexp.MustCompile(`^(.*?)\s*\(\s*([0-9a-z]+)\s*\)$`)

// jpControlRef normalises a control id to the catalogs' spelling: lower
// case, with "ac-2(1)" written "ac-2.1". It reports false for ids that
// cannot be part of a clause id.
func jpControlRef(s string) (string, bool) {
	l := strings.ToLower(strings.TrimSpace(s))
	if m := jpEnhancementParen.FindStringSubmatch(l); m != nil {
		l = m[1] + "." + m[2]
	}
	return l, l != "" && oscalClauseIDPart.MatchString(l)
}

// oscalRelationship maps an OSCAL (or crosswalk) relationship to the
// GraphQL enum spelling: "superset-of", "superset of" or "SUPERSET_OF" →
// "SUPERSET_OF".
func oscalRelationship(s string) (string, bool) {
	k := strings.ToLower(strings.TrimSpace(s))
	k = strings.NewReplacer("_", "-", " ", "-").Replace(k)
	switch k {
	case "equivalent-to", "equivalent":
		return "EQUIVALENT_TO", true
	case "equal-to", "equal":
		return "EQUAL_TO", true
	case "subset-of", "subset":
		return "SUBSET_OF", true
	case "superset-of", "superset":
		return "SUPERSET_OF", true
	case "intersects-with", "intersects", "intersect":
		return "INTERSECTS_WITH", true
	case "no-relationship", "none":
		return "NO_RELATIONSHIP", true
	}
	return "", false
}

// oscalRationale maps a matching rationale to "SYNTACTIC", "SEMANTIC" or
// "FUNCTIONAL".
func oscalRationale(s string) (string, bool) {
	switch u := strings.ToUpper(strings.TrimSpace(s)); u {
	case "SYNTACTIC", "SEMANTIC", "FUNCTIONAL":
		return u, true
	}
	return "", false
}

// jpFraction reads a confidence or coverage: a fraction from 0 to 1 as is,
// a value over 1 up to 100 as a percent.
func jpFraction(v float64) (float64, bool) {
	switch {
	case v >= 0 && v <= 1:
		return v, true
	case v > 1 && v <= 100:
		return v / 100, true
	}
	return 0, false
}

// jpFractionText reads a confidence or coverage written in a cell: "100%",
// "85 %", "0.85" or "85".
func jpFractionText(s string) (float64, bool) {
	t := strings.TrimSpace(s)
	pct := strings.HasSuffix(t, "%")
	t = strings.TrimSpace(strings.TrimSuffix(t, "%"))
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v != v {
		return 0, false
	}
	if pct {
		if v < 0 || v > 100 {
			return 0, false
		}
		return v / 100, true
	}
	return jpFraction(v)
}
