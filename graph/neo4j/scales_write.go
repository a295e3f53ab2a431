package neo4j

import (
	"context"
	"fmt"
	"math"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

var _ model.ScaleService = (*DB)(nil)

// maxLevelLabel is the longest label an axis level may have, in characters.
const maxLevelLabel = 200

// maxLevelDescription is the longest description of an axis level.
const maxLevelDescription = 20000

const axisLevelAxisCypher = `
MATCH (l:` + model.LabelAxisLevel + `:` + model.LabelEntity + ` {id: $id})
SET l._lock = true REMOVE l._lock
RETURN l.axis`

const updateAxisLevelCypher = `
MATCH (l:` + model.LabelAxisLevel + `:` + model.LabelEntity + ` {id: $id})
SET l.labelEn = $labelEn, l.labelJa = $labelJa, l.description = coalesce($description, l.description),
    l.minJPY = $minJPY, l.maxJPY = $maxJPY, l.updatedAt = datetime()
RETURN l`

// UpdateAxisLevel replaces the labels and money bounds of one axis level,
// and its description when one is given. The bounds are only for axis-2
// levels; a missing bound is removed (the top level has no maximum). It
// returns EINVALID for empty or over-long labels (1 to 200 characters),
// negative or inverted bounds, or bounds on an axis-1 level, and ENOTFOUND
// (id) for an unknown level.
func (db *DB) UpdateAxisLevel(ctx context.Context, id string, in model.AxisLevelInput) (*model.AxisLevel, error) {
	labelEn, err := model.Text("input.labelEn", &in.LabelEn, 1, maxLevelLabel)
	if err != nil {
		return nil, err
	}
	labelJa, err := model.Text("input.labelJa", &in.LabelJa, 1, maxLevelLabel)
	if err != nil {
		return nil, err
	}
	var description any
	if in.Description != nil {
		d, err := model.Text("input.description", in.Description, 0, maxLevelDescription)
		if err != nil {
			return nil, err
		}
		description = d
	}
	for _, b := range []struct {
		field string
		v     *float64
	}{{"input.minJPY", in.MinJpy}, {"input.maxJPY", in.MaxJpy}} {
		if b.v != nil && (math.IsNaN(*b.v) || math.IsInf(*b.v, 0) || *b.v < 0) {
			return nil, model.FieldErrorf(model.EINVALID, b.field, "%s must be a finite amount of 0 yen or more", b.field)
		}
	}
	if in.MinJpy != nil && in.MaxJpy != nil && *in.MinJpy > *in.MaxJpy {
		return nil, model.FieldErrorf(model.EINVALID, "input.maxJPY", "maxJPY (%g) must not be below minJPY (%g)", *in.MaxJpy, *in.MinJpy)
	}
	params := map[string]any{"id": id, "labelEn": labelEn, "labelJa": labelJa, "description": description, "minJPY": nil, "maxJPY": nil}
	if in.MinJpy != nil {
		params["minJPY"] = *in.MinJpy
	}
	if in.MaxJpy != nil {
		params["maxJPY"] = *in.MaxJpy
	}
	level, err := writeTx(ctx, db, "neo4j.UpdateAxisLevel", "axis level "+id, func(tx *txn) (*model.AxisLevel, error) {
		recs, err := tx.run(ctx, axisLevelAxisCypher, map[string]any{"id": id})
		if err != nil {
			return nil, err
		}
		if len(recs) == 0 {
			return nil, model.FieldErrorf(model.ENOTFOUND, "id", "no axis level %q", model.Truncate(id, 60))
		}
		if axis, _ := recs[0].Values[0].(int64); axis != 2 {
			if in.MinJpy != nil {
				return nil, model.FieldErrorf(model.EINVALID, "input.minJPY", "only axis-2 levels have money bounds; %s is on axis %d", id, axis)
			}
			if in.MaxJpy != nil {
				return nil, model.FieldErrorf(model.EINVALID, "input.maxJPY", "only axis-2 levels have money bounds; %s is on axis %d", id, axis)
			}
		}
		return txOneNode[model.AxisLevel](ctx, tx, updateAxisLevelCypher, params)
	})
	if err != nil {
		return nil, err
	}
	return level, nil
}

const ranksExistCypher = `
RETURN EXISTS { (:` + model.LabelAxisScale + ` {id: $scale1})-[:` + model.RelHasLevel + `]->(:` + model.LabelAxisLevel + ` {rank: $axis1Rank}) } AS a1,
       EXISTS { (:` + model.LabelAxisScale + ` {id: $scale2})-[:` + model.RelHasLevel + `]->(:` + model.LabelAxisLevel + ` {rank: $axis2Rank}) } AS a2`

// setCategoryRuleCypher stores a rule in the shape seedScalesCypher seeds.
const setCategoryRuleCypher = `
MERGE (r:` + model.LabelCategoryRule + ` {id: $id})
SET r.axis1Rank = $axis1Rank, r.axis2Rank = $axis2Rank, r.category = $category
RETURN r.axis1Rank AS axis1Rank, r.axis2Rank AS axis2Rank, r.category AS category`

// SetCategoryRule sets the category that an axis-1 rank and an axis-2 rank
// give, creating the rule if the matrix has none for the pair. It returns
// EINVALID (naming the field) for a rank that is not on the scale in force
// or a category below 1.
func (db *DB) SetCategoryRule(ctx context.Context, in model.CategoryRuleInput) (*model.CategoryRule, error) {
	if in.Axis1Rank < 1 {
		return nil, model.FieldErrorf(model.EINVALID, "input.axis1Rank", "axis1Rank must be 1 or more, got %d", in.Axis1Rank)
	}
	if in.Axis2Rank < 1 {
		return nil, model.FieldErrorf(model.EINVALID, "input.axis2Rank", "axis2Rank must be 1 or more, got %d", in.Axis2Rank)
	}
	if in.Category < 1 {
		return nil, model.FieldErrorf(model.EINVALID, "input.category", "category must be 1 or more, got %d", in.Category)
	}
	params := map[string]any{
		"id":        fmt.Sprintf("category-%s-%d-%d", scaleVersion, in.Axis1Rank, in.Axis2Rank),
		"scale1":    "axis1-" + scaleVersion,
		"scale2":    "axis2-" + scaleVersion,
		"axis1Rank": in.Axis1Rank, "axis2Rank": in.Axis2Rank, "category": in.Category,
	}
	rule, err := writeTx(ctx, db, "neo4j.SetCategoryRule", fmt.Sprintf("category rule %d×%d", in.Axis1Rank, in.Axis2Rank), func(tx *txn) (*model.CategoryRule, error) {
		rec, err := tx.single(ctx, ranksExistCypher, params)
		if err != nil {
			return nil, err
		}
		if ok, _ := rec.Values[0].(bool); !ok {
			return nil, model.FieldErrorf(model.EINVALID, "input.axis1Rank", "the axis-1 scale %s has no rank %d", params["scale1"], in.Axis1Rank)
		}
		if ok, _ := rec.Values[1].(bool); !ok {
			return nil, model.FieldErrorf(model.EINVALID, "input.axis2Rank", "the axis-2 scale %s has no rank %d", params["scale2"], in.Axis2Rank)
		}
		rec, err = tx.single(ctx, setCategoryRuleCypher, params)
		if err != nil {
			return nil, err
		}
		p := props(rec.AsMap())
		return &model.CategoryRule{Axis1Rank: p.int("axis1Rank"), Axis2Rank: p.int("axis2Rank"), Category: p.int("category")}, nil
	})
	if err != nil {
		return nil, err
	}
	return rule, nil
}
