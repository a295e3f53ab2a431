// Package dataload batches and caches the reads of one GraphQL operation,
// so that a nested read costs one round trip per level whatever its size.
//
// A [Loader] gathers the keys that concurrent callers ask for and reads
// them with one [Fetch], caching each answer for the life of the loader.
// A batch closes when no key has joined it for [Limits.Idle], or at the
// latest [Limits.MaxWait] after its first key, or when it holds
// [Limits.MaxKeys] keys.
//
// Timing alone cannot make a level one batch: on a busy machine gqlgen
// starts the resolvers of a list's elements over tens of milliseconds, so
// any window splits a level into several fetches. [Siblings] close that
// gap. The objects that came back together (one batch, one list page) are
// recorded as a group; when a field of one of them is resolved, [Prefetch]
// queues the keys of that field for every member of the group at once, so
// their own loads find their values cached or in flight.
//
// # Why not gqlgen's batch resolvers or dataloadgen
//
// gqlgen v0.17.98 batch resolvers (@goField(batch: true)) hand a resolver
// the parents of one list: graphql.WithBatchParents is called by each list
// marshaller, so Analysis.assessments under six targets is six calls, one
// per target's list of analyses, and the round trips grow with the data.
// They also change the resolvers' signatures and the schema.
//
// github.com/vikstrous/dataloadgen v0.0.10 closes a batch a fixed wait
// after its first key (a goroutine sleeps 16 ms by default), which on a
// busy 2-core machine split the nested read into 14 to 25 round trips
// where sibling prefetch makes 10. It runs a batch with the first caller's
// context, so one cancelled caller fails all the others, and a waiter
// cannot give up on its own context. It has no equivalent of Siblings.
//
// The package depends on the standard library only: the resolver side
// tells [Siblings] which object and field are being resolved (gqlgen's
// graphql.GetFieldContext), so the logic here is tested without gqlgen.
package dataload
