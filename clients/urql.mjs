// urql against ssfgraph: a query, a subscription through subscriptionExchange
// and graphql-ws, and one through the fetchExchange (fetchSubscriptions:
// SSE or multipart, whichever the server answers).

import { Client, cacheExchange, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient } from 'graphql-ws';
import { onEnd, pipe, subscribe } from 'wonka';
import WebSocket from 'ws';
import { bearer, config, describe, liveUpdate, recordingFetch, run } from './lib.mjs';

const fetchOptions = { headers: { Authorization: bearer } };

// client returns an urql Client with the given exchanges before
// fetchExchange, which always asks the network.
function client(exchanges = [], options = {}) {
  return new Client({
    url: config.httpUrl,
    exchanges: [cacheExchange, ...exchanges, fetchExchange],
    fetchOptions,
    requestPolicy: 'network-only',
    ...options,
  });
}

// subscribeWith returns liveUpdate's subscribe for an urql Client.
function subscribeWith(c) {
  return (sink) => {
    const { unsubscribe } = pipe(
      c.subscription(config.subscription, { t: config.targetId }),
      onEnd(sink.complete),
      subscribe(sink.next),
    );
    return unsubscribe;
  };
}

// mutateWith returns liveUpdate's mutate for an urql Client.
function mutateWith(c) {
  return async (variables) => {
    const r = await c.mutation(config.mutation, variables).toPromise();
    if (r.error) throw new Error(describe(r.error));
    return r.data;
  };
}

await run({
  async query() {
    const r = await client().query('query ($t: ID!) { target(id: $t) { id name } }', { t: config.targetId }).toPromise();
    if (r.error) throw new Error(describe(r.error));
    return { target: r.data.target?.id ?? null };
  },

  // subscriptionExchange over the graphql-ws client.
  async ws() {
    const ws = createClient({ url: config.wsUrl, webSocketImpl: WebSocket, connectionParams: { Authorization: bearer }, retryAttempts: 0 });
    const c = client([
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || '' };
          return { subscribe: (sink) => ({ unsubscribe: ws.subscribe(input, sink) }) };
        },
      }),
    ]);
    try {
      return await liveUpdate('urql-ws', subscribeWith(c), mutateWith(c));
    } finally {
      await ws.dispose();
    }
  },

  // fetchSubscriptions: the fetchExchange sends the subscription by POST
  // with Accept "text/event-stream, multipart/mixed".
  async fetch() {
    const rec = recordingFetch();
    const c = client([], { fetchSubscriptions: true, fetch: rec.fetch });
    const live = await liveUpdate('urql-fetch', subscribeWith(c), mutateWith(c));
    return { ...live, exchanges: rec.exchanges };
  },
});
