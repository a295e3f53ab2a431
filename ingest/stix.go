package ingest

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// STIX 2.1 bundle shapes: only the fields the transform reads. Unknown
// fields are ignored; a known field of the wrong JSON type is an error.
type (
	stixBundle struct {
		Type    *string      `json:"type"`
		ID      string       `json:"id"`
		Objects []stixObject `json:"objects"`
	}
	stixObject struct {
		Type         string         `json:"type"`
		ID           string         `json:"id"`
		Name         string         `json:"name"`
		Description  string         `json:"description"`
		Revoked      bool           `json:"revoked"`
		Deprecated   bool           `json:"x_mitre_deprecated"`
		Domains      []string       `json:"x_mitre_domains"`
		ExternalRefs []stixExternal `json:"external_references"`
		KillChain    []stixPhase    `json:"kill_chain_phases"`
		Relationship string         `json:"relationship_type"`
		SourceRef    string         `json:"source_ref"`
		TargetRef    string         `json:"target_ref"`
	}
	stixExternal struct {
		SourceName string `json:"source_name"`
		ExternalID string `json:"external_id"`
	}
	stixPhase struct {
		KillChainName string `json:"kill_chain_name"`
		PhaseName     string `json:"phase_name"`
	}
)

// stixNode is an object the transform turned into a node.
type stixNode struct {
	label string
	id    string
	typ   string
}

// ParseSTIX reads a STIX 2.1 bundle, such as MITRE ATT&CK for ICS, and
// returns the batch it writes:
//
//   - attack-pattern → Threat ("<source>:T0803", kind "cyber-attack", with its
//     ATT&CK id, tactics from the kill-chain phases, STIX id and flags);
//   - course-of-action → Measure ("<source>:M0948", perspective P1, kind
//     "technical");
//   - x-mitre-asset → AssetKind ("<source>:A0001");
//   - relationship "mitigates" (course-of-action → attack-pattern) →
//     Threat-[:MITIGATED_BY {rationale}]->Measure, the rationale being the
//     relationship's description (markdown, kept as is);
//   - relationship "targets" (attack-pattern → x-mitre-asset) →
//     Threat-[:TARGETS]->AssetKind;
//   - relationship "subtechnique-of" (attack-pattern → attack-pattern) →
//     Threat-[:SUBTECHNIQUE_OF]->Threat, from the sub-technique to its
//     technique;
//   - relationship "revoked-by" between two attack-patterns or two
//     courses of action → Threat-[:REVOKED_BY]->Threat or
//     Measure-[:REVOKED_BY]->Measure, from the revoked object to the one
//     that replaces it (revoked-by between other types, such as the
//     intrusion sets of ATT&CK for ICS, is skipped with the other types).
//
// <source> is "mitre-attack-ics" for the ICS domain ("mitre-attack-" plus
// the domain otherwise, "stix" for bundles without x_mitre_domains). An
// object without an ATT&CK id (an external reference from "mitre-attack" or
// "mitre-<domain>-attack") is keyed by its STIX id instead.
//
// Revoked and deprecated objects are kept and flagged (properties revoked
// and deprecated are true), so analyses that cite them keep resolving; one
// warning per kind gives their number. Relationships that are themselves
// revoked or deprecated are skipped, with a counted warning, as are
// relationships with an end that is not in the bundle (STIX bundles are
// self-contained, so that is a defect of the file, not a reference to
// stored data). Other object types (tactics, matrices, detection
// strategies, analytics, data components, malware, intrusion sets,
// campaigns, identities, marking definitions, …) and other relationship
// types are reported as one warning per type with its count. Errors (broken
// JSON, a field of the wrong type, an object without type or id) name the
// line and JSON path.
func ParseSTIX(name string, data []byte) (*Batch, error) {
	var bundle stixBundle
	if err := jpDecode(name, data, &bundle); err != nil {
		return nil, err
	}
	if bundle.Type == nil {
		return nil, jpErrorAt(name, data, "", "not a STIX bundle: no \"type\" field at the top")
	}
	if *bundle.Type != "bundle" {
		return nil, jpErrorAt(name, data, "type", "not a STIX bundle: type is %s, want \"bundle\"", jpShort(*bundle.Type, 40))
	}
	b := &Batch{Source: name, Format: FormatSTIX}
	source := stixSource(bundle.Objects)
	w := newJPTally()

	nodes := make(map[string]stixNode) // by STIX id
	inBundle := make(map[string]bool)  // every STIX id of the bundle
	used := make(map[string]string)    // node id → STIX id
	for i, o := range bundle.Objects {
		p := jpIndex("objects", i)
		if o.Type == "" {
			return nil, jpErrorAt(name, data, p, "object has no type")
		}
		if o.ID == "" {
			return nil, jpErrorAt(name, data, p, "%s object has no id", o.Type)
		}
		if !strings.HasPrefix(o.ID, o.Type+"--") {
			return nil, jpErrorAt(name, data, jpJoin(p, "id"), "id %s does not start with its type %q followed by \"--\"", jpShort(o.ID, 60), o.Type)
		}
		inBundle[o.ID] = true
		var label, kindProp string
		switch o.Type {
		case "attack-pattern":
			label, kindProp = model.LabelThreat, "cyber-attack"
		case "course-of-action":
			label, kindProp = model.LabelMeasure, "technical"
		case "x-mitre-asset":
			label = model.LabelAssetKind
		case "relationship":
			continue
		default:
			w.count("skipped", o.Type, p)
			continue
		}
		if _, dup := nodes[o.ID]; dup {
			w.count("duplicate", o.Type, p)
			continue
		}
		ext := stixExternalID(o.ExternalRefs)
		if ext != "" && !jpValidID(source+":"+ext) {
			w.count("unusable ATT&CK id", o.Type, p)
			ext = ""
		}
		id := source + ":" + ext
		if ext == "" || used[id] != "" {
			if ext != "" {
				w.add(p, fmt.Sprintf("ATT&CK id %s is used by %s too; this %s is keyed by its STIX id", ext, used[id], o.Type))
			} else {
				w.count("no ATT&CK id", o.Type, p)
			}
			id = source + ":" + o.ID
		}
		if !jpValidID(id) {
			return nil, jpErrorAt(name, data, jpJoin(p, "id"), "cannot make a node id from %s", jpShort(id, 60))
		}
		used[id] = o.ID
		nodes[o.ID] = stixNode{label: label, id: id, typ: o.Type}
		if o.Name == "" {
			w.count("no name", o.Type, p)
		}
		props := map[string]any{
			"name":        o.Name,
			"description": o.Description,
			"source":      source,
			"stixId":      o.ID,
			"revoked":     o.Revoked,
			"deprecated":  o.Deprecated,
		}
		if ext != "" {
			props["externalId"] = ext
		}
		if kindProp != "" {
			props["kind"] = kindProp
		}
		switch label {
		case model.LabelThreat:
			props["tactics"] = stixTactics(o.KillChain)
		case model.LabelMeasure:
			props["perspective"] = "P1"
		}
		if o.Revoked || o.Deprecated {
			w.count("revoked or deprecated", o.Type, p)
		}
		b.Nodes = append(b.Nodes, Node{Label: label, ID: id, Props: props})
	}

	seen := make(map[[3]string]bool)
	for i, o := range bundle.Objects {
		if o.Type != "relationship" {
			continue
		}
		p := jpIndex("objects", i)
		if o.SourceRef == "" || o.TargetRef == "" {
			return nil, jpErrorAt(name, data, p, "relationship %s has no source_ref or target_ref", o.ID)
		}
		var relType, fromType, toType string
		switch o.Relationship {
		case "mitigates":
			relType, fromType, toType = model.RelMitigatedBy, "course-of-action", "attack-pattern"
		case "targets":
			relType, fromType, toType = model.RelTargets, "attack-pattern", "x-mitre-asset"
		case "subtechnique-of":
			relType, fromType, toType = model.RelSubtechniqueOf, "attack-pattern", "attack-pattern"
		case "revoked-by":
			relType = model.RelRevokedBy // between two objects of one type, checked below
		case "":
			return nil, jpErrorAt(name, data, p, "relationship %s has no relationship_type", o.ID)
		default:
			w.count("skipped relationship", o.Relationship, p)
			continue
		}
		if o.Revoked || o.Deprecated {
			w.count("skipped revoked or deprecated relationship", o.Relationship, p)
			continue
		}
		src, okSrc := nodes[o.SourceRef]
		dst, okDst := nodes[o.TargetRef]
		if !okSrc || !okDst {
			if inBundle[o.SourceRef] && inBundle[o.TargetRef] {
				w.count("skipped relationship between other types", o.Relationship, p)
			} else {
				w.count("skipped dangling relationship", o.Relationship, p)
			}
			continue
		}
		if relType == model.RelRevokedBy && src.typ == dst.typ && (src.typ == "attack-pattern" || src.typ == "course-of-action") {
			fromType, toType = src.typ, dst.typ
		}
		if src.typ != fromType || dst.typ != toType {
			w.count("skipped relationship between other types", o.Relationship, p)
			continue
		}
		if src.id == dst.id {
			w.count("skipped relationship to itself", o.Relationship, p)
			continue
		}
		// STIX "X mitigates Y" is stored as Y-[:MITIGATED_BY]->X; the others
		// ("X targets Y", "X subtechnique-of Y", "X revoked-by Y") keep
		// their direction.
		from, to := src, dst
		if relType == model.RelMitigatedBy {
			from, to = dst, src
		}
		key := [3]string{relType, from.id, to.id}
		if seen[key] {
			w.count("skipped duplicate relationship", o.Relationship, p)
			continue
		}
		seen[key] = true
		props := map[string]any{}
		if relType == model.RelMitigatedBy && o.Description != "" {
			props["rationale"] = o.Description
		}
		b.Rels = append(b.Rels, Rel{Type: relType, FromLabel: from.label, From: from.id, ToLabel: to.label, To: to.id, Props: props, Where: p})
	}
	b.Warnings = w.warnings(stixWords)
	if err := jpCheckRecords(name, b); err != nil {
		return nil, err
	}
	return b, nil
}

// stixSource names the data set from the objects' x_mitre_domains:
// "mitre-attack-ics" for "ics-attack", or "stix" when no object names one.
func stixSource(objects []stixObject) string {
	for _, o := range objects {
		for _, d := range o.Domains {
			if dom := jpSlug(strings.TrimSuffix(d, "-attack")); dom != "" {
				return "mitre-attack-" + dom
			}
		}
	}
	return "stix"
}

// stixExternalID returns the ATT&CK id (T0803, M0948, A0001) of an object:
// the external_id of its reference from "mitre-attack" or another
// "mitre-…-attack" source (deprecated ICS techniques use "mitre-ics-attack").
func stixExternalID(refs []stixExternal) string {
	for _, pass := range []func(string) bool{
		func(s string) bool { return s == "mitre-attack" },
		func(s string) bool { return strings.HasPrefix(s, "mitre-") && strings.HasSuffix(s, "-attack") },
	} {
		for _, r := range refs {
			if pass(r.SourceName) && r.ExternalID != "" {
				return r.ExternalID
			}
		}
	}
	return ""
}

// stixTactics lists the distinct kill-chain phase names, in file order.
func stixTactics(phases []stixPhase) []string {
	out := []string{}
	for _, ph := range phases {
		if ph.PhaseName != "" && !slices.Contains(out, ph.PhaseName) {
			out = append(out, ph.PhaseName)
		}
	}
	return out
}

// stixWords words the counted warnings of ParseSTIX.
func stixWords(what, typ string, n int) string {
	switch what {
	case "skipped":
		return fmt.Sprintf("%d %s object(s) skipped: the type has no place in the graph", n, typ)
	case "no ATT&CK id":
		return fmt.Sprintf("%d %s object(s) have no ATT&CK id; they are keyed by their STIX id", n, typ)
	case "duplicate":
		return fmt.Sprintf("%d %s object(s) repeat the STIX id of an earlier object; the later ones are ignored", n, typ)
	case "unusable ATT&CK id":
		return fmt.Sprintf("%d %s object(s) have an ATT&CK id that cannot be part of a node id; they are keyed by their STIX id", n, typ)
	case "no name":
		return fmt.Sprintf("%d %s object(s) have no name", n, typ)
	case "revoked or deprecated":
		return fmt.Sprintf("%d %s object(s) are revoked or deprecated; kept and flagged (revoked/deprecated = true)", n, typ)
	case "skipped relationship":
		return fmt.Sprintf("%d %q relationship(s) skipped: the type has no place in the graph", n, typ)
	case "skipped revoked or deprecated relationship":
		return fmt.Sprintf("%d %q relationship(s) skipped: they are revoked or deprecated", n, typ)
	case "skipped dangling relationship":
		return fmt.Sprintf("%d %q relationship(s) skipped: an end is not in the bundle", n, typ)
	case "skipped relationship between other types":
		return fmt.Sprintf("%d %q relationship(s) skipped: their ends are not of the types the graph links that way", n, typ)
	case "skipped relationship to itself":
		return fmt.Sprintf("%d %q relationship(s) skipped: they link an object to itself", n, typ)
	case "skipped duplicate relationship":
		return fmt.Sprintf("%d %q relationship(s) skipped: the same pair is linked earlier in the bundle", n, typ)
	}
	return fmt.Sprintf("%d × %s %s", n, what, typ)
}
