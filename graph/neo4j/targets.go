package neo4j

import (
	"context"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/ssfgraph/ssfgraph/graph/model"
)

var _ model.TargetService = (*DB)(nil)

// validTarget checks a target's fields.
func validTarget(in model.TargetInput) (map[string]any, error) {
	if err := in.Validate("input"); err != nil {
		return nil, err
	}
	return map[string]any{"name": in.Name, "sector": in.Sector, "description": optionalString(in.Description)}, nil
}

const createTargetCypher = `
CREATE (t:` + model.LabelTarget + `:` + model.LabelEntity + ` {id: $id, name: $name, sector: $sector, description: $description, ownerId: $owner})
RETURN t`

// CreateTarget creates a target owned by organization owner ("" for none:
// then only curators and admins edit it). It returns EINVALID for a bad id, name,
// sector or description and ECONFLICT when the id is taken.
func (db *DB) CreateTarget(ctx context.Context, owner string, in model.TargetInput) (*model.Target, error) {
	id, err := newID("input.id", in.ID, "target")
	if err != nil {
		return nil, err
	}
	params, err := validTarget(in)
	if err != nil {
		return nil, err
	}
	params["id"] = id
	params["owner"] = nil
	if owner != "" {
		params["owner"] = owner
	}
	return writeTx(ctx, db, "neo4j.CreateTarget", "target "+id, func(tx *txn) (*model.Target, error) {
		if err := checkRefs(ctx, tx, []ref{{field: "input.id", id: id}}); err != nil {
			return nil, err
		}
		return txNode[model.Target](ctx, tx, createTargetCypher, params)
	})
}

const updateTargetCypher = `
MATCH (t:` + model.LabelTarget + ` {id: $id})
SET t.name = $name, t.sector = $sector, t.description = $description
RETURN t`

// UpdateTarget replaces a target's name, sector and description (an
// omitted description becomes empty). It returns ENOTFOUND for an unknown
// id and EINVALID for bad values.
func (db *DB) UpdateTarget(ctx context.Context, id string, in model.TargetInput) (*model.Target, error) {
	if err := checkSameID(id, in.ID); err != nil {
		return nil, err
	}
	params, err := validTarget(in)
	if err != nil {
		return nil, err
	}
	params["id"] = id
	return writeTx(ctx, db, "neo4j.UpdateTarget", "target "+id, func(tx *txn) (*model.Target, error) {
		t, err := txNode[model.Target](ctx, tx, updateTargetCypher, params)
		if err == nil && t == nil {
			err = model.FieldErrorf(model.ENOTFOUND, "id", "no target %q", id)
		}
		return t, err
	})
}

// lockTargetCypher locks a target and the analyses that name its assets or incidents (those of
// it among them).
const lockTargetCypher = `
MATCH (t:` + model.LabelTarget + ` {id: $id})
SET t._lock = true REMOVE t._lock
WITH t
OPTIONAL MATCH (t)-[:` + model.RelHasAsset + `|` + model.RelHasIncident + `]->()<-[:` + model.RelOf + `|` + model.RelThrough + `]-(:` + model.LabelAssessment + `)<-[:` + model.RelHasAssessment + `]-(a:` + model.LabelAnalysis + `)
WITH t, collect(DISTINCT a) AS as
FOREACH (a IN as | SET a._lock = true REMOVE a._lock)
RETURN t.id AS id`

// lockTargetAnalysesCypher locks the analyses of a target.
const lockTargetAnalysesCypher = `
MATCH (t:` + model.LabelTarget + ` {id: $id})<-[:` + model.RelAnalyzes + `]-(a:` + model.LabelAnalysis + `)
SET a._lock = true REMOVE a._lock
RETURN count(a) AS n`

// planDeleteTargetCypher finds what depends on a target and what a cascade
// would delete: its draft analyses with their assessments and treatments,
// its assets and incidents, and any draft assessment of its incidents.
var planDeleteTargetCypher = `
MATCH (t:` + model.LabelTarget + ` {id: $id})
` + planAnalysesCypher("t", "(t)<-[:"+model.RelAnalyzes+"]-(a:"+model.LabelAnalysis+")") + `
CALL (t) {
  OPTIONAL MATCH (t)-[:` + model.RelHasAsset + `]->(x:` + model.LabelAsset + `)
  RETURN count(x) AS assets, collect(x) AS xs
}
CALL (t) {
  OPTIONAL MATCH (t)-[:` + model.RelHasIncident + `]->(i:` + model.LabelIncident + `)
  RETURN count(i) AS incidents, collect(i) AS is
}
CALL (xs, is) {
  UNWIND xs + is AS n
  MATCH (n)<-[:` + model.RelOf + `|` + model.RelThrough + `]-(s:` + model.LabelAssessment + `)<-[:` + model.RelHasAssessment + `]-(a:` + model.LabelAnalysis + `)
  RETURN count(DISTINCT CASE WHEN ` + frozenAnalysis + ` THEN s END) AS frozenRefs,
         collect(DISTINCT CASE WHEN NOT ` + frozenAnalysis + ` THEN a.id END) AS touched
}
CALL (is) {
  UNWIND is AS i
  MATCH (i)<-[:` + model.RelOf + `]-(s:` + model.LabelAssessment + `)
  OPTIONAL MATCH (s)-[:` + model.RelTreatedBy + `]->(tr:` + model.LabelTreatment + `)
  RETURN collect(DISTINCT s) + collect(DISTINCT tr) AS ofIncidents
}
RETURN analyses, submitted, assets, incidents, frozenRefs, touched,
       [n IN drafts + inner + ofIncidents + xs + is + [t] | elementId(n)] AS doomed`

// DeleteTarget deletes a target. Without cascade it refuses (ECONFLICT)
// while analyses, assets or incidents belong to it; with cascade it deletes
// them (draft analyses with their assessments and treatments), but still
// refuses while a submitted analysis analyzes it or names its incidents or
// assets. It returns ENOTFOUND for an unknown id.
func (db *DB) DeleteTarget(ctx context.Context, id string, cascade bool) error {
	return db.deleteNode(ctx, deletion{
		op: "neo4j.DeleteTarget", what: "target",
		locks: []string{lockTargetCypher, lockTargetAnalysesCypher}, plan: planDeleteTargetCypher,
		check: func(rec *neo4j.Record, id string, cascade bool) error {
			if !cascade {
				if deps := dependents(recordInt(rec, "analyses"), "analysis", recordInt(rec, "assets"), "asset", recordInt(rec, "incidents"), "incident"); deps != "" {
					return model.FieldErrorf(model.ECONFLICT, "id", "target %q still has %s; delete them first or pass cascade: true", id, deps)
				}
			}
			if n := recordInt(rec, "submitted"); n > 0 {
				return model.FieldErrorf(model.ECONFLICT, "id", "target %q is analyzed by %s; submitted versions are the record and are never deleted", id, dependents(n, "submitted analysis"))
			}
			if n := recordInt(rec, "frozenRefs"); n > 0 {
				return model.FieldErrorf(model.ECONFLICT, "id", "incidents or assets of target %q are named by %s of submitted analyses; submitted versions cannot change", id, dependents(n, "assessment"))
			}
			return nil
		},
	}, id, cascade)
}

// validAsset checks an asset's fields except its id.
func validAsset(in model.AssetInput) (map[string]any, error) {
	if err := in.Validate("input"); err != nil {
		return nil, err
	}
	return map[string]any{"targetId": in.TargetID, "name": in.Name, "kind": in.Kind, "description": optionalString(in.Description)}, nil
}

const createAssetCypher = `
MATCH (t:` + model.LabelTarget + ` {id: $targetId})
CREATE (t)-[:` + model.RelHasAsset + `]->(x:` + model.LabelAsset + `:` + model.LabelEntity + ` {id: $id, targetId: $targetId, name: $name, kind: $kind, description: $description})
RETURN x`

// CreateAsset adds an asset to a target. It returns EINVALID for bad
// values, ENOTFOUND for an unknown target and ECONFLICT when the id is
// taken.
func (db *DB) CreateAsset(ctx context.Context, in model.AssetInput) (*model.Asset, error) {
	id, err := newID("input.id", in.ID, "asset")
	if err != nil {
		return nil, err
	}
	params, err := validAsset(in)
	if err != nil {
		return nil, err
	}
	params["id"] = id
	return writeTx(ctx, db, "neo4j.CreateAsset", "asset "+id, func(tx *txn) (*model.Asset, error) {
		if err := checkRefs(ctx, tx, []ref{
			{field: "input.targetId", id: in.TargetID, label: model.LabelTarget, what: "target"},
			{field: "input.id", id: id},
		}); err != nil {
			return nil, err
		}
		return txNode[model.Asset](ctx, tx, createAssetCypher, params)
	})
}

const targetOfCypher = `
MATCH (n:` + model.LabelEntity + ` {id: $id})
WHERE n:` + model.LabelAsset + ` OR n:` + model.LabelIncident + `
RETURN n.targetId AS targetId, n:` + model.LabelAsset + ` AS asset`

// checkTargetUnchanged returns ENOTFOUND when there is no node id of the
// given label (model.LabelAsset or model.LabelIncident), and EINVALID when targetID is
// not the target it belongs to.
func checkTargetUnchanged(ctx context.Context, tx *txn, id, label, what, targetID string) error {
	recs, err := tx.run(ctx, targetOfCypher, map[string]any{"id": id})
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		return model.FieldErrorf(model.ENOTFOUND, "id", "no %s %q", what, id)
	}
	if isAsset, _ := recs[0].Values[1].(bool); isAsset != (label == model.LabelAsset) {
		return model.FieldErrorf(model.ENOTFOUND, "id", "%q is not %s", id, article(what))
	}
	if stored, _ := recs[0].Values[0].(string); stored != targetID {
		return model.FieldErrorf(model.EINVALID, "input.targetId", "%s %q belongs to target %q; its target cannot change", what, id, stored)
	}
	return nil
}

const updateAssetCypher = `
MATCH (x:` + model.LabelAsset + ` {id: $id})
SET x.name = $name, x.kind = $kind, x.description = $description
RETURN x`

// UpdateAsset replaces an asset's name, kind and description. It returns
// ENOTFOUND for an unknown id and EINVALID for bad values, another id in
// the input or a different targetId (an asset never moves).
func (db *DB) UpdateAsset(ctx context.Context, id string, in model.AssetInput) (*model.Asset, error) {
	if err := checkSameID(id, in.ID); err != nil {
		return nil, err
	}
	params, err := validAsset(in)
	if err != nil {
		return nil, err
	}
	params["id"] = id
	return writeTx(ctx, db, "neo4j.UpdateAsset", "asset "+id, func(tx *txn) (*model.Asset, error) {
		if err := checkTargetUnchanged(ctx, tx, id, model.LabelAsset, "asset", in.TargetID); err != nil {
			return nil, err
		}
		return txNode[model.Asset](ctx, tx, updateAssetCypher, params)
	})
}

// DeleteAsset deletes an asset and its connections. Without cascade it
// refuses (ECONFLICT) while assessments go through it; with cascade it is
// removed from them, unless one belongs to a submitted analysis
// (ECONFLICT). It returns ENOTFOUND for an unknown id.
func (db *DB) DeleteAsset(ctx context.Context, id string, cascade bool) error {
	return db.deleteNode(ctx, deletion{
		op: "neo4j.DeleteAsset", what: "asset",
		locks: []string{lockViaAssessmentsCypher(model.LabelAsset, model.RelThrough)}, plan: planViaAssessmentsCypher(model.LabelAsset, model.RelThrough),
		use: &inUse{frozen: "frozen", frozenNoun: "assessment", uses: []string{"refs", "assessment"}, verb: "is named by", cascades: "remove it from them"},
	}, id, cascade)
}

const assetPairCypher = `
OPTIONAL MATCH (f:` + model.LabelAsset + ` {id: $from})
OPTIONAL MATCH (t:` + model.LabelAsset + ` {id: $to})
RETURN f IS NOT NULL AS fromFound, t IS NOT NULL AS toFound, f.targetId AS fromTarget, t.targetId AS toTarget`

// checkAssetPair checks the two assets of a connection: both exist (else
// ENOTFOUND) and, when sameTarget, they belong to one target (else
// EINVALID).
func checkAssetPair(ctx context.Context, tx *txn, fromID, toID string, sameTarget bool) error {
	recs, err := tx.run(ctx, assetPairCypher, map[string]any{"from": fromID, "to": toID})
	if err != nil {
		return err
	}
	m := props(recs[0].AsMap())
	switch {
	case !m.bool("fromFound"):
		return model.FieldErrorf(model.ENOTFOUND, "fromId", "no asset %q", fromID)
	case !m.bool("toFound"):
		return model.FieldErrorf(model.ENOTFOUND, "toId", "no asset %q", toID)
	case sameTarget && m.str("fromTarget") != m.str("toTarget"):
		return model.FieldErrorf(model.EINVALID, "toId", "asset %q belongs to target %q and asset %q to target %q; only assets of one target connect",
			fromID, m.str("fromTarget"), toID, m.str("toTarget"))
	}
	return nil
}

// validAssetPair checks the ids of a connection.
func validAssetPair(fromID, toID string) error {
	if err := model.ValidID("fromId", fromID); err != nil {
		return err
	}
	if err := model.ValidID("toId", toID); err != nil {
		return err
	}
	if fromID == toID {
		return model.FieldErrorf(model.EINVALID, "toId", "an asset cannot connect to itself (%q)", fromID)
	}
	return nil
}

const connectAssetsCypher = `
MATCH (f:` + model.LabelAsset + ` {id: $from}), (t:` + model.LabelAsset + ` {id: $to})
MERGE (f)-[:` + model.RelConnectsTo + `]->(t)
RETURN f`

// ConnectAssets records that asset fromID connects to asset toID, once
// (connecting again changes nothing), and returns the from asset. It
// returns ENOTFOUND for an unknown asset and EINVALID for an asset
// connected to itself or to an asset of another target.
func (db *DB) ConnectAssets(ctx context.Context, fromID, toID string) (*model.Asset, error) {
	if err := validAssetPair(fromID, toID); err != nil {
		return nil, err
	}
	return writeTx(ctx, db, "neo4j.ConnectAssets", "asset "+fromID, func(tx *txn) (*model.Asset, error) {
		if err := checkAssetPair(ctx, tx, fromID, toID, true); err != nil {
			return nil, err
		}
		return txNode[model.Asset](ctx, tx, connectAssetsCypher, map[string]any{"from": fromID, "to": toID})
	})
}

const disconnectAssetsCypher = `
MATCH (f:` + model.LabelAsset + ` {id: $from})
OPTIONAL MATCH (f)-[r:` + model.RelConnectsTo + `]->(:` + model.LabelAsset + ` {id: $to})
DELETE r
WITH DISTINCT f
RETURN f`

// DisconnectAssets removes the connection from asset fromID to asset toID,
// if there is one, and returns the from asset. It returns ENOTFOUND for an
// unknown asset.
func (db *DB) DisconnectAssets(ctx context.Context, fromID, toID string) (*model.Asset, error) {
	if err := validAssetPair(fromID, toID); err != nil {
		return nil, err
	}
	return writeTx(ctx, db, "neo4j.DisconnectAssets", "asset "+fromID, func(tx *txn) (*model.Asset, error) {
		if err := checkAssetPair(ctx, tx, fromID, toID, false); err != nil {
			return nil, err
		}
		return txNode[model.Asset](ctx, tx, disconnectAssetsCypher, map[string]any{"from": fromID, "to": toID})
	})
}

// validIncident checks an incident's fields except its id.
func validIncident(in model.IncidentInput) (map[string]any, error) {
	if err := in.Validate("input"); err != nil {
		return nil, err
	}
	return map[string]any{"targetId": in.TargetID, "name": in.Name, "consequence": in.Consequence, "description": optionalString(in.Description)}, nil
}

const createIncidentCypher = `
MATCH (t:` + model.LabelTarget + ` {id: $targetId})
CREATE (t)-[:` + model.RelHasIncident + `]->(i:` + model.LabelIncident + `:` + model.LabelEntity + ` {id: $id, targetId: $targetId, name: $name, consequence: $consequence, description: $description})
RETURN i`

// CreateIncident adds an incident to a target. It returns EINVALID for bad
// values, ENOTFOUND for an unknown target and ECONFLICT when the id is
// taken.
func (db *DB) CreateIncident(ctx context.Context, in model.IncidentInput) (*model.Incident, error) {
	id, err := newID("input.id", in.ID, "incident")
	if err != nil {
		return nil, err
	}
	params, err := validIncident(in)
	if err != nil {
		return nil, err
	}
	params["id"] = id
	return writeTx(ctx, db, "neo4j.CreateIncident", "incident "+id, func(tx *txn) (*model.Incident, error) {
		if err := checkRefs(ctx, tx, []ref{
			{field: "input.targetId", id: in.TargetID, label: model.LabelTarget, what: "target"},
			{field: "input.id", id: id},
		}); err != nil {
			return nil, err
		}
		return txNode[model.Incident](ctx, tx, createIncidentCypher, params)
	})
}

const updateIncidentCypher = `
MATCH (i:` + model.LabelIncident + ` {id: $id})
SET i.name = $name, i.consequence = $consequence, i.description = $description
RETURN i`

// UpdateIncident replaces an incident's name, consequence and description.
// It returns ENOTFOUND for an unknown id and EINVALID for bad values,
// another id in the input or a different targetId.
func (db *DB) UpdateIncident(ctx context.Context, id string, in model.IncidentInput) (*model.Incident, error) {
	if err := checkSameID(id, in.ID); err != nil {
		return nil, err
	}
	params, err := validIncident(in)
	if err != nil {
		return nil, err
	}
	params["id"] = id
	return writeTx(ctx, db, "neo4j.UpdateIncident", "incident "+id, func(tx *txn) (*model.Incident, error) {
		if err := checkTargetUnchanged(ctx, tx, id, model.LabelIncident, "incident", in.TargetID); err != nil {
			return nil, err
		}
		return txNode[model.Incident](ctx, tx, updateIncidentCypher, params)
	})
}

// planDeleteIncidentCypher finds the assessments of an incident and their
// treatments.
const planDeleteIncidentCypher = `
MATCH (i:` + model.LabelIncident + ` {id: $id})
OPTIONAL MATCH (i)<-[:` + model.RelOf + `]-(s:` + model.LabelAssessment + `)
OPTIONAL MATCH (s)<-[:` + model.RelHasAssessment + `]-(a:` + model.LabelAnalysis + `)
OPTIONAL MATCH (s)-[:` + model.RelTreatedBy + `]->(tr:` + model.LabelTreatment + `)
WITH i, collect(DISTINCT s) AS ss, collect(DISTINCT tr) AS trs,
     count(DISTINCT CASE WHEN a IS NOT NULL AND ` + frozenAnalysis + ` THEN s END) AS frozen,
     collect(DISTINCT CASE WHEN a IS NOT NULL AND NOT ` + frozenAnalysis + ` THEN a.id END) AS touched
RETURN size(ss) AS refs, frozen, touched, [n IN ss + trs + [i] | elementId(n)] AS doomed`

// DeleteIncident deletes an incident. Without cascade it refuses
// (ECONFLICT) while assessments are of it; with cascade it deletes them
// with their treatments, unless one belongs to a submitted analysis
// (ECONFLICT). It returns ENOTFOUND for an unknown id.
func (db *DB) DeleteIncident(ctx context.Context, id string, cascade bool) error {
	return db.deleteNode(ctx, deletion{
		op: "neo4j.DeleteIncident", what: "incident",
		locks: []string{lockViaAssessmentsCypher(model.LabelIncident, model.RelOf)}, plan: planDeleteIncidentCypher,
		use: &inUse{frozen: "frozen", frozenNoun: "assessment", uses: []string{"refs", "assessment"}, verb: "is assessed by", cascades: "delete them"},
	}, id, cascade)
}
