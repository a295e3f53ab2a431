// Package natsbus is a model.EventBus shared by processes over NATS, so
// that an event published by one server replica (or by `ssfgraph ingest`)
// reaches the subscribers of every replica.
//
// Each Bus holds one NATS connection and one NATS subscription to all of
// its subjects; the events it receives are fanned out to the process's own
// subscribers by an in-process graph/broker, so Subscribe and
// SubscribeLatest behave exactly as the broker's do. Events travel as JSON
// on the subject ssfgraph.<topic> (see Subject). Delivery is core NATS: at
// most once, in publication order per publisher; events published while a
// process is cut off are lost to it, which Connection tells its consumer
// so that it can reload what it serves.
package natsbus

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/ssfgraph/ssfgraph/graph/broker"
	"github.com/ssfgraph/ssfgraph/graph/model"
)

var (
	_ model.EventBus[int]     = (*Bus[int])(nil)
	_ model.ConnectionWatcher = (*Bus[int])(nil)
)

// DefaultPrefix is the first token of every subject a Bus uses.
const DefaultPrefix = "ssfgraph"

// DefaultQueue is how many events Publish may hold while they wait to be
// handed to the connection; more are dropped (and logged).
const DefaultQueue = 4096

// Options configures Dial. All fields are optional.
type Options struct {
	// Name names the connection on the NATS server (its monitoring pages).
	Name string
	// Prefix is the first subject token (DefaultPrefix when empty).
	Prefix string
	// Queue bounds the events waiting to be sent (DefaultQueue when zero).
	Queue int
	// Log receives connection state changes and lost events.
	Log *slog.Logger
	// ReconnectWait is how long to wait between reconnection attempts
	// (nats.go's default, 2 s, when zero).
	ReconnectWait time.Duration
}

// Bus is a model.EventBus of events of type E over NATS. Build it with
// Dial; its methods are safe for concurrent use.
type Bus[E any] struct {
	nc     *nats.Conn
	sub    *nats.Subscription
	url    string
	prefix string
	log    *slog.Logger
	local  *broker.Broker[E]
	states *broker.Broker[bool] // connection states, for Connection

	mu     sync.RWMutex // guards closed against sends on out
	closed bool
	out    chan outgoing
	sent   chan struct{} // closed when the sender has ended
}

// outgoing is an event waiting to be published, or (with handed set) a
// marker that Flush waits for.
type outgoing struct {
	subject string
	data    []byte
	handed  chan struct{}
}

// Dial connects to the NATS server at url (nats://host:4222, or a
// comma-separated list of a cluster's servers) and subscribes to the bus's
// subjects. The connection reconnects on its own, forever, after a loss.
// It fails when no server answers.
func Dial[E any](ctx context.Context, url string, o Options) (*Bus[E], error) {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	b := &Bus[E]{
		url: url, prefix: cmp.Or(o.Prefix, DefaultPrefix), log: o.Log,
		local: broker.New[E](), states: broker.New[bool](),
		out: make(chan outgoing, cmp.Or(max(o.Queue, 0), DefaultQueue)), sent: make(chan struct{}),
	}
	opts := []nats.Option{
		nats.Name(cmp.Or(o.Name, "ssfgraph")),
		nats.MaxReconnects(-1),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			b.log.Warn("natsbus: disconnected; events published meanwhile by other processes are lost to this one", "url", b.url, "err", err)
			b.states.Publish("state", false)
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			b.log.Info("natsbus: reconnected", "url", nc.ConnectedUrlRedacted())
			b.states.Publish("state", true)
		}),
		nats.ClosedHandler(func(*nats.Conn) { b.log.Info("natsbus: connection closed", "url", b.url) }),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			b.log.Error("natsbus: asynchronous error (events may be lost)", "url", b.url, "err", err)
		}),
	}
	if o.ReconnectWait > 0 {
		opts = append(opts, nats.ReconnectWait(o.ReconnectWait))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, fmt.Errorf("natsbus: connecting to %s: %w", url, err)
	}
	b.nc = nc
	if b.sub, err = nc.Subscribe(b.prefix+".>", b.receive); err == nil {
		err = flush(ctx, nc) // the server knows the subscription before Dial returns
	}
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("natsbus: subscribing at %s: %w", url, err)
	}
	go b.send()
	return b, nil
}

// receive hands an event from NATS to the local subscribers of its topic.
// NATS calls it in one goroutine per subscription, so events keep their
// order.
func (b *Bus[E]) receive(m *nats.Msg) {
	topic, ok := Topic(b.prefix, m.Subject)
	if !ok {
		b.log.Error("natsbus: event on a subject that names no topic; dropped", "subject", m.Subject)
		return
	}
	var ev E
	if err := json.Unmarshal(m.Data, &ev); err != nil {
		b.log.Error("natsbus: undecodable event; dropped", "subject", m.Subject, "err", err)
		return
	}
	b.local.Publish(topic, ev)
}

// send hands queued events to the connection until Close, which closes
// out. nats.go buffers them while it reconnects (up to 8 MB), so events
// published during a short loss are still sent.
func (b *Bus[E]) send() {
	defer close(b.sent)
	for m := range b.out {
		if m.handed != nil {
			close(m.handed)
			continue
		}
		if err := b.nc.Publish(m.subject, m.data); err != nil {
			b.log.Error("natsbus: publishing; event lost", "subject", m.subject, "err", err)
		}
	}
}

// Publish sends event to the subscribers of topic in every process on the
// bus, this one included, without blocking: the event is queued, and
// dropped (and logged) when the queue is full or the bus is closed.
func (b *Bus[E]) Publish(topic string, event E) {
	data, err := json.Marshal(event)
	if err != nil {
		b.log.Error("natsbus: unencodable event; dropped", "topic", topic, "err", err)
		return
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return
	}
	select {
	case b.out <- outgoing{subject: Subject(b.prefix, topic), data: data}:
	default:
		b.log.Error("natsbus: publish queue full; event dropped", "topic", topic, "queue", cap(b.out))
	}
}

// Flush returns once every event published before it has reached the NATS
// server, or with an error when the server cannot be reached before ctx
// ends. A writer that exits after publishing (`ssfgraph ingest`) calls it.
func (b *Bus[E]) Flush(ctx context.Context) error {
	handed := make(chan struct{})
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return errors.New("natsbus: flush: the bus is closed")
	}
	select {
	case b.out <- outgoing{handed: handed}:
	case <-ctx.Done():
	}
	b.mu.RUnlock()
	select {
	case <-handed:
	case <-ctx.Done():
		return fmt.Errorf("natsbus: flush: %w", ctx.Err())
	}
	if err := flush(ctx, b.nc); err != nil {
		return fmt.Errorf("natsbus: flush to %s: %w", b.url, err)
	}
	return nil
}

// Subscribe returns a channel with every event of topic, as
// graph/broker's Subscribe does.
func (b *Bus[E]) Subscribe(ctx context.Context, topic string, buffer int) <-chan E {
	return b.local.Subscribe(ctx, topic, buffer)
}

// SubscribeLatest returns a channel with the newest unread event of topic,
// as graph/broker's SubscribeLatest does.
func (b *Bus[E]) SubscribeLatest(ctx context.Context, topic string) <-chan E {
	return b.local.SubscribeLatest(ctx, topic)
}

// Connection returns a channel with the newest connection state not read
// yet (model.ConnectionWatcher).
func (b *Bus[E]) Connection(ctx context.Context) <-chan bool {
	return b.states.SubscribeLatest(ctx, "state")
}

// Ready returns nil while the connection is up, else EUNAVAILABLE saying
// what it is doing.
func (b *Bus[E]) Ready(ctx context.Context) error {
	if s := b.nc.Status(); s != nats.CONNECTED {
		return model.Errorf(model.EUNAVAILABLE, "NATS bus at %s: %s", b.url, strings.ToLower(s.String()))
	}
	return nil
}

// Close sends what is queued, closes the connection and every
// subscriber's channel. Later publishes are dropped.
func (b *Bus[E]) Close() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	close(b.out)
	b.mu.Unlock()
	<-b.sent
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = flush(ctx, b.nc) // best effort: the server may be gone
	b.nc.Close()
	b.local.Close()
	b.states.Close()
}

// flushTimeout bounds a flush whose context has no deadline.
const flushTimeout = 10 * time.Second

// flush waits for the server to have processed everything sent on nc
// (nats.go wants a deadline for it).
func flush(ctx context.Context, nc *nats.Conn) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, flushTimeout)
		defer cancel()
	}
	return nc.FlushWithContext(ctx)
}

// Subject returns the NATS subject of topic: prefix, a dot, and the topic
// with every byte other than a letter, digit or '-' written as '_' and two
// hex digits (so "comparison/t.1" is "comparison_2Ft_2E1"), so that no topic
// holds a separator or wildcard; the empty topic is "_".
func Subject(prefix, topic string) string {
	if topic == "" {
		return prefix + "._"
	}
	var sb strings.Builder
	sb.WriteString(prefix)
	sb.WriteByte('.')
	for i := 0; i < len(topic); i++ {
		c := topic[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' {
			sb.WriteByte(c)
			continue
		}
		fmt.Fprintf(&sb, "_%02X", c)
	}
	return sb.String()
}

// Topic returns the topic of a subject Subject made with prefix; ok is
// false for any other subject.
func Topic(prefix, subject string) (topic string, ok bool) {
	s, ok := strings.CutPrefix(subject, prefix+".")
	if !ok {
		return "", false
	}
	if s == "_" {
		return "", true
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '_' {
			sb.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		c, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", false
		}
		sb.WriteByte(byte(c))
		i += 2
	}
	return sb.String(), true
}
