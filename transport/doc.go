// Package transport speaks GraphQL on the wire the way off-the-shelf
// clients expect: GraphQL over HTTP (the GraphQL Foundation's spec, with
// application/json and application/graphql-response+json), subscriptions
// over Server-Sent Events (graphql-sse's distinct-connections mode) and
// multipart/mixed (Apollo's subscriptionSpec=1.0), and websockets
// (graphql-transport-ws and the legacy graphql-ws). Each transport is a
// gqlgen graphql.Transport: it decodes a request, runs it through the
// executor and writes the answer; what an operation may do is not its
// business.
package transport
