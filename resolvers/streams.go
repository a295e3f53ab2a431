package resolvers

import (
	"context"
	"net/http"
	"strings"

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
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	ctx, err := s.conns.websocketInit(ctx, token)
	if err != nil {
		return ctx, limitError(CodeTooManyConnections, "this token has %d open websockets and streams, the limit", s.conns.l.WebsocketsPerToken)
	}
	if p := model.PrincipalFrom(ctx); p != nil {
		ctx = s.auth.watch(ctx, p)
	}
	s.metrics.StreamOpened()
	context.AfterFunc(ctx, s.metrics.StreamClosed)
	return ctx, nil
}

// wantsStream reports whether r may be answered by a stream (its Accept
// names text/event-stream or multipart/mixed): connLimits counts it as a
// connection while it lasts.
func wantsStream(r *http.Request) bool {
	for _, a := range r.Header.Values("Accept") {
		if strings.Contains(a, "text/event-stream") || strings.Contains(a, "multipart/mixed") {
			return true
		}
	}
	return false
}
