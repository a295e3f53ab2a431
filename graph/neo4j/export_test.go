package neo4j

import "context"

// ConstraintNames returns the names of the constraints in db's database.
func ConstraintNames(ctx context.Context, db *DB) (map[string]bool, error) {
	res, err := db.read(ctx, "test", "SHOW CONSTRAINTS YIELD name RETURN name", nil)
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, r := range res.Records {
		names[r.Values[0].(string)] = true
	}
	return names, nil
}
