// Shared by the client scripts: the configuration resolvers/clients_test.go
// writes, the JSON-lines report it reads, and the one procedure every live
// subscription follows.

import { readFileSync } from 'node:fs';

// config is the test's JSON configuration (the file named by the first
// argument): URLs, tokens, ids, the subscription and the mutation.
export const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

// stepTimeout is how long one step may take before it reports a failure.
const stepTimeout = 45_000;

// run runs the named steps (config.steps, or all of them) one after the
// other and prints one JSON line per step: {"step", "ok", ...its result}
// or {"step", "ok": false, "error"}. Then it exits, whatever handles the
// clients left open.
export async function run(steps) {
  const names = config.steps ?? Object.keys(steps);
  for (const name of names) {
    const fn = steps[name];
    if (!fn) {
      emit({ step: name, ok: false, error: `no step ${name}` });
      continue;
    }
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`step ${name} took over ${stepTimeout} ms`)), stepTimeout);
    });
    try {
      const result = await Promise.race([fn(), timeout]);
      emit({ step: name, ok: true, ...result });
    } catch (err) {
      emit({ step: name, ok: false, error: describe(err) });
    } finally {
      clearTimeout(timer);
    }
  }
  process.exit(0);
}

function emit(line) {
  process.stdout.write(JSON.stringify(line) + '\n');
}

// describe turns anything thrown (an Error, a CloseEvent, a list of
// GraphQL errors) into a readable string.
export function describe(err) {
  if (err instanceof Error) {
    const errors = err.errors ?? err.graphQLErrors;
    return errors?.length ? `${err.name}: ${JSON.stringify(errors)}` : `${err.name}: ${err.message}`;
  }
  if (Array.isArray(err)) return JSON.stringify(err);
  if (err && typeof err === 'object' && 'code' in err) return `closed ${err.code} ${err.reason ?? ''}`;
  return String(err);
}

// Events is a queue of a subscription's results that a step awaits one by
// one.
export class Events {
  #items = [];
  #waiters = [];
  #end = null;
  #ended;
  #resolveEnded;

  constructor() {
    this.#ended = new Promise((r) => (this.#resolveEnded = r));
  }

  // ended resolves to "complete" or "error: …" when the stream ends.
  get ended() {
    return this.#ended;
  }

  // sink is what a client's subscribe takes: next, error and complete.
  sink() {
    return {
      next: (v) => this.#push({ value: v }),
      error: (e) => {
        this.#resolveEnded(`error: ${describe(e)}`);
        this.#finish(e instanceof Error ? e : new Error(describe(e)));
      },
      complete: () => {
        this.#resolveEnded('complete');
        this.#finish(new Error('the server completed the subscription before the event awaited'));
      },
    };
  }

  #push(item) {
    // On stderr, which the test shows when the step fails.
    const { data, errors, error } = item.value ?? {};
    console.error(`event: ${JSON.stringify({ data, errors: errors ?? error?.message }).slice(0, 400)}`);
    const w = this.#waiters.shift();
    if (w) w(item);
    else this.#items.push(item);
  }

  #finish(err) {
    console.error(`end: ${err.message}`);
    this.#end ??= err;
    for (const w of this.#waiters.splice(0)) w({ error: err });
  }

  // next resolves to the next result's data; it rejects when the result
  // carries errors or the stream ends first.
  async next() {
    const item = this.#items.shift() ?? (this.#end ? { error: this.#end } : await new Promise((r) => this.#waiters.push(r)));
    if (item.error) throw item.error;
    const v = item.value;
    const errors = v.errors ?? v.error?.graphQLErrors;
    if (errors?.length || v.error) throw new Error(`an event with errors: ${describe(v.error ?? errors)}`);
    if (!v.data) throw new Error(`an event without data: ${JSON.stringify(v)}`);
    return v.data;
  }
}

let created = 0;

// createVariables returns the variables of config.mutation: the target and
// a new analysis id under the test's prefix (so that the test's clean-up
// deletes it).
export function createVariables(tag) {
  created++;
  return { t: config.targetId, id: `${config.idPrefix}${tag}-${created}`, title: `Made by ${tag}` };
}

// liveUpdate is what every live subscription step checks. subscribe starts
// config.subscription with the sink of an Events and returns its
// unsubscribe function; mutate makes config.mutation with the variables it
// is given and resolves to its data. liveUpdate awaits the first
// comparison, makes the mutation, awaits the comparison that includes the
// analysis it created, unsubscribes, and reports both revisions and what
// the update compared.
export async function liveUpdate(tag, subscribe, mutate, events = new Events()) {
  const unsubscribe = await subscribe(events.sink());
  try {
    const first = (await events.next()).comparisonUpdated;
    const vars = createVariables(tag);
    const data = await mutate(vars);
    const createdId = data?.createAnalysis?.id;
    if (createdId !== vars.id) throw new Error(`the mutation answered ${JSON.stringify(data)}`);
    for (;;) {
      const ev = (await events.next()).comparisonUpdated;
      const ids = ev.analyses.map((a) => a.analysis.id);
      if (ids.includes(createdId)) {
        return { firstRevision: first.revision, liveRevision: ev.revision, created: createdId, liveAnalyses: ids };
      }
    }
  } finally {
    await unsubscribe();
  }
}

// bearer is the Authorization header value of config.token.
export const bearer = `Bearer ${config.token}`;

// recordingFetch returns a fetch that records, per request, the Accept
// header it sent and the Content-Type the server answered with.
export function recordingFetch() {
  const exchanges = [];
  const recorded = async (url, init) => {
    const res = await fetch(url, init);
    exchanges.push({ accept: new Headers(init?.headers).get('accept'), contentType: res.headers.get('content-type') });
    return res;
  };
  return { fetch: recorded, exchanges };
}
