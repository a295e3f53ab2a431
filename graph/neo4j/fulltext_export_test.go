package neo4j

import "context"

// FulltextIndex describes the full-text index name as Neo4j reports it:
// its id (which changes when it is dropped and created again), analyzer,
// labels and properties. found is false when there is none.
func FulltextIndex(ctx context.Context, db *DB, name string) (id int64, analyzer string, labels, properties []string, found bool, err error) {
	res, err := db.read(ctx, "test", name, `SHOW FULLTEXT INDEXES YIELD id, name, labelsOrTypes, properties, options WHERE name = $name
RETURN id, labelsOrTypes AS labels, properties AS props, options.indexConfig['fulltext.analyzer'] AS analyzer`, map[string]any{"name": name})
	if err != nil || len(res) == 0 {
		return 0, "", nil, nil, false, err
	}
	p := props(res[0].AsMap())
	return int64(p.int("id")), p.str("analyzer"), p.strs("labels"), p.strs("props"), true, nil
}

// EnsureFulltext runs on the full-text index name, over the property name
// of nodes labelled label, what Migrate runs on ssf_text, with analyzer.
func EnsureFulltext(ctx context.Context, db *DB, name, analyzer, label string) error {
	return db.ensureFulltext(ctx, fulltextSpec{name: name, analyzer: analyzer, labels: []string{label}, props: []string{"name"}})
}

// CreateOldFulltext creates the full-text index name over the property name
// of nodes labelled label as version 7 created ssf_text: with no options,
// so with Neo4j's default analyzer. It waits until the index is online.
func CreateOldFulltext(ctx context.Context, db *DB, name, label string) error {
	if err := db.migrate(ctx, name, "CREATE FULLTEXT INDEX "+name+" FOR (n:"+label+") ON EACH [n.name]", nil); err != nil {
		return err
	}
	return db.migrate(ctx, name, "CALL db.awaitIndex($name, 60)", map[string]any{"name": name})
}

// DropIndex drops the index name, if there is one.
func DropIndex(ctx context.Context, db *DB, name string) error {
	return db.migrate(ctx, name, "DROP INDEX "+name+" IF EXISTS", nil)
}

// QueryFulltext returns the ids of the nodes that the full-text index name
// finds for text, turned into a query as Search and the text filters turn
// it (luceneQuery), sorted.
func QueryFulltext(ctx context.Context, db *DB, name, text string) ([]string, error) {
	res, err := db.read(ctx, "test", name, "CALL db.index.fulltext.queryNodes($index, $text) YIELD node RETURN node.id AS id ORDER BY id",
		map[string]any{"index": name, "text": luceneQuery(text)})
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(res))
	for _, r := range res {
		ids = append(ids, props(r.AsMap()).str("id"))
	}
	return ids, nil
}

// CreateNamed creates a node labelled label with the given id and name
// (without an audit event).
func CreateNamed(ctx context.Context, db *DB, label, id, name string) error {
	return db.migrate(ctx, id, "CREATE (n:"+label+" {id: $id, name: $name})", map[string]any{"id": id, "name": name})
}
