package model

import "slices"

// Who may read what. These are the only statements of the visibility
// rules in Go; graph/neo4j/visibility.go states each again as the Cypher
// predicate that list and search queries filter with, and its tests check
// on generated cases that both forms agree.

// CanRead reports whether p may read analysis a: its own organization,
// admins, everyone (anonymous callers too) for PUBLIC, and the named
// organizations and sectors for SHARED.
func (a *Analysis) CanRead(p *Principal) bool {
	return sharedWith(p, a.OrganizationID, a.Visibility, a.SharedWithOrganizationIDs, a.SharedWithSectors)
}

// sharedWith is the sharing rule of analyses and insurance policies: p may
// read what organization owner holds with visibility vis (shared with orgs
// and sectors) when it is PUBLIC, when p is an admin or of the owner, and,
// when it is SHARED, when p's organization or sector is named.
func sharedWith(p *Principal, owner string, vis Visibility, orgs, sectors []string) bool {
	switch {
	case vis == VisibilityPublic:
		return true
	case p == nil:
		return false
	case p.Role == RoleAdmin || p.OrganizationID == owner:
		return true
	case vis == VisibilityShared:
		return slices.Contains(orgs, p.OrganizationID) || slices.Contains(sectors, p.Sector)
	}
	return false
}

// InlineReadable reports whether p may read a node created inline (an
// incident, threat or measure that assessIncident or an imported analysis
// created) while its analysis was PRIVATE. privateTo names the analyses it
// is private to (the one it was created in and that one's later
// versions); it is empty for every other node, which everyone may read.
// analyses holds those of them that exist. p may read it when p may read
// one of them (Analysis.CanRead), so it follows the analysis's visibility:
// sharing the analysis or making it public shares the node too. Admins
// read every node.
func InlineReadable(p *Principal, privateTo []string, analyses []*Analysis) bool {
	if len(privateTo) == 0 || p != nil && p.Role == RoleAdmin {
		return true
	}
	return slices.ContainsFunc(analyses, func(a *Analysis) bool { return slices.Contains(privateTo, a.ID) && a.CanRead(p) })
}

// ReadableBy reports whether p may read feedback f. Feedback is visible to
// whoever may read what it is about, and always to its author's
// organization, the organization it is routed to and admins. Curators
// read the feedback routed to curators (RoutedToID nil: about targets,
// assets, incidents, catalogs and scales, even once that node is
// deleted), never feedback about an analysis or assessment they may not
// read. about is the node it is about (nil when that no longer exists:
// then only those named above see it); analysis is the analysis that
// decides who may read about (about itself, or the analysis of an
// assessment), nil when about is neither. Every other kind feedback can be
// about (targets, assets, incidents, catalogs, scales) is readable by
// everyone.
func (f *Feedback) ReadableBy(p *Principal, about Node, analysis *Analysis) bool {
	if p != nil && (p.Role == RoleAdmin || p.OrganizationID == f.OrganizationID ||
		f.RoutedToID != nil && p.OrganizationID == *f.RoutedToID || f.RoutedToID == nil && p.Role == RoleCurator) {
		return true
	}
	switch about.(type) {
	case nil:
		return false
	case *Analysis, *Assessment:
		return analysis != nil && analysis.CanRead(p)
	}
	return true
}

// ReadableBy reports whether p may read opinion o: its organization,
// admins, and whoever may read what it is about (aboutReadable; false
// when that no longer exists). Curators have no other right to it.
func (o *Opinion) ReadableBy(p *Principal, aboutReadable bool) bool {
	return aboutReadable || p != nil && (p.Role == RoleAdmin || p.OrganizationID == o.OrganizationID)
}

// ReliableFor reports whether analysis a may rely on policy ip: only on a
// policy its own organization holds. Another organization's policy is
// answered as unknown (ENOTFOUND, as for one that does not exist).
// graph/neo4j states it as holderId = the analysis's organization in
// SetAnalysisPolicies.
func (ip *InsurancePolicy) ReliableFor(a *Analysis) bool {
	return a != nil && ip.HolderID == a.OrganizationID
}

// ReadableBy reports whether p may read insurance policy ip (its limits,
// deductibles and exclusions): its holder organization, admins, those it
// is shared with as an analysis is (PUBLIC: everyone; SHARED: the named
// organizations and sectors), and whoever may read an analysis in
// reliedOnBy, the analyses that rely on it, so that a shared or public
// analysis's reliance stays explainable. Nobody else, anonymous callers
// and curators included.
func (ip *InsurancePolicy) ReadableBy(p *Principal, reliedOnBy []*Analysis) bool {
	if sharedWith(p, ip.HolderID, ip.Visibility, ip.SharedWithOrganizationIDs, ip.SharedWithSectors) {
		return true
	}
	return slices.ContainsFunc(reliedOnBy, func(a *Analysis) bool { return a.CanRead(p) })
}
