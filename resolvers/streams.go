package resolvers

import (
	"context"
	"net/http"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/metrics"
)

// streamAdmission admits an SSE or multipart stream under the rules of a
// websocket: the server-wide and per-address caps (connLimits.middleware,
// which counts both), the per-token cap and the subscription counter
// (connLimits.websocketInit), the open-streams gauge, and ending when its
// token is revoked or expires (authenticator.watch).
type streamAdmission struct {
	auth    *authenticator
	conns   *connLimits
	metrics *metrics.Metrics
}

// open is transport.HTTP's OpenStream.
func (s streamAdmission) open(ctx context.Context, r *http.Request) (context.Context, error) {
	ctx, err := s.conns.websocketInit(ctx)
	if err != nil {
		return ctx, err // a transport.CloseError around the coded error
	}
	if p := model.PrincipalFrom(ctx); p != nil {
		ctx = s.auth.watch(ctx, p)
	}
	s.metrics.StreamOpened()
	context.AfterFunc(ctx, s.metrics.StreamClosed)
	return ctx, nil
}
