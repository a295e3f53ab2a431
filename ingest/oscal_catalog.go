package ingest

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// OSCAL catalog shapes (OSCAL 1.0 to 1.2 JSON): only the fields the
// transform reads.
type (
	oscalCatalogDoc struct {
		Catalog *oscalCatalog `json:"catalog"`
	}
	oscalCatalog struct {
		UUID     string         `json:"uuid"`
		Metadata *oscalMetadata `json:"metadata"`
		Params   []oscalParam   `json:"params"`
		Controls []oscalControl `json:"controls"`
		Groups   []oscalGroup   `json:"groups"`
	}
	oscalMetadata struct {
		Title              string                  `json:"title"`
		Version            string                  `json:"version"`
		Parties            []oscalParty            `json:"parties"`
		ResponsibleParties []oscalResponsibleParty `json:"responsible-parties"`
	}
	oscalParty struct {
		UUID string `json:"uuid"`
		Name string `json:"name"`
	}
	oscalResponsibleParty struct {
		RoleID     string   `json:"role-id"`
		PartyUUIDs []string `json:"party-uuids"`
	}
	oscalGroup struct {
		ID       string         `json:"id"`
		Title    string         `json:"title"`
		Props    []oscalProp    `json:"props"`
		Links    []oscalLink    `json:"links"`
		Params   []oscalParam   `json:"params"`
		Parts    []oscalPart    `json:"parts"`
		Groups   []oscalGroup   `json:"groups"`
		Controls []oscalControl `json:"controls"`
	}
	oscalControl struct {
		ID       string         `json:"id"`
		Title    string         `json:"title"`
		Props    []oscalProp    `json:"props"`
		Links    []oscalLink    `json:"links"`
		Params   []oscalParam   `json:"params"`
		Parts    []oscalPart    `json:"parts"`
		Controls []oscalControl `json:"controls"`
	}
	oscalLink struct {
		Href string `json:"href"`
		Rel  string `json:"rel"`
	}
	oscalProp struct {
		Name  string `json:"name"`
		Value string `json:"value"`
		Class string `json:"class"`
	}
	oscalParam struct {
		ID     string       `json:"id"`
		Label  string       `json:"label"`
		Values []string     `json:"values"`
		Select *oscalSelect `json:"select"`
	}
	oscalSelect struct {
		HowMany string   `json:"how-many"`
		Choice  []string `json:"choice"`
	}
	oscalPart struct {
		ID    string      `json:"id"`
		Name  string      `json:"name"`
		Title string      `json:"title"`
		Props []oscalProp `json:"props"`
		Prose string      `json:"prose"`
		Parts []oscalPart `json:"parts"`
	}
)

// oscalClauseIDPart is what an OSCAL group or control id may look like
// once lower-cased to become part of a clause id.
var oscalClauseIDPart = regexp.MustCompile(`^[a-z0-9][a-z0-9._\-]*$`)

// ParseOSCALCatalog reads an OSCAL catalog (such as NIST SP 800-53 Rev. 5 or
// the CSF 2.0 catalog) and returns a Guideline with its Clause hierarchy.
//
// The guideline id comes from the metadata title: "nist-sp800-53r5" when it
// names SP 800-53 (Revision 5; "nist-sp800-53r4" for Revision 4),
// "nist-csf-2.0" when it names the Cybersecurity Framework (CSF) 2.0, else
// a slug of the title. A catalog whose title names a baseline of one of
// these (a resolved profile, such as "NIST Special Publication 800-53
// Revision 5 HIGH IMPACT BASELINE") is a guideline of its own, never merged
// into the full catalog: "nist-sp800-53r5-high", whose controls and
// enhancements each map to the full catalog's of the same id with MAPS_TO
// {relationship EQUAL_TO, rationale SYNTACTIC, confidence 1} (pairwise; the
// Hint names the full catalog, which must be loaded first; its groups, which
// hold only some of a family's controls, are not mapped). Its version is
// metadata.version, its publisher the party with role "publisher", else
// "NIST" for a title naming NIST, else the "creator" party; its source is
// the file name.
//
// Every group and control becomes a Clause with id "<guideline>:<OSCAL id
// lower-cased>" (for example "nist-sp800-53r5:ac-2.1", "nist-csf-2.0:gv.oc"),
// kind "group", "control" (a control of a group or of the catalog) or
// "enhancement" (a control of a control); ref is the "label" prop (else the
// id upper-cased, such as "GV.OC-01"), text the statement part flattened to
// plain lines ("a. …", nested items indented), with parameters written as
// "[Assignment: …]" and "[Selection: …]". A clause is withdrawn when it has
// the prop status "withdrawn", or (the CSF 2.0 catalog's way, which has no
// status prop) when its statement starts with "[Withdrawn". Each clause is
// PART_OF its parent and every clause is linked from the guideline by
// HAS_CLAUSE. A group id that repeats (the CSF catalog lists each function
// twice) is merged into the first group with a warning; any other repeated
// id is an error.
//
// Where a withdrawn clause's content went becomes INCORPORATED_INTO from
// it to each clause that took it, with kind "incorporated-into" or
// "moved-to": from the clause's OSCAL links of those rels (SP 800-53: href
// "#ac-6" names a control or group, "#ac-2_smt.k" a part, which stands for
// its control), else from the note that replaces its statement ("[Withdrawn:
// Incorporated into GV.RR-02, GV.SC-02]", the CSF 2.0 catalog's way),
// whose references are clause refs ("AC-2k", an item of a statement, is
// AC-2). Links and references that name nothing in the catalog are counted
// in a warning.
func ParseOSCALCatalog(name string, data []byte) (*Batch, error) {
	var doc oscalCatalogDoc
	if err := jpDecode(name, data, &doc); err != nil {
		return nil, err
	}
	if doc.Catalog == nil {
		return nil, jpErrorAt(name, data, "", "not an OSCAL catalog: no \"catalog\" object at the top")
	}
	c := doc.Catalog
	if c.Metadata == nil || strings.TrimSpace(c.Metadata.Title) == "" {
		return nil, jpErrorAt(name, data, "catalog", "the catalog has no metadata.title")
	}
	gid := jpGuidelineFor(c.Metadata.Title)
	base, baseline := oscalBaseline(c.Metadata.Title)
	if baseline != "" {
		gid = baseline
	}
	if gid == "" {
		gid = jpSlug(c.Metadata.Title)
	}
	if !jpValidID(gid) {
		return nil, jpErrorAt(name, data, "catalog.metadata.title", "cannot make a guideline id from the title %s", jpShort(c.Metadata.Title, 60))
	}
	t := &oscalCatalogTransform{
		name: name, data: data, gid: gid, base: base, title: strings.TrimSpace(c.Metadata.Title),
		b:      &Batch{Source: name, Format: FormatOSCALCatalog},
		params: map[string]oscalParam{},
		seen:   map[string]oscalSeen{},
		parts:  map[string]string{},
		refs:   map[string]string{},
	}
	t.collectParams(c)
	t.b.Nodes = append(t.b.Nodes, Node{Label: model.LabelGuideline, ID: gid, Props: map[string]any{
		"title":     strings.TrimSpace(c.Metadata.Title),
		"publisher": oscalPublisher(c.Metadata),
		"version":   c.Metadata.Version,
		"source":    jpBase(name),
	}})
	for i := range c.Groups {
		if err := t.group(&c.Groups[i], "catalog.groups", i, ""); err != nil {
			return nil, err
		}
	}
	for i := range c.Controls {
		if err := t.control(&c.Controls[i], jpIndex("catalog.controls", i), "", "control"); err != nil {
			return nil, err
		}
	}
	if len(t.b.Nodes) == 1 {
		t.b.Warnings = append(t.b.Warnings, Warning{Location: "catalog", Message: "the catalog has no groups or controls"})
	}
	t.resolveLineage()
	if err := jpCheckRecords(name, t.b); err != nil {
		return nil, err
	}
	return t.b, nil
}

// oscalSeen remembers a clause already made from an OSCAL id.
type oscalSeen struct {
	group bool
	path  string
	node  int // index in Batch.Nodes
}

// oscalCatalogTransform holds the state of one catalog's transform.
type oscalCatalogTransform struct {
	name   string
	data   []byte
	gid    string
	base   string // for a baseline, the guideline of its full catalog
	title  string
	b      *Batch
	params map[string]oscalParam
	seen   map[string]oscalSeen
	// parts maps each part id (lower case) to its control's clause id, refs
	// each clause ref (upper case) to its clause id, for the links of
	// withdrawn clauses.
	parts map[string]string
	refs  map[string]string
	// lineage lists what withdrawn clauses say about where they went,
	// resolved once every clause is known.
	lineage []oscalLineage
}

// oscalLineage is a withdrawn clause's pointer to where its content went:
// an OSCAL link (href and kind) or the note in its text.
type oscalLineage struct {
	from, where string
	href, kind  string
	note        string
}

// collectParams indexes every parameter of the catalog by id, so that a
// statement can show the parameters it inserts.
func (t *oscalCatalogTransform) collectParams(c *oscalCatalog) {
	add := func(ps []oscalParam) {
		for _, p := range ps {
			if p.ID != "" {
				t.params[p.ID] = p
			}
		}
	}
	var control func(*oscalControl)
	control = func(ct *oscalControl) {
		add(ct.Params)
		for i := range ct.Controls {
			control(&ct.Controls[i])
		}
	}
	var group func(*oscalGroup)
	group = func(g *oscalGroup) {
		add(g.Params)
		for i := range g.Groups {
			group(&g.Groups[i])
		}
		for i := range g.Controls {
			control(&g.Controls[i])
		}
	}
	add(c.Params)
	for i := range c.Groups {
		group(&c.Groups[i])
	}
	for i := range c.Controls {
		control(&c.Controls[i])
	}
}

// clauseID turns an OSCAL id into a clause id, or returns an error about
// the id at path p.
func (t *oscalCatalogTransform) clauseID(oscalID, p string) (string, error) {
	l := strings.ToLower(strings.TrimSpace(oscalID))
	if l == "" {
		return "", jpErrorAt(t.name, t.data, p, "no id")
	}
	id := t.gid + ":" + l
	if !oscalClauseIDPart.MatchString(l) || !jpValidID(id) {
		return "", jpErrorAt(t.name, t.data, jpJoin(p, "id"), "id %s cannot be part of a clause id (letters, digits, '.', '_' and '-' only)", jpShort(oscalID, 60))
	}
	return id, nil
}

// group adds a group clause and its sub-groups and controls.
func (t *oscalCatalogTransform) group(g *oscalGroup, list string, i int, parent string) error {
	p := jpIndex(list, i)
	oscalID := g.ID
	if strings.TrimSpace(oscalID) == "" {
		// OSCAL allows groups without ids; name them after their title.
		oscalID = jpSlug(g.Title)
		t.b.Warnings = append(t.b.Warnings, Warning{Location: p, Message: fmt.Sprintf("group %s has no id; its clause is named %q after its title", jpShort(g.Title, 60), oscalID)})
	}
	id, err := t.clauseID(oscalID, p)
	if err != nil {
		return err
	}
	if prev, ok := t.seen[id]; ok {
		if !prev.group {
			return jpErrorAt(t.name, t.data, jpJoin(p, "id"), "group id %q is already the id of the control at %s", g.ID, prev.path)
		}
		// A repeated group is merged into the first one.
		t.b.Warnings = append(t.b.Warnings, Warning{Location: p, Message: fmt.Sprintf("group id %q repeats the group at %s; the two are merged", g.ID, prev.path)})
		props := t.b.Nodes[prev.node].Props
		if props["title"] == "" && g.Title != "" {
			props["title"] = g.Title
		}
	} else {
		t.seen[id] = oscalSeen{group: true, path: p, node: len(t.b.Nodes)}
		text := t.statement(g.Parts)
		withdrawn := oscalWithdrawn(g.Props)
		t.addClause(id, parent, oscalRef(g.Props, oscalID), g.Title, "group", text, withdrawn)
		t.lineageOf(id, p, g.Links, withdrawn, text)
	}
	t.indexParts(g.Parts, id)
	for j := range g.Groups {
		if err := t.group(&g.Groups[j], jpJoin(p, "groups"), j, id); err != nil {
			return err
		}
	}
	for j := range g.Controls {
		if err := t.control(&g.Controls[j], jpIndex(jpJoin(p, "controls"), j), id, "control"); err != nil {
			return err
		}
	}
	return nil
}

// control adds a control clause (kind "control" or "enhancement") and its
// enhancements.
func (t *oscalCatalogTransform) control(c *oscalControl, p, parent, kind string) error {
	id, err := t.clauseID(c.ID, p)
	if err != nil {
		return err
	}
	if prev, ok := t.seen[id]; ok {
		return jpErrorAt(t.name, t.data, jpJoin(p, "id"), "control id %q repeats the id of %s", c.ID, prev.path)
	}
	t.seen[id] = oscalSeen{path: p, node: len(t.b.Nodes)}
	text := t.statement(c.Parts)
	withdrawn := oscalWithdrawn(c.Props) || strings.HasPrefix(strings.TrimSpace(text), "[Withdrawn")
	t.addClause(id, parent, oscalRef(c.Props, c.ID), c.Title, kind, text, withdrawn)
	if t.base != "" {
		t.b.Rels = append(t.b.Rels, baselineMapping(id, t.base+":"+strings.TrimPrefix(id, t.gid+":"), t.base, t.title, p))
	}
	t.indexParts(c.Parts, id)
	t.lineageOf(id, p, c.Links, withdrawn, text)
	for j := range c.Controls {
		if err := t.control(&c.Controls[j], jpIndex(jpJoin(p, "controls"), j), id, "enhancement"); err != nil {
			return err
		}
	}
	return nil
}

// indexParts records the ids of parts (at any depth) as parts of the
// clause id.
func (t *oscalCatalogTransform) indexParts(parts []oscalPart, id string) {
	for i := range parts {
		if pid := strings.ToLower(strings.TrimSpace(parts[i].ID)); pid != "" {
			if _, ok := t.parts[pid]; !ok {
				t.parts[pid] = id
			}
		}
		t.indexParts(parts[i].Parts, id)
	}
}

// lineageOf records where the clause id (at path p) says its content went:
// its incorporated-into and moved-to links, or, for a withdrawn clause
// without any, the withdrawal note of its text.
func (t *oscalCatalogTransform) lineageOf(id, p string, links []oscalLink, withdrawn bool, text string) {
	n := len(t.lineage)
	for i, l := range links {
		if l.Rel == withdrawnIncorporated || l.Rel == withdrawnMoved {
			t.lineage = append(t.lineage, oscalLineage{from: id, where: jpIndex(jpJoin(p, "links"), i), href: l.Href, kind: l.Rel})
		}
	}
	if len(t.lineage) == n && withdrawn && text != "" {
		t.lineage = append(t.lineage, oscalLineage{from: id, where: jpJoin(p, "parts"), note: text})
	}
}

// resolveLineage turns the recorded lineage into INCORPORATED_INTO
// relationships, now that every clause and part is known.
func (t *oscalCatalogTransform) resolveLineage() {
	w := newJPTally()
	links := newWithdrawnLinks(t.b, w)
	for _, l := range t.lineage {
		if l.note != "" {
			links.fromNote(l.from, l.note, t.refs, l.where)
			continue
		}
		target, ok := strings.CutPrefix(strings.TrimSpace(l.href), "#")
		target = strings.ToLower(target)
		to := ""
		if _, isClause := t.seen[t.gid+":"+target]; ok && isClause {
			to = t.gid + ":" + target
		} else if ok {
			to = t.parts[target]
		}
		if to == "" {
			w.count("withdrawn link unknown", l.kind, l.where)
			continue
		}
		links.add(l.from, to, l.kind, l.where)
	}
	links.groupSplits()
	t.b.Warnings = append(t.b.Warnings, w.warnings(withdrawnWords)...)
}

// addClause appends a clause node with its HAS_CLAUSE and PART_OF links.
func (t *oscalCatalogTransform) addClause(id, parent, ref, title, kind, text string, withdrawn bool) {
	if k := strings.ToUpper(ref); ref != "" {
		if _, ok := t.refs[k]; !ok {
			t.refs[k] = id
		}
	}
	props := map[string]any{
		"guidelineId": t.gid,
		"ref":         ref,
		"title":       strings.TrimSpace(title),
		"text":        text,
		"withdrawn":   withdrawn,
		"kind":        kind,
	}
	if parent != "" {
		props["parentId"] = parent
	}
	t.b.Nodes = append(t.b.Nodes, Node{Label: model.LabelClause, ID: id, Props: props})
	t.b.Rels = append(t.b.Rels, Rel{Type: model.RelHasClause, FromLabel: model.LabelGuideline, From: t.gid, ToLabel: model.LabelClause, To: id, Props: map[string]any{}})
	if parent != "" {
		t.b.Rels = append(t.b.Rels, Rel{Type: model.RelPartOf, FromLabel: model.LabelClause, From: id, ToLabel: model.LabelClause, To: parent, Props: map[string]any{}})
	}
}

// oscalRef is a clause's human label: the "label" prop (not the
// zero-padded variant newer catalogs add), else the id upper-cased.
func oscalRef(props []oscalProp, id string) string {
	for _, p := range props {
		if p.Name == "label" && p.Class != "zero-padded" && strings.TrimSpace(p.Value) != "" {
			return strings.TrimSpace(p.Value)
		}
	}
	return strings.ToUpper(strings.TrimSpace(id))
}

// oscalWithdrawn reports whether the props say status "withdrawn".
func oscalWithdrawn(props []oscalProp) bool {
	for _, p := range props {
		if p.Name == "status" && strings.EqualFold(strings.TrimSpace(p.Value), "withdrawn") {
			return true
		}
	}
	return false
}

// oscalPublisher names who publishes a catalog: the "publisher" party,
// else NIST when the title names it, else the "creator" party, else "".
func oscalPublisher(m *oscalMetadata) string {
	party := func(role string) string {
		for _, rp := range m.ResponsibleParties {
			if rp.RoleID != role {
				continue
			}
			for _, u := range rp.PartyUUIDs {
				for _, p := range m.Parties {
					if p.UUID == u && strings.TrimSpace(p.Name) != "" {
						return strings.TrimSpace(p.Name)
					}
				}
			}
		}
		return ""
	}
	if p := party("publisher"); p != "" {
		return p
	}
	if strings.Contains(m.Title, "NIST") || strings.Contains(m.Title, "National Institute of Standards") {
		return "NIST"
	}
	return party("creator")
}

// oscalInsert matches a parameter placeholder in prose.
var oscalInsert = regexp.MustCompile(`\{\{\s*insert:\s*param,\s*([^}\s]+)\s*\}\}`)

// statement flattens the first "statement" part into plain lines: the
// part's own prose, then each item as "label prose", nested items indented
// by two spaces per level.
func (t *oscalCatalogTransform) statement(parts []oscalPart) string {
	for _, p := range parts {
		if p.Name != "statement" {
			continue
		}
		var lines []string
		var walk func(p *oscalPart, depth int)
		walk = func(p *oscalPart, depth int) {
			label := ""
			for _, pr := range p.Props {
				if pr.Name == "label" {
					label = strings.TrimSpace(pr.Value)
					break
				}
			}
			prose := strings.TrimSpace(t.insertParams(p.Prose, 0))
			line := strings.TrimSpace(label + " " + prose)
			if line != "" {
				indent := ""
				if depth > 1 {
					indent = strings.Repeat("  ", depth-1)
				}
				lines = append(lines, indent+line)
			}
			for i := range p.Parts {
				if p.Parts[i].Name == "item" || p.Parts[i].Name == "statement" {
					walk(&p.Parts[i], depth+1)
				}
			}
		}
		walk(&p, 0)
		return strings.Join(lines, "\n")
	}
	return ""
}

// insertParams writes parameter placeholders as NIST prints them:
// "[Assignment: label]", "[Selection (one or more): a; b]" or the set
// values. Choices may insert parameters themselves; depth bounds that.
func (t *oscalCatalogTransform) insertParams(s string, depth int) string {
	if depth > 3 || !strings.Contains(s, "{{") {
		return s
	}
	return oscalInsert.ReplaceAllStringFunc(s, func(m string) string {
		id := oscalInsert.FindStringSubmatch(m)[1]
		p, ok := t.params[id]
		switch {
		case !ok:
			return "[Assignment: " + id + "]"
		case len(p.Values) > 0:
			return strings.Join(p.Values, ", ")
		case p.Select != nil:
			choices := make([]string, len(p.Select.Choice))
			for i, c := range p.Select.Choice {
				choices[i] = t.insertParams(c, depth+1)
			}
			head := "[Selection: "
			if p.Select.HowMany == "one-or-more" {
				head = "[Selection (one or more): "
			}
			return head + strings.Join(choices, "; ") + "]"
		case p.Label != "":
			return "[Assignment: " + p.Label + "]"
		}
		return "[Assignment: " + id + "]"
	})
}
