package main

import (
	"context"
	"fmt"
	"io"
)

// runMigrate is `ssfgraph migrate`: it connects to Neo4j (retrying for up to
// --neo4j-wait), creates the constraints and indexes that are missing, and
// exits. serve does the same at start; migrate is for deploy pipelines that
// want the schema in place before any server starts.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg Config
	fs, envs := cfg.flagSet("migrate", stdout, false)
	if err := cfg.parse(fs, envs, args); err != nil {
		return err
	}
	db := cfg.db(cfg.logger(stderr))
	defer db.Close(context.WithoutCancel(ctx))
	if err := cfg.connect(ctx, db); err != nil {
		return err
	}
	if err := db.Migrate(ctx); err != nil { // again, even when the version was recorded: repairs what is missing
		return fmt.Errorf("Neo4j at %s: %w", cfg.Neo4jURI, err)
	}
	_, err := fmt.Fprintf(stdout, "schema ready on %s (database %s)\n", cfg.Neo4jURI, cfg.Neo4jDatabase)
	return err
}
