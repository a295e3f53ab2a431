package neo4j

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// ensureOrganizationCypher creates the organization unless it exists and
// says whether it did. An existing organization keeps its name and sector.
const ensureOrganizationCypher = `
OPTIONAL MATCH (e:` + model.LabelOrganization + ` {id: $id})
WITH e IS NULL AS created
MERGE (o:` + model.LabelOrganization + `:` + model.LabelEntity + ` {id: $id})
  ON CREATE SET o.name = $name, o.sector = $sector
RETURN created`

// EnsureOrganization creates the organization id with the given name and
// sector unless it exists, for `ssfgraph token create` to bootstrap the
// first organization and admin. It reports whether it created the
// organization; an existing one is left unchanged. It returns EINVALID for
// a bad id, name (1 to 500 characters) or sector (1 to 100 characters),
// and ECONFLICT when the id belongs to a node of another kind.
func (db *DB) EnsureOrganization(ctx context.Context, id, name, sector string) (bool, error) {
	if err := model.ValidID("org", id); err != nil {
		return false, err
	}
	name, err := model.Text("org-name", &name, 1, 500)
	if err != nil {
		return false, err
	}
	sector, err = model.Text("sector", &sector, 1, 100)
	if err != nil {
		return false, err
	}
	if err := db.init(); err != nil {
		return false, err
	}
	res, err := db.write(ctx, "neo4j.EnsureOrganization", "organization "+id, ensureOrganizationCypher, map[string]any{"id": id, "name": name, "sector": sector})
	if err != nil {
		return false, err
	}
	created, _ := res[0].Values[0].(bool)
	return created, nil
}
