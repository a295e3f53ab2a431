// The graphql-sse client against ssfgraph, in distinct-connections mode: one
// POST per operation with Accept: text/event-stream.

import { createClient } from 'graphql-sse';
import { bearer, config, describe, liveUpdate, recordingFetch, run } from './lib.mjs';

// mutate makes config.mutation as a plain GraphQL-over-HTTP POST.
async function mutate(variables) {
  const res = await fetch(config.httpUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json', Authorization: bearer },
    body: JSON.stringify({ query: config.mutation, variables }),
  });
  const body = await res.json();
  if (body.errors?.length) throw new Error(`HTTP ${res.status}: ${describe(body.errors)}`);
  return body.data;
}

await run({
  async distinct() {
    const rec = recordingFetch();
    const client = createClient({
      url: config.httpUrl,
      singleConnection: false,
      headers: { Authorization: bearer },
      retryAttempts: 0,
      fetchFn: rec.fetch,
    });
    try {
      const live = await liveUpdate(
        'sse',
        (sink) => client.subscribe({ query: config.subscription, variables: { t: config.targetId } }, sink),
        mutate,
      );
      return { ...live, exchanges: rec.exchanges };
    } finally {
      client.dispose();
    }
  },
});
