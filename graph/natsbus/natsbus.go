// Package natsbus is a model.EventBus shared by processes over NATS, so
// that an event published by one server replica (or by `ssfgraph ingest`)
// reaches the subscribers of every replica.
//
// Each Bus holds one NATS connection and one NATS subscription to all of
// its subjects; the events it receives are fanned out to the process's own
// subscribers by an in-process graph/broker, so Subscribe and
// SubscribeLatest behave exactly as the broker's do. Events travel as JSON
// on the subject <prefix>.<topic> (see Subject).
//
// Delivery is core NATS by default: at most once, in publication order per
// publisher; events published while a process is cut off are lost to it.
// With Options.Stream the events are kept in a JetStream stream for a short
// while: publishes are acknowledged (Flush waits for the acknowledgements
// and reports a loss), and each process reads through an ordered consumer
// of new events that resumes after the last event it delivered when its
// connection comes back, so a short loss of one process's connection loses
// it nothing. Either way Connection tells a consumer when the connection
// was lost and came back, so that it can reload what it serves: events
// published while the NATS server itself was unreachable are lost.
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
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

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

// ChangesOptions are the options of ssfgraph's changes bus (the one
// `--bus` names): its events go on subjects under ssfgraph.changes, kept a
// minute by the JetStream stream SSFGRAPH_CHANGES, so that a replica whose
// connection drops briefly gets the changes it missed when it reconnects.
// Every process on the bus dials it with these, adding its own name, log
// and observer.
func ChangesOptions() Options {
	return Options{Prefix: "ssfgraph.changes", Stream: "SSFGRAPH_CHANGES", MaxAge: time.Minute}
}

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
	// Stream, if set, names the JetStream stream (created or updated by
	// Dial, file storage, limits retention) that keeps the events of the
	// bus's subjects for MaxAge; empty for core NATS.
	Stream string
	// MaxAge is how long the stream keeps an event (DefaultMaxAge when
	// zero).
	MaxAge time.Duration
	// Observer, if set, is told of every publish's outcome and of the
	// connection's states (metrics.Metrics is one).
	Observer Observer
}

// Observer is told what a Bus does, for metrics. Its methods must not
// block: they are called from the bus's goroutines and nats.go's callbacks.
type Observer interface {
	// BusPublished is called once per event published: outcome is "ok"
	// (handed to NATS), "error" (NATS or the stream refused it: lost) or
	// "dropped" (the queue was full or the bus closed: lost). With a
	// stream an event handed to NATS may be refused later: it then counts
	// as "ok" and then "error".
	BusPublished(outcome string)
	// BusConnection is called with true once connected in Dial and after
	// each reconnection, and with false on each loss of the connection.
	BusConnection(up bool)
}

// Publish outcomes given to Observer.BusPublished.
const (
	PublishOK      = "ok"
	PublishError   = "error"
	PublishDropped = "dropped"
)

// noObserver is the Observer of a Bus without one.
type noObserver struct{}

func (noObserver) BusPublished(string) {}
func (noObserver) BusConnection(bool)  {}

// DefaultMaxAge is how long a stream keeps events by default: long enough
// for a process to reconnect after a short loss.
const DefaultMaxAge = 5 * time.Minute

// Bus is a model.EventBus of events of type E over NATS. Build it with
// Dial; its methods are safe for concurrent use.
type Bus[E any] struct {
	nc     *nats.Conn
	sub    *nats.Subscription
	url    string
	prefix string
	log    *slog.Logger
	obs    Observer
	local  *broker.Broker[E]
	states *broker.Broker[bool] // connection states, for Connection

	// With a stream (Options.Stream): js publishes and consumes; the
	// consumer and the stream's creation time are guarded by jsMu.
	js       jetstream.JetStream
	stream   jetstream.StreamConfig
	jsMu     sync.Mutex
	consumer jetstream.ConsumeContext
	created  time.Time
	pubErr   atomic.Pointer[error] // the last failed publish since the last Flush

	mu     sync.RWMutex // guards closed against sends on out
	closed bool
	out    chan outgoing
	sent   chan struct{} // closed when the sender has ended
	gone   chan struct{} // closed by the connection's last callback, after Close
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
	if o.Observer == nil {
		o.Observer = noObserver{}
	}
	b := &Bus[E]{
		url: url, prefix: cmp.Or(o.Prefix, DefaultPrefix), log: o.Log, obs: o.Observer,
		local: broker.New[E](), states: broker.New[bool](),
		out: make(chan outgoing, cmp.Or(max(o.Queue, 0), DefaultQueue)), sent: make(chan struct{}), gone: make(chan struct{}),
	}
	opts := []nats.Option{
		nats.Name(cmp.Or(o.Name, "ssfgraph")),
		nats.MaxReconnects(-1),
		nats.DisconnectErrHandler(func(nc *nats.Conn, err error) {
			if nc.IsClosed() {
				return // Close, not a loss
			}
			b.log.Warn("natsbus: disconnected; reconnecting", "url", b.url, "err", err)
			b.obs.BusConnection(false)
			b.states.Publish("state", false)
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			b.log.Info("natsbus: reconnected", "url", nc.ConnectedUrlRedacted())
			if o.Stream != "" {
				go b.reconnected()
			}
			b.obs.BusConnection(true)
			b.states.Publish("state", true)
		}),
		nats.ClosedHandler(func(*nats.Conn) {
			b.log.Info("natsbus: connection closed", "url", b.url)
			close(b.gone) // the last callback: Close waits for it, so none runs after
		}),
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
	if o.Stream != "" {
		err = b.openStream(ctx, o)
	} else if b.sub, err = nc.Subscribe(b.prefix+".>", func(m *nats.Msg) { b.receive(m.Subject, m.Data) }); err == nil {
		err = flush(ctx, nc) // the server knows the subscription before Dial returns
	}
	if err != nil {
		b.closeConn()
		return nil, fmt.Errorf("natsbus: subscribing at %s: %w", url, err)
	}
	b.obs.BusConnection(true)
	go b.send()
	return b, nil
}

// openStream creates or updates the stream and starts consuming it.
func (b *Bus[E]) openStream(ctx context.Context, o Options) error {
	js, err := jetstream.New(b.nc, jetstream.WithPublishAsyncErrHandler(func(_ jetstream.JetStream, m *nats.Msg, err error) {
		b.log.Error("natsbus: the stream did not take an event; lost", "subject", m.Subject, "err", err)
		b.obs.BusPublished(PublishError)
		b.pubErr.Store(&err)
	}))
	if err != nil {
		return err
	}
	b.js = js
	b.stream = jetstream.StreamConfig{
		Name: o.Stream, Subjects: []string{b.prefix + ".>"}, Retention: jetstream.LimitsPolicy,
		MaxAge: cmp.Or(o.MaxAge, DefaultMaxAge), Storage: jetstream.FileStorage, Discard: jetstream.DiscardOld,
	}
	b.jsMu.Lock()
	defer b.jsMu.Unlock()
	return b.consumeLocked(ctx)
}

// consumeLocked ensures the stream and starts consuming its new events
// when there is no consumer yet, or all of it when the stream was created
// anew since (a NATS server that lost its storage): an ordered consumer
// resumes after the last sequence it delivered, which in a new stream
// would skip the first events. b.jsMu must be held.
func (b *Bus[E]) consumeLocked(ctx context.Context) error {
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	st, err := b.js.CreateOrUpdateStream(ctx, b.stream)
	if err != nil {
		return fmt.Errorf("stream %s: %w", b.stream.Name, err)
	}
	created := st.CachedInfo().Created
	if b.consumer != nil && created.Equal(b.created) {
		return nil // the ordered consumer resumes by itself
	}
	deliver := jetstream.DeliverNewPolicy
	if b.consumer != nil {
		// Everything in the new stream came after the old one's last
		// event, which may be before the stream was created.
		b.log.Warn("natsbus: the stream was created anew; consuming it from its start", "stream", b.stream.Name)
		b.consumer.Stop()
		deliver = jetstream.DeliverAllPolicy
	}
	cons, err := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{DeliverPolicy: deliver})
	if err != nil {
		return fmt.Errorf("stream %s: consumer: %w", b.stream.Name, err)
	}
	cc, err := cons.Consume(func(m jetstream.Msg) { b.receive(m.Subject(), m.Data()) },
		jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			b.log.Warn("natsbus: consuming the stream", "stream", b.stream.Name, "err", err)
		}))
	if err != nil {
		return fmt.Errorf("stream %s: consume: %w", b.stream.Name, err)
	}
	b.consumer, b.created = cc, created
	return nil
}

// reconnected checks the stream after the connection came back.
func (b *Bus[E]) reconnected() {
	b.jsMu.Lock()
	defer b.jsMu.Unlock()
	if b.consumer == nil {
		return // closed
	}
	if err := b.consumeLocked(context.Background()); err != nil {
		b.log.Error("natsbus: after reconnecting", "err", err)
	}
}

// receive hands an event from NATS to the local subscribers of its topic.
// NATS calls it in one goroutine per subscription (or consumer), so events
// keep their order.
func (b *Bus[E]) receive(subject string, data []byte) {
	topic, ok := Topic(b.prefix, subject)
	if !ok {
		b.log.Error("natsbus: event on a subject that names no topic; dropped", "subject", subject)
		return
	}
	var ev E
	if err := json.Unmarshal(data, &ev); err != nil {
		b.log.Error("natsbus: undecodable event; dropped", "subject", subject, "err", err)
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
		var err error
		if b.js != nil {
			_, err = b.js.PublishAsync(m.subject, m.data) // acknowledged later; failures reach the error handler
		} else {
			err = b.nc.Publish(m.subject, m.data)
		}
		if err != nil {
			b.log.Error("natsbus: publishing; event lost", "subject", m.subject, "err", err)
			b.obs.BusPublished(PublishError)
			b.pubErr.Store(&err)
		} else {
			b.obs.BusPublished(PublishOK)
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
		b.obs.BusPublished(PublishDropped)
		return
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		b.obs.BusPublished(PublishDropped)
		return
	}
	select {
	case b.out <- outgoing{subject: Subject(b.prefix, topic), data: data}:
	default:
		b.log.Error("natsbus: publish queue full; event dropped", "topic", topic, "queue", cap(b.out))
		b.obs.BusPublished(PublishDropped)
	}
}

// Flush returns once every event published before it has reached the NATS
// server (with a stream: was stored), or with an error when the server
// cannot be reached before ctx ends or an event published since the last
// Flush was lost. A writer that exits after publishing (`ssfgraph ingest`)
// calls it.
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
	if b.js != nil {
		select {
		case <-b.js.PublishAsyncComplete():
		case <-ctx.Done():
			return fmt.Errorf("natsbus: flush: waiting for the stream's acknowledgements: %w", ctx.Err())
		}
	} else if err := flush(ctx, b.nc); err != nil {
		return fmt.Errorf("natsbus: flush to %s: %w", b.url, err)
	}
	if err := b.pubErr.Swap(nil); err != nil {
		return fmt.Errorf("natsbus: flush: an event was lost: %w", *err)
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
	b.jsMu.Lock()
	if b.consumer != nil {
		b.consumer.Stop()
		b.consumer = nil
	}
	b.jsMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = flush(ctx, b.nc) // best effort: the server may be gone
	b.closeConn()
	b.local.Close()
	b.states.Close()
}

// closeConn closes the connection and waits (up to a few seconds) until
// its callbacks have run, so that none logs after Close returns.
func (b *Bus[E]) closeConn() {
	b.nc.Close()
	select {
	case <-b.gone:
	case <-time.After(5 * time.Second):
		b.log.Warn("natsbus: the connection's closing callbacks did not run within 5 s", "url", b.url)
	}
}

// flushTimeout bounds a flush whose context has no deadline.
const flushTimeout = 10 * time.Second

// withDeadline bounds a request whose context has no deadline.
func withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, flushTimeout)
}

// flush waits for the server to have processed everything sent on nc
// (nats.go wants a deadline for it).
func flush(ctx context.Context, nc *nats.Conn) error {
	ctx, cancel := withDeadline(ctx)
	defer cancel()
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
