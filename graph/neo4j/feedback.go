package neo4j

import (
	"context"
	"strings"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

var _ model.FeedbackService = (*DB)(nil)

// Limits of the feedback and opinion texts (see FeedbackInput, OpinionInput).
const (
	maxFeedbackText = 10000
	maxOpinionText  = 10000
)

// feedbackAboutLabels are the kinds of node that feedback and opinions may be
// about: analyses and their assessments, and the shared catalog, scale and
// target nodes. People, policies, feedback and opinions are not judgments
// and cannot be.
var feedbackAboutLabels = []string{
	model.LabelAnalysis, model.LabelAssessment,
	model.LabelTarget, model.LabelAsset, model.LabelIncident,
	model.LabelThreat, model.LabelMeasure, model.LabelGuideline, model.LabelClause,
	model.LabelAxisScale, model.LabelAxisLevel,
}

// resolveAboutCypher finds the node feedback or an opinion is about, when
// the author may see it, with the analysis it belongs to (itself or the
// analysis of an assessment), that analysis's organization and the
// assessment's owner department. It returns no row when the node does not
// exist, is of another kind, or belongs to an analysis the author may not
// read.
var resolveAboutCypher = `
MATCH (x:` + model.LabelEntity + ` {id: $about})
WHERE any(l IN labels(x) WHERE l IN $aboutLabels)
OPTIONAL MATCH (pa:` + model.LabelAnalysis + `)-[:` + model.RelHasAssessment + `]->(x)
WITH x, CASE WHEN x:` + model.LabelAnalysis + ` THEN x ELSE pa END AS a
WHERE NOT (x:` + model.LabelAssessment + ` AND a IS NULL) AND (a IS NULL OR ` + analysisReadable("a") + `)
OPTIONAL MATCH (owner:` + model.LabelOrganization + `)-[:` + model.RelAuthored + `]->(a)
OPTIONAL MATCH (x)-[:` + model.RelOwnedBy + `]->(d:` + model.LabelDepartment + `) WHERE x:` + model.LabelAssessment + `
RETURN a.version AS version, owner.id AS owner, d.id AS department
LIMIT 1`

// aboutNode is what resolveFeedbackAbout found.
type aboutNode struct {
	version    any // the analysis's version (int64), or nil
	owner      any // the owning organization's id (string), or nil
	department any // the assessment's owner department's id (string), or nil
}

// resolveFeedbackAbout runs resolveAboutCypher in tx. It returns ENOTFOUND naming
// field when there is no such node that by may see.
func resolveFeedbackAbout(ctx context.Context, tx *txn, by *model.Principal, field, id string) (*aboutNode, error) {
	params := viewerParams(by)
	params["about"], params["aboutLabels"] = id, feedbackAboutLabels
	recs, err := tx.run(ctx, resolveAboutCypher, params)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, model.FieldErrorf(model.ENOTFOUND, field, "no analysis, assessment, catalog, scale or target node %q that you may see", model.Truncate(id, 60))
	}
	v := recs[0].Values
	return &aboutNode{version: v[0], owner: v[1], department: v[2]}, nil
}

// authorOrgCypher locks the author's organization, so that one
// organization's concurrent opinions on one node cannot both be created.
const authorOrgCypher = `
MATCH (o:` + model.LabelOrganization + ` {id: $org})
SET o._lock = true REMOVE o._lock
RETURN o.id`

// lockAuthorOrg checks, in tx, that the principal's organization exists,
// and holds its write lock until the transaction ends.
func lockAuthorOrg(ctx context.Context, tx *txn, by *model.Principal) error {
	recs, err := tx.run(ctx, authorOrgCypher, map[string]any{"org": by.OrganizationID})
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		return model.Errorf(model.ENOTFOUND, "your organization %q no longer exists", by.OrganizationID)
	}
	return nil
}

const createFeedbackCypher = `
MATCH (x:` + model.LabelEntity + ` {id: $about}), (o:` + model.LabelOrganization + ` {id: $org})
OPTIONAL MATCH (owner:` + model.LabelOrganization + ` {id: $owner})
CREATE (f:` + model.LabelFeedback + `:` + model.LabelEntity + ` {id: $id, kind: $kind, text: $text, status: $status,
  aboutId: $about, organizationId: $org, sector: $sector, createdAt: datetime()})
SET f.aboutVersion = $aboutVersion, f.routedToId = $owner, f.routedToDepartmentId = $department
CREATE (f)-[:` + model.RelAbout + `]->(x), (f)-[:` + model.RelBy + `]->(o)
FOREACH (_ IN CASE WHEN owner IS NULL THEN [] ELSE [1] END | CREATE (f)-[:` + model.RelRoutedTo + `]->(owner))
RETURN f`

// SubmitFeedback records feedback by the principal's organization about a
// node the principal may see, and routes it to that node's owner: the
// organization of an analysis (and the owner department of an
// assessment), or no organization (curators) for shared nodes. It returns
// EINVALID for a bad kind or text, and ENOTFOUND (input.aboutId) when the
// node does not exist, cannot take feedback, or is not visible to by.
func (db *DB) SubmitFeedback(ctx context.Context, by *model.Principal, in model.FeedbackInput) (*model.Feedback, error) {
	if by == nil {
		return nil, model.Errorf(model.EUNAUTHENTICATED, "feedback needs an author")
	}
	if !in.Kind.IsValid() {
		return nil, model.FieldErrorf(model.EINVALID, "input.kind", "unknown feedback kind %q", model.Truncate(string(in.Kind), 60))
	}
	txt, err := model.Text("input.text", &in.Text, 1, maxFeedbackText)
	if err != nil {
		return nil, err
	}
	id, _ := newID("", nil, "feedback")
	fb, err := writeTx(ctx, db, "neo4j.SubmitFeedback", "feedback "+id, func(tx *txn) (*model.Feedback, error) {
		ab, err := resolveFeedbackAbout(ctx, tx, by, "input.aboutId", in.AboutID)
		if err != nil {
			return nil, err
		}
		if err := lockAuthorOrg(ctx, tx, by); err != nil {
			return nil, err
		}
		fb, err := txOneNode[model.Feedback](ctx, tx, createFeedbackCypher, map[string]any{
			"id": id, "kind": string(in.Kind), "text": txt, "status": string(model.FeedbackStatusOpen),
			"about": in.AboutID, "org": by.OrganizationID, "sector": by.Sector,
			"aboutVersion": ab.version, "owner": ab.owner, "department": ab.department,
		})
		if err == nil {
			tx.touchFeedback(fb) // feedbackAdded subscribers hear of it
		}
		return fb, err
	})
	if err != nil {
		return nil, err
	}
	return fb, nil
}

// lockFeedbackCypher takes the feedback's write lock before its status is
// read, so that two concurrent answers cannot both pass the transition
// check.
const lockFeedbackCypher = `
MATCH (f:` + model.LabelFeedback + `:` + model.LabelEntity + ` {id: $id})
SET f._lock = true REMOVE f._lock
RETURN f.status`

const respondToFeedbackCypher = `
MATCH (f:` + model.LabelFeedback + `:` + model.LabelEntity + ` {id: $id})
SET f.status = $status, f.respondedAt = datetime(), f.answer = coalesce($answer, f.answer)
RETURN f`

// answeredByCheckCypher finds, for feedback $id, the analysis it concerns
// (what it is about, or the analysis of the assessment it is about) and
// whether the analysis $answeredBy exists and is a later version of it:
// one that supersedes it, directly or through versions between. It locks
// that analysis, so that it cannot be deleted before the link is written.
const answeredByCheckCypher = `
MATCH (f:` + model.LabelFeedback + ` {id: $id})
OPTIONAL MATCH (f)-[:` + model.RelAbout + `]->(x)
OPTIONAL MATCH (x)<-[:` + model.RelHasAssessment + `]-(pa:` + model.LabelAnalysis + `)
WITH CASE WHEN x:` + model.LabelAnalysis + ` THEN x ELSE pa END AS a
OPTIONAL MATCH (b:` + model.LabelAnalysis + ` {id: $answeredBy})
FOREACH (_ IN CASE WHEN b IS NULL THEN [] ELSE [1] END | SET b._lock = true REMOVE b._lock)
RETURN a.id AS about, a.version AS aboutVersion, b IS NOT NULL AS found, b.version AS version,
  a IS NOT NULL AND b IS NOT NULL AND EXISTS { MATCH (b)-[:` + model.RelSupersedes + `*]->(a) } AS later`

const answeredByCypher = `
MATCH (f:` + model.LabelFeedback + ` {id: $id}), (b:` + model.LabelAnalysis + ` {id: $answeredBy})
SET f.answeredById = b.id
MERGE (f)-[:` + model.RelAnsweredBy + `]->(b)`

// checkAnsweredBy checks, in tx, that analysis answeredBy is a later
// version of the analysis feedback id concerns. It returns EINVALID
// (input.answeredById) when the feedback concerns no analysis or the
// analysis is not a later version of it, and ENOTFOUND when there is no
// such analysis.
func checkAnsweredBy(ctx context.Context, tx *txn, id, answeredBy string) error {
	rec, err := tx.single(ctx, answeredByCheckCypher, map[string]any{"id": id, "answeredBy": answeredBy})
	if err != nil {
		return err
	}
	c := props(rec.AsMap())
	const field = "input.answeredById"
	switch {
	case c.str("about") == "":
		return model.FieldErrorf(model.EINVALID, field, "feedback %s is not about an analysis or an assessment (or that was deleted): no analysis version can answer it", id)
	case !c.bool("found"):
		return model.FieldErrorf(model.ENOTFOUND, field, "no analysis %q", model.Truncate(answeredBy, 60))
	case !c.bool("later"):
		return model.FieldErrorf(model.EINVALID, field, "analysis %s (version %d) is not a later version of analysis %s (version %d) that the feedback is about: it must supersede it, directly or through versions between",
			model.Truncate(answeredBy, 60), c.int("version"), c.str("about"), c.int("aboutVersion"))
	}
	return nil
}

// feedbackTransitions lists, for each status, the statuses an answer may
// move feedback to.
var feedbackTransitions = map[model.FeedbackStatus][]model.FeedbackStatus{
	model.FeedbackStatusOpen:         {model.FeedbackStatusAcknowledged, model.FeedbackStatusAccepted, model.FeedbackStatusDeclined},
	model.FeedbackStatusAcknowledged: {model.FeedbackStatusAccepted, model.FeedbackStatusDeclined},
}

// RespondToFeedback records the owner's answer: OPEN → ACKNOWLEDGED, and
// OPEN or ACKNOWLEDGED → ACCEPTED or DECLINED. It sets the answer (when one
// is given) and respondedAt, and, when accepting with in.AnsweredByID, links
// the feedback to that analysis (ANSWERED_BY). It returns EINVALID for a
// bad status, a decline without an answer, an answeredById without
// ACCEPTED or one that is not a later version of the analysis the feedback
// concerns, ENOTFOUND (input.id) for unknown feedback and
// (input.answeredById) for an unknown analysis, and ECONFLICT
// (input.status) for any other transition. A refused answer writes
// nothing.
func (db *DB) RespondToFeedback(ctx context.Context, in model.FeedbackResponseInput) (*model.Feedback, error) {
	if !in.Status.IsValid() {
		return nil, model.FieldErrorf(model.EINVALID, "input.status", "unknown feedback status %q", model.Truncate(string(in.Status), 60))
	}
	if in.AnsweredByID != nil {
		if in.Status != model.FeedbackStatusAccepted {
			return nil, model.FieldErrorf(model.EINVALID, "input.answeredById", "only accepted feedback names the version that answers it; the status is %s", in.Status)
		}
		if err := model.ValidID("input.answeredById", *in.AnsweredByID); err != nil {
			return nil, err
		}
	}
	var answer any
	if in.Answer != nil {
		a, err := model.Text("input.answer", in.Answer, 0, maxFeedbackText)
		if err != nil {
			return nil, err
		}
		answer = a
	}
	if in.Status == model.FeedbackStatusDeclined && (in.Answer == nil || strings.TrimSpace(*in.Answer) == "") {
		return nil, model.FieldErrorf(model.EINVALID, "input.answer", "declining feedback needs an answer that says why")
	}
	fb, err := writeTx(ctx, db, "neo4j.RespondToFeedback", "feedback "+in.ID, func(tx *txn) (*model.Feedback, error) {
		recs, err := tx.run(ctx, lockFeedbackCypher, map[string]any{"id": in.ID})
		if err != nil {
			return nil, err
		}
		if len(recs) == 0 {
			return nil, model.FieldErrorf(model.ENOTFOUND, "input.id", "no feedback %q", model.Truncate(in.ID, 60))
		}
		from, _ := recs[0].Values[0].(string)
		if !feedbackTransitionAllowed(model.FeedbackStatus(from), in.Status) {
			return nil, model.FieldErrorf(model.ECONFLICT, "input.status", "feedback %s is %s; it cannot become %s (OPEN → ACKNOWLEDGED → ACCEPTED or DECLINED)", in.ID, from, in.Status)
		}
		if in.AnsweredByID != nil {
			if err := checkAnsweredBy(ctx, tx, in.ID, *in.AnsweredByID); err != nil {
				return nil, err
			}
			if _, err := tx.run(ctx, answeredByCypher, map[string]any{"id": in.ID, "answeredBy": *in.AnsweredByID}); err != nil {
				return nil, err
			}
		}
		return txOneNode[model.Feedback](ctx, tx, respondToFeedbackCypher, map[string]any{"id": in.ID, "status": string(in.Status), "answer": answer})
	})
	if err != nil {
		return nil, err
	}
	return fb, nil
}

func feedbackTransitionAllowed(from, to model.FeedbackStatus) bool {
	for _, s := range feedbackTransitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// expressOpinionCypher finds the organization's opinion on the node by its
// natural key (organizationId, aboutId; indexed) and creates it, with the
// random id $id, when there is none. Its caller holds the organization's
// lock (lockAuthorOrg), so concurrent opinions of one organization take
// turns and never double. (Opinions written before schema version 6 keep
// the ids they were given, a hash of the pair.)
const expressOpinionCypher = `
MATCH (x:` + model.LabelEntity + ` {id: $about}), (o:` + model.LabelOrganization + ` {id: $org})
MERGE (p:` + model.LabelOpinion + `:` + model.LabelEntity + ` {organizationId: $org, aboutId: $about})
  ON CREATE SET p.id = $id, p.createdAt = datetime()
SET p.stance = $stance, p.rationale = $rationale, p.updatedAt = datetime()
MERGE (p)-[:` + model.RelAbout + `]->(x)
MERGE (p)-[:` + model.RelBy + `]->(o)
RETURN p`

// ExpressOpinion records the principal's organization's agreement or
// disagreement with a node the principal may see. An organization holds
// one opinion per node: a second replaces the stance and rationale of the
// first and keeps its id. A new opinion's id is random (newID), so that it
// cannot be computed from the organization and the node. It returns EINVALID for a bad stance or
// rationale and ENOTFOUND (input.aboutId) as SubmitFeedback does.
func (db *DB) ExpressOpinion(ctx context.Context, by *model.Principal, in model.OpinionInput) (*model.Opinion, error) {
	if by == nil {
		return nil, model.Errorf(model.EUNAUTHENTICATED, "an opinion needs an author")
	}
	if !in.Stance.IsValid() {
		return nil, model.FieldErrorf(model.EINVALID, "input.stance", "unknown stance %q", model.Truncate(string(in.Stance), 60))
	}
	rationale, err := model.Text("input.rationale", &in.Rationale, 1, maxOpinionText)
	if err != nil {
		return nil, err
	}
	id, _ := newID("", nil, "opinion")
	op, err := writeTx(ctx, db, "neo4j.ExpressOpinion", "opinion of "+in.AboutID, func(tx *txn) (*model.Opinion, error) {
		if _, err := resolveFeedbackAbout(ctx, tx, by, "input.aboutId", in.AboutID); err != nil {
			return nil, err
		}
		if err := lockAuthorOrg(ctx, tx, by); err != nil {
			return nil, err
		}
		return txOneNode[model.Opinion](ctx, tx, expressOpinionCypher, map[string]any{
			"id": id, "about": in.AboutID, "org": by.OrganizationID, "stance": string(in.Stance), "rationale": rationale,
		})
	})
	if err != nil {
		return nil, err
	}
	return op, nil
}

const withdrawOpinionCypher = `
MATCH (p:` + model.LabelOpinion + `:` + model.LabelEntity + ` {id: $id})
DETACH DELETE p
RETURN count(*) AS n`

// WithdrawOpinion deletes an opinion. It returns ENOTFOUND (id) when there
// is none.
func (db *DB) WithdrawOpinion(ctx context.Context, id string) error {
	res, err := db.write(ctx, "neo4j.WithdrawOpinion", "opinion "+id, withdrawOpinionCypher, map[string]any{"id": id})
	if err != nil {
		return err
	}
	if n, _ := res[0].Values[0].(int64); n == 0 {
		return model.NotFound("id", "opinion", id)
	}
	return nil
}
