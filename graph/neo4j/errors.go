package neo4j

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/ingest"
)

// formatError is the one place that classifies driver errors. It returns a
// *model.Error for failures a client can act on and wraps the rest with the
// operation and its subject.
func formatError(op, subject string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*model.Error](err); ok {
		return err
	}
	if _, ok := errors.AsType[*ingest.Error](err); ok {
		return err // the input's fault, located already
	}
	if e, ok := errors.AsType[*neo4j.Neo4jError](err); ok {
		switch {
		case e.Code == "Neo.ClientError.Schema.ConstraintValidationFailed":
			return &wrapped{model.Errorf(model.ECONFLICT, "%s already exists", subject), err}
		case e.Code == "Neo.ClientError.Security.Unauthorized":
			return &wrapped{model.Errorf(model.EUNAUTHENTICATED, "Neo4j refused the credentials for %s", subject), err}
		case strings.HasPrefix(e.Code, "Neo.ClientError.Security."):
			return &wrapped{model.Errorf(model.EFORBIDDEN, "Neo4j refused %s: %s", op, e.Msg), err}
		case strings.HasPrefix(e.Code, "Neo.ClientError.Transaction.InvalidBookmark"):
			// A bookmark that came with the request (model.WithBookmarks).
			return &wrapped{model.Errorf(model.EINVALID, "a bookmark (from the %s header or a change event) is not one this database issued: %s", model.BookmarkHeader, e.Msg), err}
		case strings.Contains(e.Code, "TransactionTimedOut"):
			return &wrapped{model.Errorf(model.ETIMEOUT, "%s timed out", op), err}
		}
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return &wrapped{model.Errorf(model.ETIMEOUT, "%s timed out", op), err}
	case errors.Is(err, context.Canceled):
		return &wrapped{model.Errorf(model.EUNAVAILABLE, "the request was canceled before %s finished", op), err}
	case neo4j.IsConnectivityError(err), neo4j.IsTransactionExecutionLimit(err):
		return &wrapped{model.Errorf(model.EUNAVAILABLE, "Neo4j is unavailable"), fmt.Errorf("%s %s: %w", op, subject, err)}
	}
	if subject == "" {
		return fmt.Errorf("%s: %w", op, err)
	}
	return fmt.Errorf("%s %s: %w", op, subject, err)
}

// wrapped carries a client-facing *model.Error and the driver error behind
// it: errors.As finds the first for clients, and Error() shows the second
// for the logs.
type wrapped struct {
	public *model.Error
	cause  error
}

func (w *wrapped) Error() string   { return w.cause.Error() }
func (w *wrapped) Unwrap() []error { return []error{w.public, w.cause} }
