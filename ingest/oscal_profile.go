package ingest

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// OSCAL profile shapes (OSCAL 1.0 to 1.2 JSON): only the fields the
// transform reads.
type (
	oscalProfileDoc struct {
		Profile *oscalProfile `json:"profile"`
	}
	oscalProfile struct {
		UUID       string           `json:"uuid"`
		Metadata   *oscalMetadata   `json:"metadata"`
		Imports    []oscalImport    `json:"imports"`
		Modify     *oscalModify     `json:"modify"`
		BackMatter *oscalBackMatter `json:"back-matter"`
	}
	oscalImport struct {
		Href            string            `json:"href"`
		IncludeAll      *struct{}         `json:"include-all"`
		IncludeControls []oscalSelectCtrl `json:"include-controls"`
		ExcludeControls []oscalSelectCtrl `json:"exclude-controls"`
	}
	oscalSelectCtrl struct {
		WithIDs  []string   `json:"with-ids"`
		Matching []struct{} `json:"matching"`
	}
	oscalModify struct {
		Alters []struct {
			ControlID string `json:"control-id"`
		} `json:"alters"`
	}
)

// oscalBaselineLevel finds the impact level a baseline's title names:
// "… HIGH IMPACT BASELINE", "Moderate baseline", "PRIVACY BASELINE".
var oscalBaselineLevel = regexp.MustCompile(`(?i)\b(low|moderate|high|privacy)(?:[\s-]+impact)?\s+baseline\b`)

// oscalBaseline tells whether an OSCAL document's title names a baseline
// of a catalog ingest knows: it returns the catalog's guideline id (such as
// "nist-sp800-53r5") and the baseline's own ("nist-sp800-53r5-high"), or
// "" and "" for a title that names no baseline.
func oscalBaseline(title string) (base, id string) {
	m := oscalBaselineLevel.FindStringSubmatch(title)
	base = jpGuidelineFor(title)
	if m == nil || base == "" {
		return "", ""
	}
	return base, base + "-" + strings.ToLower(m[1])
}

// ParseOSCALProfile reads an OSCAL profile (such as NIST's SP 800-53 Rev. 5
// HIGH baseline) and returns it as a guideline of its own whose clauses map
// to the catalog it selects from. A profile is never merged into that
// catalog: the catalog is one guideline, each baseline another.
//
// The guideline id is the catalog's with the baseline's level when the
// title names one ("NIST Special Publication 800-53 Revision 5 HIGH IMPACT
// BASELINE" → "nist-sp800-53r5-high"), else a slug of the title (never the
// catalog's own id); its title, version and publisher come from the
// profile's metadata, its source is the file name. The catalog of each
// import is told from its href as for mapping collections (the NIST
// profile's href, "NIST_SP-800-53_rev5_catalog.xml", names SP 800-53 Rev.
// 5), and any other is an error.
//
// Each control an import selects (include-controls with-ids, less
// exclude-controls) becomes a Clause "<guideline>:<control id>" (lower
// case, "ac-2(1)" written "ac-2.1") with its ref ("AC-2(1)"), kind
// "control", or "enhancement" for an id with a dot, PART_OF the selected
// control it enhances, and a MAPS_TO {relationship EQUAL_TO, rationale
// SYNTACTIC, confidence 1} to the catalog's clause of the same id: a
// profile names controls, not their text, so its clauses have no title or
// text of their own (the load leaves any the guideline has as they are);
// read them through the mapping. The mappings are pairwise (no group) and
// their Hint names the catalog: loading a profile whose catalog is not
// loaded fails naming it, and ingest orders catalogs first. Tailoring
// (modify.alters) is not represented; the altered controls are counted in
// a warning. A profile that includes all controls (include-all) or selects
// them by pattern (matching) cannot be listed without its catalog and is an
// error: ingest the resolved profile catalog instead.
func ParseOSCALProfile(name string, data []byte) (*Batch, error) {
	var doc oscalProfileDoc
	if err := jpDecode(name, data, &doc); err != nil {
		return nil, err
	}
	pr := doc.Profile
	if pr == nil {
		return nil, jpErrorAt(name, data, "", "not an OSCAL profile: no \"profile\" object at the top")
	}
	if pr.Metadata == nil || strings.TrimSpace(pr.Metadata.Title) == "" {
		return nil, jpErrorAt(name, data, "profile", "the profile has no metadata.title")
	}
	if len(pr.Imports) == 0 {
		return nil, jpErrorAt(name, data, "profile", "the profile imports no catalog")
	}
	title := strings.TrimSpace(pr.Metadata.Title)
	b := &Batch{Source: name, Format: FormatOSCALProfile}
	type imported struct {
		base string
		ids  []string // clause refs in the catalog's spelling, in file order
		at   map[string]string
	}
	imports := make([]imported, len(pr.Imports))
	for i, im := range pr.Imports {
		p := jpIndex("profile.imports", i)
		base, err := oscalResourceGuideline(name, data, &oscalMappingCollection{BackMatter: pr.BackMatter}, &oscalResourceRef{Href: im.Href}, p)
		if err != nil {
			return nil, err
		}
		if im.IncludeAll != nil {
			return nil, jpErrorAt(name, data, jpJoin(p, "include-all"), "the profile includes every control of %s, which it does not list; ingest the resolved profile catalog instead", base)
		}
		if len(im.IncludeControls) == 0 {
			return nil, jpErrorAt(name, data, p, "the import selects no controls (no include-controls)")
		}
		excluded := map[string]bool{}
		for j, ex := range im.ExcludeControls {
			ep := jpIndex(jpJoin(p, "exclude-controls"), j)
			if len(ex.Matching) > 0 {
				return nil, jpErrorAt(name, data, jpJoin(ep, "matching"), "controls excluded by pattern cannot be listed without the catalog; ingest the resolved profile catalog instead")
			}
			for k, id := range ex.WithIDs {
				ref, ok := jpControlRef(id)
				if !ok {
					return nil, jpErrorAt(name, data, jpIndex(jpJoin(ep, "with-ids"), k), "%s is not a control id", jpShort(id, 60))
				}
				excluded[ref] = true
			}
		}
		in := imported{base: base, at: map[string]string{}}
		for j, sel := range im.IncludeControls {
			sp := jpIndex(jpJoin(p, "include-controls"), j)
			if len(sel.Matching) > 0 {
				return nil, jpErrorAt(name, data, jpJoin(sp, "matching"), "controls selected by pattern cannot be listed without the catalog; ingest the resolved profile catalog instead")
			}
			for k, id := range sel.WithIDs {
				wp := jpIndex(jpJoin(sp, "with-ids"), k)
				ref, ok := jpControlRef(id)
				if !ok {
					return nil, jpErrorAt(name, data, wp, "%s is not a control id", jpShort(id, 60))
				}
				if excluded[ref] || in.at[ref] != "" {
					continue
				}
				in.at[ref] = wp
				in.ids = append(in.ids, ref)
			}
		}
		imports[i] = in
	}
	_, gid := oscalBaseline(title)
	if gid == "" {
		gid = jpSlug(title)
		if gid == imports[0].base {
			gid += "-profile"
		}
	}
	if !jpValidID(gid) {
		return nil, jpErrorAt(name, data, "profile.metadata.title", "cannot make a guideline id from the title %s", jpShort(title, 60))
	}
	b.Nodes = append(b.Nodes, Node{Label: model.LabelGuideline, ID: gid, Props: map[string]any{
		"title":     title,
		"publisher": oscalPublisher(pr.Metadata),
		"version":   pr.Metadata.Version,
		"source":    jpBase(name),
	}})
	selected := map[string]bool{}
	for _, in := range imports {
		for _, ref := range in.ids {
			selected[ref] = true
		}
	}
	seen := map[string]bool{}
	for _, in := range imports {
		for _, ref := range in.ids {
			id := gid + ":" + ref
			if !jpValidID(id) || !jpValidID(in.base+":"+ref) {
				return nil, jpErrorAt(name, data, in.at[ref], "control id %s makes a clause id that is too long", jpShort(ref, 60))
			}
			if seen[id] {
				b.Warnings = append(b.Warnings, Warning{Location: in.at[ref], Message: fmt.Sprintf("control %s is selected by two imports; its clause maps to the first import's catalog", ref)})
				continue
			}
			seen[id] = true
			props := map[string]any{"guidelineId": gid, "ref": oscalRefOfID(ref), "kind": "control", "withdrawn": false}
			parent := ""
			if i := strings.LastIndex(ref, "."); i > 0 {
				props["kind"] = "enhancement"
				if selected[ref[:i]] {
					parent = gid + ":" + ref[:i]
					props["parentId"] = parent
				}
			}
			b.Nodes = append(b.Nodes, Node{Label: model.LabelClause, ID: id, Props: props})
			b.Rels = append(b.Rels, Rel{Type: model.RelHasClause, FromLabel: model.LabelGuideline, From: gid, ToLabel: model.LabelClause, To: id, Props: map[string]any{}})
			if parent != "" {
				b.Rels = append(b.Rels, Rel{Type: model.RelPartOf, FromLabel: model.LabelClause, From: id, ToLabel: model.LabelClause, To: parent, Props: map[string]any{}})
			}
			b.Rels = append(b.Rels, baselineMapping(id, in.base+":"+ref, in.base, title, in.at[ref]))
		}
	}
	if pr.Modify != nil && len(pr.Modify.Alters) > 0 {
		b.Warnings = append(b.Warnings, Warning{Location: "profile.modify.alters",
			Message: fmt.Sprintf("%d control alteration(s) (tailoring) are not represented: the altered clauses map EQUAL_TO their catalog's as the others do", len(pr.Modify.Alters))})
	}
	if err := jpCheckRecords(name, b); err != nil {
		return nil, err
	}
	return b, nil
}

// baselineMapping maps a baseline's clause to the clause of the same
// control in the full catalog (guideline base): the baseline selects the
// control as it is. source names the baseline, where locates the control
// in its document; the Hint names the catalog to load first.
func baselineMapping(from, to, base, source, where string) Rel {
	return Rel{Type: model.RelMapsTo, FromLabel: model.LabelClause, From: from, ToLabel: model.LabelClause, To: to,
		Props: pairwise(map[string]any{"relationship": string(model.MappingRelationshipEqualTo), "rationale": string(model.MappingRationaleSyntactic),
			"confidence": 1.0, "source": source}),
		Where: where, Hint: jpGuidelineName(base)}
}

// oscalRefOfID writes an OSCAL control id as NIST labels it: "ac-2" →
// "AC-2", "ac-2.1" → "AC-2(1)".
func oscalRefOfID(id string) string {
	u := strings.ToUpper(id)
	if base, enh, ok := strings.Cut(u, "."); ok && !strings.Contains(enh, ".") {
		return base + "(" + enh + ")"
	}
	return u
}
