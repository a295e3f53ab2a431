package neo4j

import "github.com/ssfgraph/ssfgraph/graph/model"

// The visibility rules as Cypher predicates, each the twin of a Go rule in
// graph/model/visibility.go (visibility_test.go checks on generated cases
// that both agree). They read the viewer from the parameters viewerParams
// sets. v names the variable they test; callers pass a constant, never
// input.

// analysisReadable is model.Analysis.CanRead on the analysis v.
func analysisReadable(v string) string { return sharedReadable(v, "organizationId") }

// sharedReadable is model's sharedWith on the node v, whose owning
// organization's id is its property owner.
func sharedReadable(v, owner string) string {
	return `(` + v + `.visibility = 'PUBLIC' OR $viewerAdmin OR ` + v + `.` + owner + ` = $viewerOrg
 OR (` + v + `.visibility = 'SHARED' AND ($viewerOrg IN ` + v + `.sharedWithOrganizationIds OR $viewerSector IN ` + v + `.sharedWithSectors)))`
}

// inlineReadable is model.InlineReadable on the node v (an incident,
// threat or measure, whose privateTo lists the analyses it is private to).
func inlineReadable(v string) string {
	return `(` + v + `.privateTo IS NULL OR $viewerAdmin
 OR EXISTS { MATCH (pa:` + model.LabelAnalysis + `) WHERE pa.id IN ` + v + `.privateTo AND ` + analysisReadable("pa") + ` })`
}

// feedbackReadable is model.Feedback.ReadableBy on the feedback v.
func feedbackReadable(v string) string {
	return `($viewerAdmin OR ($viewerCurator AND ` + v + `.routedToId IS NULL) OR ` + v + `.organizationId = $viewerOrg OR ` + v + `.routedToId = $viewerOrg
 OR EXISTS { MATCH (` + v + `)-[:` + model.RelAbout + `]->(x)
   WHERE NOT (x:` + model.LabelAnalysis + ` OR x:` + model.LabelAssessment + `)
      OR (x:` + model.LabelAnalysis + ` AND ` + analysisReadable("x") + `)
      OR EXISTS { MATCH (x)<-[:` + model.RelHasAssessment + `]-(xa:` + model.LabelAnalysis + `) WHERE ` + analysisReadable("xa") + ` } })`
}

// policyReadable is model.InsurancePolicy.ReadableBy on the insurance
// policy v.
func policyReadable(v string) string {
	return `(` + sharedReadable(v, "holderId") + `
 OR EXISTS { MATCH (` + v + `)<-[:` + model.RelReliesOn + `]-(ra:` + model.LabelAnalysis + `) WHERE ` + analysisReadable("ra") + ` })`
}

// viewerParams returns the parameters the predicates above read.
func viewerParams(p *model.Principal) map[string]any {
	params := map[string]any{"viewerOrg": nil, "viewerSector": nil, "viewerAdmin": false, "viewerCurator": false}
	if p != nil {
		params["viewerOrg"] = p.OrganizationID
		params["viewerSector"] = p.Sector
		params["viewerAdmin"] = p.Role == model.RoleAdmin
		params["viewerCurator"] = p.Role == model.RoleCurator
	}
	return params
}
