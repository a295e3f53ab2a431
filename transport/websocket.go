package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/gorilla/websocket"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// The websocket subprotocols Websocket speaks, in the order it prefers them.
const (
	// SubprotocolTransportWS is graphql-transport-ws
	// (https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md).
	SubprotocolTransportWS = "graphql-transport-ws"
	// SubprotocolLegacyWS is the legacy graphql-ws of Apollo's
	// subscriptions-transport-ws.
	SubprotocolLegacyWS = "graphql-ws"
)

// Close codes that Websocket sends, those of graphql-transport-ws. The
// legacy subprotocol uses the same ones.
const (
	CloseBadRequest               = 4400 // an invalid message; the reason says what is wrong
	CloseUnauthorized             = 4401 // subscribe before connection_ack, or a token refused
	CloseForbidden                = 4403 // connection_init refused for another reason
	CloseSubprotocolNotAcceptable = 4406 // the client offered no subprotocol that Websocket speaks
	CloseInitTimeout              = 4408 // no connection_init within Websocket.InitTimeout
	CloseSubscriberExists         = 4409 // a subscribe with the id of a running operation
	CloseTooManyInitRequests      = 4429 // a second connection_init
	CloseInternalServerError      = 4500 // the server could not go on
)

// Defaults of Websocket's zero fields (and DefaultKeepAlive).
const (
	DefaultInitTimeout = 10 * time.Second
	DefaultReadLimit   = 1 << 20
)

// writeWait bounds each write to a client, and closeGrace how long a
// closing connection waits for the client's close frame.
const (
	writeWait  = 10 * time.Second
	closeGrace = time.Second
)

// CloseError is a reason to close a websocket with Code: returned by
// Websocket.Init to refuse a connection, or the cause of the cancellation
// of the context Init returned (context.WithCancelCause) to close a
// connection later.
type CloseError struct {
	Code   int
	Reason string // at most 123 bytes are sent
	// Err, if set, is the error behind the close, for transports without
	// close codes (an HTTP stream reports it as its last error).
	Err error
}

func (e *CloseError) Error() string {
	return fmt.Sprintf("websocket close %d: %s", e.Code, e.Reason)
}

// Unwrap returns Err.
func (e *CloseError) Unwrap() error { return e.Err }

// Websocket is a graphql.Transport that serves GraphQL operations over
// websockets on gorilla/websocket, speaking graphql-transport-ws to the
// letter (close codes included) and the legacy graphql-ws. Queries and
// mutations work over it as well as subscriptions. Its fields must not
// change once it serves.
type Websocket struct {
	// Upgrader upgrades the request; its CheckOrigin decides which pages
	// may connect (nil: same origin, or no Origin header). Its
	// Subprotocols are replaced by the two that Websocket speaks.
	Upgrader websocket.Upgrader
	// Init, if set, is called with the payload of connection_init (nil
	// when there is none) and the connection's context, whose values are
	// the upgrade request's. It returns the context the connection's
	// operations run in, derived from ctx, or an error that refuses the
	// connection: a *CloseError closes it with its code and reason, any
	// other error with 4403 Forbidden. When the returned context ends with
	// a *CloseError as its cause, the connection is closed with it; when
	// it ends otherwise (the server shuts down) with 1001 Going Away.
	// Init runs before any other message of the connection is read.
	Init func(ctx context.Context, payload map[string]any) (context.Context, error)
	// InitTimeout is how long a client has after the upgrade to send
	// connection_init (default 10 s); then the connection is closed with
	// 4408.
	InitTimeout time.Duration
	// KeepAlive is the interval of the server's ping (graphql-transport-ws)
	// or ka (graphql-ws) messages (default 10 s). A graphql-transport-ws
	// client silent for two intervals (no pong) is dropped.
	KeepAlive time.Duration
	// ReadLimit caps the size of a client's message (default 1 MiB); a
	// larger one closes the connection with 1009.
	ReadLimit int64
	// OnOpen and OnClose, if set, are called once per upgraded connection
	// as it opens and after it has closed.
	OnOpen, OnClose func()
}

var _ graphql.Transport = Websocket{}

// Supports reports whether r asks for a websocket upgrade.
func (t Websocket) Supports(r *http.Request) bool {
	return websocket.IsWebSocketUpgrade(r)
}

// Do upgrades r and serves the connection until it closes. A refused
// upgrade (origin, bad handshake) is answered by the Upgrader.
func (t Websocket) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	u := t.Upgrader
	u.Subprotocols = []string{SubprotocolTransportWS, SubprotocolLegacyWS}
	ws, err := u.Upgrade(w, r, nil)
	if err != nil {
		return // the Upgrader has answered with an HTTP error
	}
	if t.OnOpen != nil {
		t.OnOpen()
	}
	if t.OnClose != nil {
		defer t.OnClose()
	}
	if t.InitTimeout <= 0 {
		t.InitTimeout = DefaultInitTimeout
	}
	if t.KeepAlive <= 0 {
		t.KeepAlive = DefaultKeepAlive
	}
	if t.ReadLimit <= 0 {
		t.ReadLimit = DefaultReadLimit
	}
	ctx, cancel := context.WithCancelCause(r.Context())
	defer cancel(nil)
	c := &conn{t: &t, ws: ws, exec: exec, header: r.Header, ctx: ctx,
		names: transportWSNames, ops: map[string]*operation{}}
	if ws.Subprotocol() == SubprotocolLegacyWS {
		c.names = legacyWSNames
	}
	c.serve()
}

// kind is what a client's message asks for, whatever its subprotocol
// calls it.
type kind int

const (
	kindInit kind = iota + 1
	kindSubscribe
	kindComplete // the client ends an operation (complete, or the legacy stop)
	kindPing
	kindPong
	kindTerminate // the legacy connection_terminate
)

// names are one subprotocol's message types.
type names struct {
	legacy   bool
	incoming map[string]kind
	// What the server sends; "" for a message the subprotocol lacks.
	ack, next, error, complete, ping, pong, keepAlive string
}

var transportWSNames = &names{
	incoming: map[string]kind{"connection_init": kindInit, "subscribe": kindSubscribe, "complete": kindComplete, "ping": kindPing, "pong": kindPong},
	ack:      "connection_ack", next: "next", error: "error", complete: "complete", ping: "ping", pong: "pong",
}

var legacyWSNames = &names{
	legacy:   true,
	incoming: map[string]kind{"connection_init": kindInit, "start": kindSubscribe, "stop": kindComplete, "connection_terminate": kindTerminate},
	ack:      "connection_ack", next: "data", error: "error", complete: "complete", keepAlive: "ka",
}

// conn is one websocket connection. Its read loop (serve) is the only
// reader; every write holds mu.
type conn struct {
	t      *Websocket
	ws     *websocket.Conn
	exec   graphql.GraphExecutor
	header http.Header
	names  *names
	ctx    context.Context // the connection's: ends when serve returns

	mu       sync.Mutex
	closing  bool            // a close frame was sent, or the connection broke
	initSeen bool            // connection_init arrived
	opCtx    context.Context // Init's context; nil until connection_ack
	// stopInitCtx stops watching opCtx for the end that closes the
	// connection; nil when Init returned the connection's own context.
	stopInitCtx func() bool
	ops         map[string]*operation // the running operations by id
}

// operation is one running operation. Only the registered operation of an
// id sends messages under it.
type operation struct {
	cancel context.CancelFunc
}

// message is a message to the client.
type message struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// errClosing stops the read loop after the connection was closed.
var errClosing = errors.New("websocket closing")

func (c *conn) serve() {
	defer c.ws.Close()
	if c.ws.Subprotocol() == "" {
		c.close(CloseSubprotocolNotAcceptable, "Subprotocol not acceptable")
		c.drain()
		return
	}
	initTimer := time.AfterFunc(c.t.InitTimeout, func() {
		c.mu.Lock()
		acked := c.opCtx != nil
		c.mu.Unlock()
		if !acked {
			c.close(CloseInitTimeout, "Connection initialisation timeout")
		}
	})
	defer initTimer.Stop()
	stop := context.AfterFunc(c.ctx, func() { c.closeFor(c.ctx) })
	defer stop()
	for {
		data, err := c.read()
		if err == nil {
			err = c.handle(data)
		}
		if err != nil {
			if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
				c.close(websocket.CloseGoingAway, "no pong within two keep-alive intervals")
			}
			break
		}
	}
	c.mu.Lock()
	c.closing = true // if the client closed first; gorilla has answered its close frame
	c.endOps()
	stopInit := c.stopInitCtx
	c.mu.Unlock()
	if stopInit != nil {
		stopInit()
	}
	c.drain()
}

// read returns the next message, closing the connection with 1009 when it
// is larger than the read limit.
func (c *conn) read() ([]byte, error) {
	c.mu.Lock()
	if !c.closing {
		var deadline time.Time // none before connection_ack (InitTimeout) and for the legacy clients, which do not pong
		if c.opCtx != nil && !c.names.legacy {
			deadline = time.Now().Add(2 * c.t.KeepAlive)
		}
		_ = c.ws.SetReadDeadline(deadline)
	}
	c.mu.Unlock()
	_, r, err := c.ws.NextReader()
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(r, c.t.ReadLimit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > c.t.ReadLimit {
		c.close(websocket.CloseMessageTooBig, fmt.Sprintf("message larger than the limit of %d bytes", c.t.ReadLimit))
		return nil, errClosing
	}
	return data, nil
}

// drain reads and discards what the client sends until it answers the
// close frame (or closeGrace passes), so that closing the TCP connection
// does not reset it before the client has read the close frame.
func (c *conn) drain() {
	_ = c.ws.SetReadDeadline(time.Now().Add(closeGrace))
	for {
		_, r, err := c.ws.NextReader()
		if err != nil {
			return
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			return
		}
	}
}

// handle acts on one message. It returns an error when the connection is
// to be closed (it has then sent the close frame).
func (c *conn) handle(data []byte) error {
	typ, id, payload, reason := parseMessage(data)
	if reason != "" {
		return c.closeErr(CloseBadRequest, reason)
	}
	k, ok := c.names.incoming[typ]
	if !ok {
		if _, known := allTypes[typ]; known {
			return c.closeErr(CloseBadRequest, fmt.Sprintf("unexpected message type %q from a client", typ))
		}
		return c.closeErr(CloseBadRequest, fmt.Sprintf("unknown message type %q", typ))
	}
	switch k {
	case kindInit:
		return c.init(payload)
	case kindSubscribe:
		return c.subscribe(id, payload)
	case kindComplete:
		if id == "" {
			return c.closeErr(CloseBadRequest, fmt.Sprintf("%s message without an id", typ))
		}
		c.stop(id)
	case kindPing:
		c.mu.Lock()
		if !c.closing {
			c.write(&message{Type: c.names.pong, Payload: nonNull(payload)})
		}
		c.mu.Unlock()
	case kindPong:
		// Any message resets the read deadline.
	case kindTerminate:
		return c.closeErr(websocket.CloseNormalClosure, "terminated")
	}
	return nil
}

// allTypes are the message types of both subprotocols, for telling an
// unexpected message from an unknown one.
var allTypes = map[string]bool{
	"connection_init": true, "connection_ack": true, "connection_error": true, "connection_terminate": true,
	"ping": true, "pong": true, "ka": true, "subscribe": true, "start": true, "next": true, "data": true,
	"error": true, "complete": true, "stop": true,
}

// parseMessage decodes a client's message. It returns the reason it is
// invalid, or "".
func parseMessage(data []byte) (typ, id string, payload json.RawMessage, reason string) {
	if !json.Valid(data) {
		return "", "", nil, "invalid message: not JSON"
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil || m == nil {
		return "", "", nil, "invalid message: not a JSON object"
	}
	if raw, ok := m["type"]; !ok || json.Unmarshal(raw, &typ) != nil || typ == "" {
		return "", "", nil, "invalid message: type must be a non-empty string"
	}
	if raw, ok := m["id"]; ok && string(raw) != "null" && json.Unmarshal(raw, &id) != nil {
		return "", "", nil, fmt.Sprintf("invalid %s message: id must be a string", typ)
	}
	return typ, id, m["payload"], ""
}

// nonNull returns p, or nil for a JSON null.
func nonNull(p json.RawMessage) json.RawMessage {
	if string(bytes.TrimSpace(p)) == "null" {
		return nil
	}
	return p
}

// init answers connection_init: a second one closes the connection with
// 4429, a refusal by Init with Init's code, else connection_ack.
func (c *conn) init(payload json.RawMessage) error {
	c.mu.Lock()
	again := c.initSeen
	c.initSeen = true
	c.mu.Unlock()
	if again {
		return c.closeErr(CloseTooManyInitRequests, "Too many initialisation requests")
	}
	var p map[string]any
	if payload = nonNull(payload); payload != nil {
		if err := json.Unmarshal(payload, &p); err != nil {
			return c.closeErr(CloseBadRequest, "invalid connection_init message: payload must be an object")
		}
	}
	ctx := c.ctx
	if c.t.Init != nil {
		var err error
		if ctx, err = c.t.Init(c.ctx, p); err != nil {
			ce, ok := errors.AsType[*CloseError](err)
			if !ok {
				ce = &CloseError{Code: CloseForbidden, Reason: "Forbidden"}
			}
			if c.names.legacy {
				c.mu.Lock()
				if !c.closing {
					b, _ := json.Marshal(gqlerror.Error{Message: ce.Reason})
					c.write(&message{Type: "connection_error", Payload: b})
				}
				c.mu.Unlock()
			}
			return c.closeErr(ce.Code, ce.Reason)
		}
	}
	c.mu.Lock()
	if c.closing { // the init timeout struck while Init ran
		c.mu.Unlock()
		return errClosing
	}
	c.opCtx = ctx
	c.write(&message{Type: c.names.ack})
	if c.names.legacy {
		c.write(&message{Type: c.names.keepAlive})
	}
	if ctx != c.ctx {
		c.stopInitCtx = context.AfterFunc(ctx, func() { c.closeFor(ctx) })
	}
	c.mu.Unlock()
	go c.keepAlive()
	return nil
}

// keepAlive sends a ping (or the legacy ka) every KeepAlive until the
// connection ends.
func (c *conn) keepAlive() {
	t := time.NewTicker(c.t.KeepAlive)
	defer t.Stop()
	typ := c.names.ping
	if c.names.legacy {
		typ = c.names.keepAlive
	}
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
			c.mu.Lock()
			if !c.closing {
				c.write(&message{Type: typ})
			}
			c.mu.Unlock()
		}
	}
}

// subscribe starts an operation: before connection_ack it closes the
// connection with 4401, for an id in use with 4409 (the legacy
// subprotocol replaces the running operation instead), and for a bad
// payload with 4400.
func (c *conn) subscribe(id string, payload json.RawMessage) error {
	start := graphql.Now()
	c.mu.Lock()
	acked := c.opCtx != nil
	c.mu.Unlock()
	if !acked {
		return c.closeErr(CloseUnauthorized, "Unauthorized")
	}
	if id == "" {
		return c.closeErr(CloseBadRequest, "invalid subscribe message: no id")
	}
	if nonNull(payload) == nil {
		return c.closeErr(CloseBadRequest, "invalid subscribe message: no payload")
	}
	params, err := decodeRequest(payload)
	if err != nil {
		return c.closeErr(CloseBadRequest, "invalid subscribe message: "+err.Error())
	}
	params.Headers = c.header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	c.mu.Lock()
	old := c.ops[id]
	if old != nil && !c.names.legacy {
		c.mu.Unlock()
		return c.closeErr(CloseSubscriberExists, fmt.Sprintf("Subscriber for %s already exists", id))
	}
	if old != nil {
		old.cancel() // subscriptions-transport-ws replaces it
	}
	if !c.closing {
		ctx, cancel := context.WithCancel(c.opCtx)
		op := &operation{cancel: cancel}
		c.ops[id] = op
		go c.run(ctx, op, id, params)
	}
	c.mu.Unlock()
	return nil
}

// run executes an operation and sends its results: next for each,
// then complete; or error (and no complete) when the operation cannot
// start. An operation the client completed sends nothing more.
func (c *conn) run(ctx context.Context, op *operation, id string, params *graphql.RawParams) {
	defer op.cancel()
	ctx = graphql.StartOperationTrace(ctx)
	rc, errs := c.exec.CreateOperationContext(ctx, params)
	if errs != nil {
		resp := c.exec.DispatchError(graphql.WithOperationContext(ctx, rc), errs)
		c.fail(op, id, resp, errcode.GetErrorKind(errs) == errcode.KindProtocol)
		return
	}
	ctx = graphql.WithOperationContext(ctx, rc)
	defer func() {
		if r := recover(); r != nil {
			err := rc.Recover(ctx, r)
			gerr, ok := errors.AsType[*gqlerror.Error](err)
			if !ok {
				gerr = &gqlerror.Error{Message: "internal error"}
			}
			c.fail(op, id, &graphql.Response{Errors: gqlerror.List{gerr}}, true)
		}
	}()
	responses, ctx := c.exec.DispatchOperation(ctx, rc)
	for {
		resp := responses(ctx)
		if resp == nil {
			break
		}
		b, err := json.Marshal(resp)
		if err != nil {
			panic(fmt.Errorf("transport: encoding a response: %w", err))
		}
		c.mu.Lock()
		if c.ops[id] == op && !c.closing {
			c.write(&message{ID: id, Type: c.names.next, Payload: b})
		}
		c.mu.Unlock()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ops[id] != op {
		return // completed by the client, or replaced
	}
	delete(c.ops, id)
	if !c.closing { // a closing connection sends no complete: the end is not normal
		c.write(&message{ID: id, Type: c.names.complete})
	}
}

// fail sends resp's errors for an operation that could not run: an error
// message, after which the id is free. The legacy subprotocol sends, as
// gqlgen's transport did, error for protocol errors (else data with the
// errors) and then complete.
func (c *conn) fail(op *operation, id string, resp *graphql.Response, protocol bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ops[id] != op {
		return
	}
	delete(c.ops, id)
	if c.closing {
		return
	}
	if c.names.legacy && !protocol {
		b, _ := json.Marshal(resp)
		c.write(&message{ID: id, Type: c.names.next, Payload: b})
	} else {
		b, _ := json.Marshal(resp.Errors)
		c.write(&message{ID: id, Type: c.names.error, Payload: b})
	}
	if c.names.legacy {
		c.write(&message{ID: id, Type: c.names.complete})
	}
}

// stop ends the operation id at the client's request. The server does not
// echo graphql-transport-ws's complete; the legacy subprotocol answers
// stop with complete, as subscriptions-transport-ws does.
func (c *conn) stop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	op := c.ops[id]
	if op == nil {
		return
	}
	delete(c.ops, id)
	op.cancel()
	if c.names.legacy && !c.closing {
		c.write(&message{ID: id, Type: c.names.complete})
	}
}

// write sends m; c.mu must be held. A failed write breaks the connection.
func (c *conn) write(m *message) {
	b, err := json.Marshal(m)
	if err != nil {
		panic(fmt.Errorf("transport: encoding a %s message: %w", m.Type, err))
	}
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeWait))
	if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		c.closing = true
		c.endOps()
		_ = c.ws.Close() // the read loop ends
	}
}

// endOps cancels every operation; c.mu must be held.
func (c *conn) endOps() {
	for id, op := range c.ops {
		op.cancel()
		delete(c.ops, id)
	}
}

// closeFor closes the connection because ctx ended: with the cause's code
// and reason when it is a *CloseError, else 1001 (the server shuts down).
func (c *conn) closeFor(ctx context.Context) {
	if ce, ok := errors.AsType[*CloseError](context.Cause(ctx)); ok {
		c.close(ce.Code, ce.Reason)
		return
	}
	c.close(websocket.CloseGoingAway, "server shutting down")
}

// closeErr closes the connection and returns errClosing, for the read loop.
func (c *conn) closeErr(code int, reason string) error {
	c.close(code, reason)
	return errClosing
}

// close sends a close frame with code and reason (cut to what a close
// frame holds) and ends every operation; the read loop then waits briefly
// for the client's answer. Only the first call does anything.
func (c *conn) close(code int, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing {
		return
	}
	c.closing = true
	c.endOps()
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, truncate(reason, maxReason)),
		time.Now().Add(writeWait))
	_ = c.ws.SetReadDeadline(time.Now().Add(closeGrace))
}

// maxReason is the longest close reason a close frame holds, in bytes.
const maxReason = 123

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
