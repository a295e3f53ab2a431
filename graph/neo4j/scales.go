package neo4j

import (
	"context"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// scaleVersion is the version of the seeded IoT-SSF scales.
const scaleVersion = "v1"

// scaleSource says where the seeded levels come from. The published
// framework names the axes but not the level names, counts, money bands or
// category matrix that this project could check, so they are illustrative
// and marked unconfirmed until a committee corrects them (a data edit).
const scaleSource = "ssfgraph illustrative defaults after METI IoT-SSF v1.0 (2020-11-05); level names, money bands and category matrix unconfirmed"

// seedScalesCypher creates the default scales, perspectives and category
// rules once. ON CREATE keeps curators' later edits: migrating again
// changes nothing.
const seedScalesCypher = `
UNWIND $scales AS s
MERGE (sc:` + model.LabelAxisScale + `:` + model.LabelEntity + ` {id: s.id})
  ON CREATE SET sc.axis = s.axis, sc.version = s.version, sc.name = s.name, sc.confirmed = false, sc.source = $source
WITH sc, s
UNWIND s.levels AS l
MERGE (lv:` + model.LabelAxisLevel + `:` + model.LabelEntity + ` {id: l.id})
  ON CREATE SET lv += l
MERGE (sc)-[:` + model.RelHasLevel + `]->(lv)
WITH count(*) AS levels
UNWIND $perspectives AS p
MERGE (pe:` + model.LabelPerspective + ` {id: p.code})
  ON CREATE SET pe += p
WITH count(*) AS perspectives
UNWIND $rules AS r
MERGE (ru:` + model.LabelCategoryRule + ` {id: r.id})
  ON CREATE SET ru += r
RETURN count(*) AS rules`

func seedScalesParams() map[string]any {
	axis1 := []map[string]any{
		{"rank": 1, "labelEn": "Recoverable at once", "labelJa": "即時に回復可能", "description": "The effect ends when the device or service is reset or restored; nothing lasting remains."},
		{"rank": 2, "labelEn": "Recoverable with effort", "labelJa": "相応の労力で回復可能", "description": "Repair, replacement or data restoration undoes the effect; injuries heal fully."},
		{"rank": 3, "labelEn": "Hard to recover", "labelJa": "回復が困難", "description": "Lasting harm: serious injury, environmental damage, loss of trust that takes years to rebuild."},
		{"rank": 4, "labelEn": "Irreversible", "labelJa": "回復不能", "description": "Death, permanent disability, or loss that nothing can undo; money does not restore it."},
	}
	axis2 := []map[string]any{
		{"rank": 1, "labelEn": "Minor", "labelJa": "軽微", "description": "Loss below 1 million yen.", "minJPY": 0.0, "maxJPY": 1e6},
		{"rank": 2, "labelEn": "Moderate", "labelJa": "中程度", "description": "Loss from 1 million to 100 million yen.", "minJPY": 1e6, "maxJPY": 1e8},
		{"rank": 3, "labelEn": "Major", "labelJa": "重大", "description": "Loss from 100 million to 10 billion yen.", "minJPY": 1e8, "maxJPY": 1e10},
		{"rank": 4, "labelEn": "Severe", "labelJa": "甚大", "description": "Loss of 10 billion yen or more.", "minJPY": 1e10},
	}
	scale := func(axis int, name string, levels []map[string]any) map[string]any {
		id := "axis" + string(rune('0'+axis)) + "-" + scaleVersion
		for _, l := range levels {
			l["id"] = id + "-" + string(rune('0'+l["rank"].(int)))
			l["scaleId"], l["axis"] = id, axis
		}
		return map[string]any{"id": id, "axis": axis, "version": scaleVersion, "name": name, "levels": levels}
	}
	var rules []map[string]any
	for a1 := 1; a1 <= 4; a1++ {
		for a2 := 1; a2 <= 4; a2++ {
			rules = append(rules, map[string]any{
				"id":        "category-" + scaleVersion + "-" + string(rune('0'+a1)) + "-" + string(rune('0'+a2)),
				"axis1Rank": a1, "axis2Rank": a2, "category": max(a1, a2),
			})
		}
	}
	return map[string]any{
		"source": scaleSource,
		"scales": []map[string]any{
			scale(1, "Axis 1: recoverability (回復困難性)", axis1),
			scale(2, "Axis 2: economic impact (経済的影響)", axis2),
		},
		"perspectives": []map[string]any{
			{"code": "P1", "nameEn": "The device or system itself", "nameJa": "機器・システム自体", "description": "Design, build and verification of the device or system (reconstruction, unconfirmed)."},
			{"code": "P2", "nameEn": "Operation", "nameJa": "運用", "description": "Running the system: monitoring, updates, incident response (reconstruction, unconfirmed)."},
			{"code": "P3", "nameEn": "Operators and managers, including users", "nameJa": "運用・管理する者（利用者を含む）", "description": "People who run, manage and use the system, including user education."},
			{"code": "P4", "nameEn": "Insurance and other safety nets", "nameJa": "保険・セーフティネット", "description": "What remains after an incident: insurance, compensation and other safety nets."},
		},
		"rules": rules,
	}
}

// DefaultScales returns the IoT-SSF scales, perspectives and category rules
// that Migrate seeds, as Scales reads them from a database just migrated. It
// writes nothing: a dry run checks native documents against them when the
// database has never been migrated.
func DefaultScales() *model.Scales {
	seed := seedScalesParams()
	s := &model.Scales{}
	for _, sc := range seed["scales"].([]map[string]any) {
		s.Axes = append(s.Axes, &model.AxisScale{ID: sc["id"].(string), Axis: sc["axis"].(int), Version: sc["version"].(string),
			Name: sc["name"].(string), Source: seed["source"].(string)})
		for _, l := range sc["levels"].([]map[string]any) {
			lv := &model.AxisLevel{ID: l["id"].(string), ScaleID: l["scaleId"].(string), Axis: l["axis"].(int), Rank: l["rank"].(int),
				LabelEn: l["labelEn"].(string), LabelJa: l["labelJa"].(string), Description: l["description"].(string)}
			if v, ok := l["minJPY"].(float64); ok {
				lv.MinJpy = &v
			}
			if v, ok := l["maxJPY"].(float64); ok {
				lv.MaxJpy = &v
			}
			s.Levels = append(s.Levels, lv)
		}
	}
	for _, p := range seed["perspectives"].([]map[string]any) {
		s.Perspectives = append(s.Perspectives, &model.Perspective{Code: p["code"].(string), NameEn: p["nameEn"].(string),
			NameJa: p["nameJa"].(string), Description: p["description"].(string)})
	}
	for _, r := range seed["rules"].([]map[string]any) {
		s.Rules = append(s.Rules, &model.CategoryRule{Axis1Rank: r["axis1Rank"].(int), Axis2Rank: r["axis2Rank"].(int), Category: r["category"].(int)})
	}
	return s
}

// scalesCalls read the scales as the columns scales, levels, perspectives
// and rules (decodeScales); a projection that needs them appends them.
const scalesCalls = `
CALL () { MATCH (s:` + model.LabelAxisScale + `) WITH s ORDER BY s.axis, s.id RETURN collect(s) AS scales }
CALL () { MATCH (l:` + model.LabelAxisLevel + `) WITH l ORDER BY l.axis, l.rank RETURN collect(l) AS levels }
CALL () { MATCH (p:` + model.LabelPerspective + `) WITH p ORDER BY p.code RETURN collect(p {.*}) AS perspectives }
CALL () { MATCH (r:` + model.LabelCategoryRule + `) WITH r ORDER BY r.axis1Rank, r.axis2Rank RETURN collect(r {.*}) AS rules }`

const scalesCypher = scalesCalls + `
RETURN scales, levels, perspectives, rules`

// Scales returns the axis scales, perspectives and category rules.
func (db *DB) Scales(ctx context.Context) (*model.Scales, error) {
	res, err := db.read(ctx, "neo4j.Scales", "", scalesCypher, nil)
	if err != nil {
		return nil, err
	}
	return decodeScales(res[0].Values), nil
}

// decodeScales decodes the four columns of scalesCalls.
func decodeScales(r []any) *model.Scales {
	s := &model.Scales{}
	for _, v := range r[0].([]any) {
		s.Axes = append(s.Axes, decode(v.(neo4j.Node)).(*model.AxisScale))
	}
	for _, v := range r[1].([]any) {
		s.Levels = append(s.Levels, decode(v.(neo4j.Node)).(*model.AxisLevel))
	}
	for _, v := range r[2].([]any) {
		p := props(v.(map[string]any))
		s.Perspectives = append(s.Perspectives, &model.Perspective{Code: p.str("code"), NameEn: p.str("nameEn"), NameJa: p.str("nameJa"), Description: p.str("description")})
	}
	for _, v := range r[3].([]any) {
		p := props(v.(map[string]any))
		s.Rules = append(s.Rules, &model.CategoryRule{Axis1Rank: p.int("axis1Rank"), Axis2Rank: p.int("axis2Rank"), Category: p.int("category")})
	}
	return s
}
