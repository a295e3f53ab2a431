// Package resolvers is ssfgraph's GraphQL layer: thin resolvers that check
// arguments and call the model services, and the HTTP handler with its
// limits, error presenter and websocket authentication (the websocket
// transport itself is package transport's). It holds no Cypher and does not
// import the driver.
package resolvers

import (
	"log/slog"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/ingest"
	"github.com/ssfgraph/ssfgraph/live"
	"github.com/ssfgraph/ssfgraph/metrics"
	"github.com/ssfgraph/ssfgraph/report"
)

// Resolver holds what the resolvers depend on. It is built by NewHandler.
type Resolver struct {
	// Store reads and writes the graph.
	Store model.Store
	// Loader writes ingested documents (importDocument).
	Loader ingest.Loader
	// Reports reads what due-care reports are built from (dueCareReport).
	Reports report.Source
	// Bus carries comparison snapshots to comparisonUpdated subscriptions.
	Bus model.EventBus[*live.Snapshot]
	// FeedbackBus carries submitted feedback to feedbackAdded subscriptions.
	FeedbackBus model.EventBus[*model.FeedbackEvent]
	// Changes, if set, carries committed changes between the processes
	// that serve one database (see committed and followChanges).
	Changes model.EventBus[*model.ChangeEvent]
	// Live recomputes and publishes comparisons when analyses change.
	Live *live.Comparisons
	// Version is this build's version, shown by serverInfo.
	Version string
	// Log receives what the resolvers log (once, at the edge).
	Log *slog.Logger
	// auth forgets revoked tokens and closes their websockets (revokeToken).
	auth *authenticator
	// origin names this handler on the Changes bus.
	origin string
	// metrics counts the changes applied from the Changes bus.
	metrics *metrics.Metrics
}
