package ingest

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// CISO Assistant (intuitem) library YAML: one library per file, whose
// `objects` hold a framework (a tree of requirement nodes), reference
// controls, and requirement mapping sets between frameworks.
//
// Ids: a framework's Guideline is "ciso:" + the last segment of the
// framework urn, lowercased ("ciso:iec-62443-3-3-2013", "ciso:iso27001-2022");
// every node id is "ciso:" + the urn after "urn:", lowercased, with
// "(x)" written ".x" (so that urn:groupe-schmidt:…:ac-2(1) becomes
// ciso:groupe-schmidt:…:ac-2.1): a requirement node's Clause, a reference
// control's Measure. Mapping sets name requirement urns, so their MAPS_TO
// ends are the clause ids their frameworks' files produce.
//
// References to reference controls that another library defines (the
// frameworks of NIST CSF and ISO/IEC 27001 cite key-reference-controls.yaml,
// library urn:intuitem:risk:library:doc-pol) become SATISFIES relationships
// whose Hint names that file: the loader refuses the framework, naming it,
// until the controls are loaded (or are loaded in the same run, first).

// cisoCategory maps a reference control's category to its measure's
// axis-3 perspective: technical and physical controls act on the system
// itself (P1), processes and procedures on its operation (P2), policies on
// the people who run and manage it (P3). Other categories get P1.
var cisoCategory = map[string]string{
	"technical": "P1",
	"physical":  "P1",
	"process":   "P2",
	"procedure": "P2",
	"policy":    "P3",
}

// cisoRelationship maps a requirement mapping's relationship to the
// MappingRelationship enum.
var cisoRelationship = map[string]model.MappingRelationship{
	"equal":       model.MappingRelationshipEqualTo,
	"equivalent":  model.MappingRelationshipEquivalentTo,
	"subset":      model.MappingRelationshipSubsetOf,
	"superset":    model.MappingRelationshipSupersetOf,
	"intersect":   model.MappingRelationshipIntersectsWith,
	"not_related": model.MappingRelationshipNoRelationship,
}

// cisoRationale maps a requirement mapping's rationale to the
// MappingRationale enum; other rationales are left out.
var cisoRationale = map[string]model.MappingRationale{
	"syntactic":  model.MappingRationaleSyntactic,
	"semantic":   model.MappingRationaleSemantic,
	"functional": model.MappingRationaleFunctional,
}

// cisoKnownLibraries names the files of the libraries that others depend
// on, for hints.
var cisoKnownLibraries = map[string]string{
	"urn:intuitem:risk:library:doc-pol": "key-reference-controls.yaml",
}

// ParseCISOLibrary reads a CISO Assistant library (YAML) named name and
// returns the batch that stores it: the framework as a Guideline with a
// Clause per requirement node (HAS_CLAUSE at every level, PART_OF to the
// parent; kind "requirement" for assessable nodes, else "group"; withdrawn
// when its description is NIST's note "[Withdrawn: …]", whose "Incorporated
// into AC-2 and AU-6" or "Moved to SR-11" becomes INCORPORATED_INTO to the
// framework's clauses of those refs, kind "incorporated-into" or
// "moved-to"), each reference control as a Measure, each requirement's reference controls
// as SATISFIES (relationship INTERSECTS_WITH), and each requirement mapping
// as MAPS_TO between the clauses. Requirement mappings are pairwise (one
// source, one target), so their MAPS_TO carry no group of an OSCAL map
// (group, groupSources and groupTargets are set to null; see
// ParseOSCALMapping). Identical repeated mappings are merged with a
// warning. Objects it does not read are reported as warnings.
// Every problem is an *Error with the line and the path.
func ParseCISOLibrary(name string, data []byte) (*Batch, error) {
	root, err := yamlTree(name, data)
	if err != nil {
		return nil, err
	}
	p := &cisoParse{file: name, b: &Batch{Source: name, Format: FormatCISOLibrary}, measures: map[string]bool{}, ids: map[string]string{}}
	if err := p.library(root); err != nil {
		return nil, err
	}
	if n := len(p.b.Nodes) + len(p.b.Rels); n > MaxRecords {
		return nil, yerr(name, 0, "", "the library makes %d nodes and relationships; the limit is %d", n, MaxRecords)
	}
	return p.b, nil
}

// cisoParse holds the state of one library's parse.
type cisoParse struct {
	file string
	b    *Batch

	urn, ref, title, provider, version string
	deps                               []string
	measures                           map[string]bool   // ids of the reference controls this file defines
	ids                                map[string]string // every node id of the batch → the path that defines it
}

// define records that the node at path (line) has id, and fails when
// another node of the library has it already: distinct urns can give one
// id (they differ only in case or in characters an id cannot hold, or a
// framework's last urn segment matches a node's urn).
func (p *cisoParse) define(id, urn string, line int, path string) error {
	if prev, dup := p.ids[id]; dup {
		return yerr(p.file, line, path, "urn %q gives id %q, which %s has already", ytruncate(urn, 80), id, prev)
	}
	p.ids[id] = path
	return nil
}

// warn records a warning at path.
func (p *cisoParse) warn(path, format string, args ...any) {
	p.b.Warnings = append(p.b.Warnings, Warning{Location: path, Message: fmt.Sprintf(format, args...)})
}

// text returns the scalar value of key as text, or "" when it is absent or
// null. It fails on a mapping or list.
func (p *cisoParse) text(n *ynode, key, path string) (string, error) {
	v := n.get(key)
	switch {
	case v == nil || v.kind == yNull:
		return "", nil
	case v.kind == yMap || v.kind == ySeq:
		return "", yerr(p.file, v.line, ypath(path, key), "must be text, not %s", v.what())
	}
	return v.scalar(), nil
}

// required is text for a field that must be present and not empty.
func (p *cisoParse) required(n *ynode, key, path string) (string, error) {
	s, err := p.text(n, key, path)
	if err == nil && strings.TrimSpace(s) == "" {
		err = yerr(p.file, n.line, path, "missing required field %q", key)
	}
	return s, err
}

// list returns the items of key, which must be a list when present.
func (p *cisoParse) list(n *ynode, key, path string, required bool) ([]*ynode, error) {
	v := n.get(key)
	switch {
	case v == nil || v.kind == yNull:
		if required {
			return nil, yerr(p.file, n.line, path, "missing required field %q", key)
		}
		return nil, nil
	case v.kind != ySeq:
		return nil, yerr(p.file, v.line, ypath(path, key), "must be a list, not %s", v.what())
	}
	return v.items, nil
}

// mapping checks that n is a mapping.
func (p *cisoParse) mapping(n *ynode, path string) error {
	if n.kind != yMap {
		return yerr(p.file, n.line, path, "must be a mapping, not %s", n.what())
	}
	return nil
}

// library reads the library's metadata, then its objects: reference
// controls first, so that a framework's references to them resolve.
func (p *cisoParse) library(root *ynode) error {
	if err := p.mapping(root, ""); err != nil {
		return yerr(p.file, root.line, "", "a CISO Assistant library is a mapping with urn, ref_id, name and objects, not %s", root.what())
	}
	var err error
	if p.urn, err = p.required(root, "urn", ""); err != nil {
		return err
	}
	if p.ref, err = p.text(root, "ref_id", ""); err != nil {
		return err
	}
	if p.title, err = p.text(root, "name", ""); err != nil {
		return err
	}
	if p.provider, err = p.text(root, "provider", ""); err != nil {
		return err
	}
	if p.version, err = p.text(root, "version", ""); err != nil {
		return err
	}
	if date, err := p.text(root, "publication_date", ""); err != nil {
		return err
	} else if date != "" {
		p.version = strings.TrimSpace(p.version + " (" + date + ")")
	}
	deps, err := p.list(root, "dependencies", "", false)
	if err != nil {
		return err
	}
	for i, d := range deps {
		if d.kind != yString {
			return yerr(p.file, d.line, fmt.Sprintf("dependencies[%d]", i), "must be a library urn, not %s", d.what())
		}
		p.deps = append(p.deps, d.s)
	}
	objects := root.get("objects")
	if objects == nil {
		return yerr(p.file, root.line, "", "missing required field %q (the framework, reference controls or mapping sets)", "objects")
	}
	if err := p.mapping(objects, "objects"); err != nil {
		return err
	}
	known := false
	for _, key := range []string{"reference_controls", "framework", "requirement_mapping_set", "requirement_mapping_sets"} {
		v := objects.get(key)
		if v == nil || v.kind == yNull {
			continue
		}
		known = true
		path := "objects." + key
		switch key {
		case "reference_controls":
			err = p.referenceControls(v, path)
		case "framework":
			err = p.framework(v, path)
		case "requirement_mapping_set":
			err = p.mappingSet(v, path)
		case "requirement_mapping_sets":
			if v.kind != ySeq {
				return yerr(p.file, v.line, path, "must be a list, not %s", v.what())
			}
			for i, s := range v.items {
				if err = p.mappingSet(s, fmt.Sprintf("%s[%d]", path, i)); err != nil {
					break
				}
			}
		}
		if err != nil {
			return err
		}
	}
	for i, key := range objects.keys {
		switch key {
		case "reference_controls", "framework", "requirement_mapping_set", "requirement_mapping_sets":
		default:
			p.warn(fmt.Sprintf("%s:%d: objects.%s", p.file, objects.klines[i], key), "not read: ssfgraph reads frameworks, reference controls and requirement mapping sets")
		}
	}
	if !known {
		return yerr(p.file, objects.line, "objects", "holds no framework, reference_controls or requirement mapping sets")
	}
	return nil
}

// cisoID turns a CISO Assistant urn into a node id: "ciso:" + the urn
// after "urn:", lowercased, with "(x)" written ".x" and any other
// character an id may not hold written "-".
func cisoID(urn string) string {
	s := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(urn)), "urn:")
	var b strings.Builder
	b.WriteString("ciso:")
	for _, r := range s {
		switch {
		case r == '(':
			b.WriteByte('.')
		case r == ')':
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("._:-", r)):
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return b.String()
}

// cisoSegment returns the last ':'-separated segment of a urn, lowercased.
func cisoSegment(urn string) string {
	urn = strings.ToLower(strings.TrimSpace(urn))
	return urn[strings.LastIndexByte(urn, ':')+1:]
}

// cisoGuidelineID is the id of the Guideline of the framework with the
// given urn.
func cisoGuidelineID(frameworkURN string) string {
	return cisoID(cisoSegment(frameworkURN))
}

// checkID fails unless id is a valid node id.
func (p *cisoParse) checkID(id, urn string, line int, path string) error {
	if !nativeIDPattern.MatchString(id) {
		return yerr(p.file, line, path, "urn %q does not give a usable id (%q): ids are 1 to 200 letters, digits, '.', '_', ':' or '-'", ytruncate(urn, 80), ytruncate(id, 80))
	}
	return nil
}

// referenceControls reads objects.reference_controls into measures.
func (p *cisoParse) referenceControls(v *ynode, path string) error {
	if v.kind != ySeq {
		return yerr(p.file, v.line, path, "must be a list, not %s", v.what())
	}
	source := "ciso:" + cisoSegment(p.urn)
	for i, c := range v.items {
		cp := fmt.Sprintf("%s[%d]", path, i)
		if err := p.mapping(c, cp); err != nil {
			return err
		}
		urn, err := p.required(c, "urn", cp)
		if err != nil {
			return err
		}
		id := cisoID(urn)
		if err := p.checkID(id, urn, c.line, cp+".urn"); err != nil {
			return err
		}
		if err := p.define(id, urn, c.line, cp+".urn"); err != nil {
			return err
		}
		p.measures[id] = true
		var f [5]string
		for k, key := range []string{"ref_id", "name", "category", "description", "annotation"} {
			if f[k], err = p.text(c, key, cp); err != nil {
				return err
			}
		}
		ref, name, category, desc := f[0], f[1], f[2], f[3]
		if name == "" {
			name = cisoFirst(ref, cisoSegment(urn))
		}
		perspective, ok := cisoCategory[strings.ToLower(category)]
		if !ok {
			perspective = "P1"
		}
		props := map[string]any{"name": name, "description": desc, "perspective": perspective,
			"kind": cisoFirst(strings.ToLower(category), "technical"), "source": source}
		if ref != "" {
			props["externalId"] = ref
		}
		p.b.Nodes = append(p.b.Nodes, Node{Label: model.LabelMeasure, ID: id, Props: props})
	}
	return nil
}

// cisoFirst returns the first of its arguments that is not empty.
func cisoFirst(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// framework reads objects.framework into a guideline and its clauses.
func (p *cisoParse) framework(v *ynode, path string) error {
	if err := p.mapping(v, path); err != nil {
		return err
	}
	urn, err := p.required(v, "urn", path)
	if err != nil {
		return err
	}
	gid := cisoGuidelineID(urn)
	if err := p.checkID(gid, urn, v.line, path+".urn"); err != nil {
		return err
	}
	if err := p.define(gid, urn, v.line, path+".urn"); err != nil {
		return err
	}
	title, err := p.text(v, "name", path)
	if err != nil {
		return err
	}
	p.b.Nodes = append(p.b.Nodes, Node{Label: model.LabelGuideline, ID: gid, Props: map[string]any{
		"title": cisoFirst(title, p.title, p.ref, gid), "publisher": cisoFirst(p.provider, "unknown"), "version": cisoFirst(p.version, "unknown"),
		"source": "CISO Assistant library " + p.urn,
	}})
	nodes, err := p.list(v, "requirement_nodes", path, true)
	if err != nil {
		return err
	}
	np := path + ".requirement_nodes"
	type reqNode struct {
		id, parentURN string
		line          int
		at            string
		withdrawn     string // the description of a withdrawn node
	}
	refs := map[string]string{}               // ref (upper case) → clause id, for withdrawal notes
	byURN := make(map[string]int, len(nodes)) // urn → index into reqs
	reqs := make([]reqNode, 0, len(nodes))
	for i, n := range nodes {
		rp := fmt.Sprintf("%s[%d]", np, i)
		if err := p.mapping(n, rp); err != nil {
			return err
		}
		var f [5]string
		for k, key := range []string{"urn", "parent_urn", "ref_id", "name", "description"} {
			if f[k], err = p.text(n, key, rp); err != nil {
				return err
			}
		}
		urn, parent, ref, name, desc := f[0], f[1], f[2], f[3], f[4]
		if urn == "" {
			return yerr(p.file, n.line, rp, "missing required field %q", "urn")
		}
		id := cisoID(urn)
		if err := p.checkID(id, urn, n.line, rp+".urn"); err != nil {
			return err
		}
		if err := p.define(id, urn, n.line, rp+".urn"); err != nil {
			return err
		}
		assessable := false
		if a := n.get("assessable"); a != nil && a.kind != yNull {
			if a.kind != yBool {
				return yerr(p.file, a.line, rp+".assessable", "must be true or false, not %s", ydescribe(a))
			}
			assessable = a.b
		}
		kind := "group"
		if assessable {
			kind = "requirement"
		}
		props := map[string]any{
			"guidelineId": gid, "ref": cisoFirst(ref, cisoSegment(urn)), "title": cisoFirst(strings.TrimSpace(name), cisoFirstLine(desc), ref, cisoSegment(urn)),
			"text": desc, "kind": kind, "withdrawn": cisoWithdrawn(desc),
		}
		if r := strings.ToUpper(props["ref"].(string)); refs[r] == "" {
			refs[r] = id
		}
		byURN[urn] = len(reqs)
		reqs = append(reqs, reqNode{id: id, parentURN: parent, line: n.line, at: rp})
		if cisoWithdrawn(desc) {
			reqs[len(reqs)-1].withdrawn = desc
		}
		p.b.Nodes = append(p.b.Nodes, Node{Label: model.LabelClause, ID: id, Props: props})
		p.b.Rels = append(p.b.Rels, Rel{Type: model.RelHasClause, FromLabel: model.LabelGuideline, From: gid, ToLabel: model.LabelClause, To: id, Where: rp})
	}
	// Parents may come after their children: resolve them once all are read.
	first := len(p.b.Nodes) - len(reqs)
	for i, r := range reqs {
		if r.parentURN == "" {
			continue
		}
		j, ok := byURN[r.parentURN]
		if !ok {
			return yerr(p.file, r.line, r.at+".parent_urn", "parent %q is not a requirement node of this framework", r.parentURN)
		}
		for k, steps := j, 0; ; steps++ { // no node may be its own ancestor
			if k == i || steps > len(reqs) {
				return yerr(p.file, r.line, r.at+".parent_urn", "requirement nodes form a cycle through %q", r.parentURN)
			}
			pu := reqs[k].parentURN
			if pu == "" {
				break
			}
			next, ok := byURN[pu]
			if !ok {
				break // reported when that node's turn comes
			}
			k = next
		}
		p.b.Nodes[first+i].Props["parentId"] = reqs[j].id
		p.b.Rels = append(p.b.Rels, Rel{Type: model.RelPartOf, FromLabel: model.LabelClause, From: r.id, ToLabel: model.LabelClause, To: reqs[j].id, Where: r.at + ".parent_urn"})
	}
	w := newJPTally()
	links := newWithdrawnLinks(p.b, w)
	for _, r := range reqs {
		if r.withdrawn != "" {
			links.fromNote(r.id, r.withdrawn, refs, fmt.Sprintf("%s:%d: %s.description", p.file, r.line, r.at))
		}
	}
	links.groupSplits()
	p.b.Warnings = append(p.b.Warnings, w.warnings(withdrawnWords)...)
	for i, n := range nodes {
		rp := fmt.Sprintf("%s[%d]", np, i)
		refs, err := p.list(n, "reference_controls", rp, false)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for k, rc := range refs {
			at := fmt.Sprintf("%s.reference_controls[%d]", rp, k)
			if rc.kind != yString {
				return yerr(p.file, rc.line, at, "must be a reference control urn, not %s", rc.what())
			}
			mid := cisoID(rc.s)
			if err := p.checkID(mid, rc.s, rc.line, at); err != nil {
				return err
			}
			if seen[mid] {
				p.warn(fmt.Sprintf("%s:%d: %s", p.file, rc.line, at), "reference control %s is listed twice; linked once", rc.s)
				continue
			}
			seen[mid] = true
			r := Rel{Type: model.RelSatisfies, FromLabel: model.LabelMeasure, From: mid, ToLabel: model.LabelClause, To: reqs[i].id,
				Props: map[string]any{"relationship": string(model.MappingRelationshipIntersectsWith)}, Where: at}
			if !p.measures[mid] {
				r.Hint = p.controlHint()
			}
			p.b.Rels = append(p.b.Rels, r)
		}
	}
	return nil
}

// cisoWithdrawn reports whether a requirement's description marks it
// withdrawn, as NIST's catalogs do: "[Withdrawn: Incorporated into AC-2.]"
// (a few nodes lost the bracket).
func cisoWithdrawn(desc string) bool {
	return strings.HasPrefix(strings.TrimPrefix(strings.TrimSpace(desc), "["), "Withdrawn:")
}

// cisoFirstLine returns the first line of s, shortened to 200 characters, as a
// title for a node that has no name.
func cisoFirstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return ytruncate(strings.TrimSpace(line), 200)
}

// controlHint names the library to load before a framework whose
// requirement cites a reference control of another file; the loader says
// "ingest HINT first".
func (p *cisoParse) controlHint() string {
	var libs []string
	for _, d := range p.deps {
		if f, ok := cisoKnownLibraries[d]; ok {
			libs = append(libs, fmt.Sprintf("%s (CISO Assistant library %s)", f, d))
		} else {
			libs = append(libs, "CISO Assistant library "+d)
		}
	}
	if len(libs) == 0 {
		return "the CISO Assistant library that defines the reference control"
	}
	return strings.Join(libs, " and ")
}

// mappingSet reads one requirement mapping set into MAPS_TO relationships.
func (p *cisoParse) mappingSet(v *ynode, path string) error {
	if err := p.mapping(v, path); err != nil {
		return err
	}
	var f [4]string
	var err error
	for k, key := range []string{"name", "ref_id", "source_framework_urn", "target_framework_urn"} {
		if f[k], err = p.text(v, key, path); err != nil {
			return err
		}
	}
	source := cisoFirst(f[0], f[1], p.title, p.file)
	var frameworks []string
	for _, fw := range []string{f[2], f[3]} {
		if fw != "" && !slices.Contains(frameworks, fw) {
			frameworks = append(frameworks, fw)
		}
	}
	hint := "the CISO Assistant framework libraries that define both ends"
	if len(frameworks) > 0 {
		var names []string
		for _, fw := range frameworks {
			names = append(names, fmt.Sprintf("%s (guideline %s)", cisoSegment(fw), cisoGuidelineID(fw)))
		}
		hint = "the CISO Assistant framework librar" + map[bool]string{true: "y ", false: "ies "}[len(names) == 1] + strings.Join(names, " and ")
	}
	maps, err := p.list(v, "requirement_mappings", path, true)
	if err != nil {
		return err
	}
	type pair struct{ from, to string }
	seen := map[pair]int{} // → index into p.b.Rels
	for i, m := range maps {
		mp := fmt.Sprintf("%s.requirement_mappings[%d]", path, i)
		if err := p.mapping(m, mp); err != nil {
			return err
		}
		var g [4]string
		for k, key := range []string{"source_requirement_urn", "target_requirement_urn", "relationship", "rationale"} {
			if g[k], err = p.text(m, key, mp); err != nil {
				return err
			}
		}
		for k, key := range []string{"source_requirement_urn", "target_requirement_urn", "relationship"} {
			if strings.TrimSpace(g[k]) == "" {
				return yerr(p.file, m.line, mp, "missing required field %q", key)
			}
		}
		from, to := cisoID(g[0]), cisoID(g[1])
		if err := p.checkID(from, g[0], m.line, mp+".source_requirement_urn"); err != nil {
			return err
		}
		if err := p.checkID(to, g[1], m.line, mp+".target_requirement_urn"); err != nil {
			return err
		}
		rel, ok := cisoRelationship[strings.ToLower(strings.TrimSpace(g[2]))]
		if !ok {
			line := m.line
			if r := m.get("relationship"); r != nil {
				line = r.line
			}
			return yerr(p.file, line, mp+".relationship", "unknown relationship %q (want equal, equivalent, subset, superset, intersect or not_related)", ytruncate(g[2], 40))
		}
		props := pairwise(map[string]any{"relationship": string(rel), "source": source})
		if r, ok := cisoRationale[strings.ToLower(strings.TrimSpace(g[3]))]; ok {
			props["rationale"] = string(r)
		}
		if st := m.get("strength_of_relationship"); st != nil && st.kind != yNull {
			if c, problem := cisoConfidence(st); problem != "" {
				p.warn(fmt.Sprintf("%s:%d: %s.strength_of_relationship", p.file, st.line, mp), "%s; no confidence recorded", problem)
			} else {
				props["confidence"] = c
			}
		}
		loc := fmt.Sprintf("%s:%d: %s", p.file, m.line, mp)
		if from == to {
			p.warn(loc, "maps requirement %s to itself; skipped", g[0])
			continue
		}
		if k, dup := seen[pair{from, to}]; dup {
			if cisoEqualProps(p.b.Rels[k].Props, props) {
				p.warn(loc, "repeats the mapping at %s; merged", p.b.Rels[k].Where)
			} else {
				p.warn(loc, "maps the same requirements as %s with other properties; the first is kept", p.b.Rels[k].Where)
			}
			continue
		}
		seen[pair{from, to}] = len(p.b.Rels)
		p.b.Rels = append(p.b.Rels, Rel{Type: model.RelMapsTo, FromLabel: model.LabelClause, From: from, ToLabel: model.LabelClause, To: to, Props: props, Where: mp, Hint: hint})
	}
	return nil
}

// cisoConfidence turns a mapping's strength_of_relationship into a
// confidence from 0 to 1: a share as it is, a CISO Assistant strength from
// 0 to 10 divided by 10. It says what is wrong with any other value.
func cisoConfidence(n *ynode) (float64, string) {
	v := n.f
	switch n.kind {
	case yInt:
		v = float64(n.i)
	case yFloat:
	default:
		return 0, fmt.Sprintf("strength %s is not a number", ydescribe(n))
	}
	switch {
	case v >= 0 && v <= 1:
		return v, ""
	case v > 1 && v <= 10:
		return v / 10, ""
	}
	return 0, fmt.Sprintf("strength %v is outside 0 to 10", v) // NaN and infinities too
}

// cisoEqualProps reports whether two property maps of scalars are equal.
func cisoEqualProps(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
