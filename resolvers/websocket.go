package resolvers

import (
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gorilla/websocket"
)

// GorillaWS plugs gorilla/websocket into gqlgen's websocket transport
// (gqlgen dropped its own gorilla transport in v0.17.92). A nil
// Upgrader.CheckOrigin allows same-origin requests and clients that send no
// Origin header.
type GorillaWS struct {
	Upgrader websocket.Upgrader
	// OnOpen and OnClose, if set, are called once per accepted connection,
	// for the open-connections gauge.
	OnOpen, OnClose func()
}

var _ transport.WebsocketImplementation = GorillaWS{}

// Accept upgrades the request, offering gqlgen's subprotocols after any the
// Upgrader names.
func (g GorillaWS) Accept(w http.ResponseWriter, r *http.Request, o transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	u := g.Upgrader
	u.Subprotocols = append(slices.Clip(u.Subprotocols), o.Subprotocols...)
	c, err := u.Upgrade(w, r, o.ResponseHeader)
	if err != nil {
		return nil, err
	}
	if g.OnOpen != nil {
		g.OnOpen()
	}
	gc := &gorillaConn{Conn: c, onClose: g.OnClose}
	if slot, ok := r.Context().Value(connSlotKey{}).(*connSlot); ok {
		slot.conn.Store(gc) // for closing it when its token is revoked
	}
	return gc, nil
}

// gorillaConn gets WriteJSON, Subprotocol, SetReadLimit and SetReadDeadline
// by embedding.
type gorillaConn struct {
	*websocket.Conn
	onClose func()
	once    sync.Once
	// closeAs, when set, replaces the code and reason of the close frame
	// gqlgen sends (it closes a cancelled connection as normal).
	closeAs atomic.Pointer[closeFrame]
}

// closeFrame is a close code and its reason.
type closeFrame struct {
	code   int
	reason string
}

// closeWith makes the close frame sent next carry code and reason.
func (c *gorillaConn) closeWith(code int, reason string) {
	c.closeAs.Store(&closeFrame{code, reason})
}

// NextReader maps a normal close to transport.ErrWebsocketClosed, as gqlgen
// expects.
func (c *gorillaConn) NextReader() (int, io.Reader, error) {
	t, r, err := c.Conn.NextReader()
	if websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseNoStatusReceived) {
		return t, nil, transport.ErrWebsocketClosed
	}
	return t, r, err
}

// WriteClose sends a close frame without blocking for more than a second.
// It sends the code and reason of closeWith instead, when that was called.
func (c *gorillaConn) WriteClose(code int, msg string) error {
	if f := c.closeAs.Load(); f != nil {
		code, msg = f.code, f.reason
	}
	return c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, msg), time.Now().Add(time.Second))
}

// Close drops the connection; it is safe to call more than once.
func (c *gorillaConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		if c.onClose != nil {
			c.onClose()
		}
	})
	return err
}
