package resolvers

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/live"
	"github.com/ssfgraph/ssfgraph/metrics"
)

// A comparison event goes to every subscriber of its target, and many of
// them ask the same: a committee's page open in many browsers is one user
// or one organization's users with one query. Executing the selection once
// per subscriber made the fan-out of one change to 1,000 subscribers of
// the comparison page's selection take seconds of CPU; an eventGate and
// the process's sharedAnswers let the subscribers whose answer is bound to
// be the same (same snapshot, same view of it, same principal, same
// operation and variables) share one execution and its JSON.
//
// The protocol, per subscription: the resolver (comparisonUpdated)
// offers each event's shareKey to the gate and waits; the response
// middleware (sharedAnswers.middleware), which the transport calls once per event,
// takes the key, and either tells the resolver to deliver the event to
// gqlgen (a first or unshareable execution, whose answer it then keeps)
// or to drop it (an answer kept already, which it returns instead).

// shareKey names what one subscription event's answer depends on.
type shareKey struct {
	snap      *live.Snapshot // the comparison's snapshot (immutable)
	view      string         // the analyses it compares and the metric
	asker     asker          // who asks
	operation string         // the document, operation name and variables
}

// eventGate carries one subscription's events' keys from its resolver to
// the response middleware. It is made per subscription operation.
type eventGate struct {
	on       atomic.Bool // the resolver offers its events
	keys     chan shareKey
	decision chan bool
	ended    chan struct{} // closed by end
}

type eventGateKey struct{}

// withEventGate returns ctx with a gate for a subscription operation.
func withEventGate(ctx context.Context) context.Context {
	return context.WithValue(ctx, eventGateKey{}, &eventGate{keys: make(chan shareKey), decision: make(chan bool), ended: make(chan struct{})})
}

// gateFrom returns the operation's gate, or nil.
func gateFrom(ctx context.Context) *eventGate {
	g, _ := ctx.Value(eventGateKey{}).(*eventGate)
	return g
}

// open tells the gate that the resolver will offer every event; it
// returns false when the operation has no gate.
func (g *eventGate) open() bool {
	if g == nil {
		return false
	}
	g.on.Store(true)
	return true
}

// isOpen reports whether the resolver offers its events.
func (g *eventGate) isOpen() bool { return g != nil && g.on.Load() }

// end tells the middleware that no more events come (the resolver's
// channel closes next). The resolver calls it once, when it stops.
func (g *eventGate) end() { close(g.ended) }

// offer hands the middleware an event's key and returns whether to deliver
// the event to gqlgen; false also when ctx ended.
func (g *eventGate) offer(ctx context.Context, k shareKey) bool {
	select {
	case g.keys <- k:
	case <-ctx.Done():
		return false
	}
	select {
	case deliver := <-g.decision:
		return deliver
	case <-ctx.Done():
		return false
	}
}

// decide tells the resolver, which waits for it in offer, whether to
// deliver its event.
func (g *eventGate) decide(ctx context.Context, deliver bool) {
	select {
	case g.decision <- deliver:
	case <-ctx.Done():
	}
}

// sharedAnswers keeps the answers of recent subscription events for the
// subscribers that ask the same. Its methods are safe for concurrent use.
type sharedAnswers struct {
	metrics *metrics.Metrics // counts the answers shared and executed

	mu      sync.Mutex
	answers map[shareKey]*sharedAnswer
	swept   time.Time // when answers older than keepAnswers were last dropped
}

// sharedAnswer is one execution's answer; done closes when resp is set
// (nil when it is not to be shared: it failed).
type sharedAnswer struct {
	done chan struct{}
	at   time.Time
	resp *graphql.Response
}

// keepAnswers is how long an answer is kept: the fan-out of one event
// takes well under it, and a newer snapshot has other keys anyway.
const keepAnswers = 5 * time.Second

// middleware is the response middleware of a subscription whose resolver
// opened its gate: it answers each event from a shared answer when there
// is one (or one being made), else executes it and shares the answer.
func (s *sharedAnswers) middleware(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	g := gateFrom(ctx)
	if !g.isOpen() {
		return next(ctx)
	}
	var k shareKey
	select {
	case k = <-g.keys:
	case <-g.ended:
		return next(ctx) // gqlgen sees the closed channel and ends
	case <-ctx.Done():
		return next(ctx)
	}
	a, mine := s.claim(k)
	if !mine {
		select {
		case <-a.done: // resp is set
			if a.resp != nil {
				g.decide(ctx, false)
				s.metrics.SubscriptionEvent(true)
				out := *a.resp // its data is shared: transports only read it
				return &out
			}
		case <-ctx.Done():
		}
	}
	g.decide(ctx, true)
	resp := next(ctx)
	if resp != nil {
		s.metrics.SubscriptionEvent(false)
	}
	if mine {
		if resp != nil && len(resp.Errors) == 0 {
			a.resp = copyAnswer(resp) // the generated code reuses its buffer
		}
		close(a.done)
	}
	return resp
}

// claim returns the answer for k and whether the caller is to make it.
func (s *sharedAnswers) claim(k shareKey) (*sharedAnswer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if a, ok := s.answers[k]; ok && now.Sub(a.at) < keepAnswers {
		select {
		case <-a.done:
			if a.resp == nil {
				break // failed: make it again
			}
			return a, false
		default:
			return a, false
		}
	}
	if s.answers == nil {
		s.answers = map[shareKey]*sharedAnswer{}
	}
	if now.Sub(s.swept) >= keepAnswers {
		s.swept = now
		for key, a := range s.answers {
			if now.Sub(a.at) >= keepAnswers {
				delete(s.answers, key)
			}
		}
	}
	a := &sharedAnswer{done: make(chan struct{}), at: now}
	s.answers[k] = a
	return a, true
}

// copyAnswer returns a response with a copy of resp's data, to keep.
func copyAnswer(resp *graphql.Response) *graphql.Response {
	out := *resp
	out.Data = append(json.RawMessage(nil), resp.Data...)
	return &out
}

// operationKey names the operation of ctx and its variables.
func operationKey(ctx context.Context) string {
	oc := graphql.GetOperationContext(ctx)
	vars, _ := json.Marshal(oc.Variables) // maps marshal sorted
	return oc.OperationName + "\x00" + oc.RawQuery + "\x00" + string(vars)
}

// asker is what visibility rests on of who asks: the principal but for
// its token, which does not change what it may see.
type asker struct {
	user, organization, sector string
	role                       model.Role
}

// askerOf returns the asker that p stands for (the zero asker for nobody).
func askerOf(p *model.Principal) asker {
	if p == nil {
		return asker{}
	}
	return asker{user: p.UserID, organization: p.OrganizationID, sector: p.Sector, role: p.Role}
}

// gateSubscriptions is the operation middleware that gives each
// subscription operation its gate.
func gateSubscriptions(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if oc := graphql.GetOperationContext(ctx); oc != nil && oc.Operation != nil && oc.Operation.Operation == ast.Subscription {
		ctx = withEventGate(ctx)
	}
	return next(ctx)
}
