import { backoffDelay, retryAfterMs } from "./backoff";
import type { CouloirDB, OutboxItem } from "./db";

/** What a sender got back: openapi-fetch's result shape. A network failure is a thrown error instead. */
export interface SendResult {
  response: { status: number; headers?: { get(name: string): string | null } };
  data?: unknown;
  error?: unknown;
}

/** Replays one kind of write; `key` goes out as the Idempotency-Key header. */
export type Sender = (payload: unknown, key: string) => Promise<SendResult>;

/** A write the server refused for good (a 4xx): shown to the person, then forgotten. */
export interface Dropped {
  item: OutboxItem;
  status: number;
  error: unknown;
}

export interface OutboxState {
  pending: number;
  dropped: Dropped[];
}

export type Outcome =
  | { state: "sent"; data: unknown }
  | { state: "pending" }
  | { state: "dropped"; status: number; error: unknown };

export interface OutboxOptions {
  db: () => Promise<CouloirDB>;
  senders: Record<string, Sender>;
  /** Runs the replay alone across tabs (Web Locks where the browser has them). */
  exclusive?: (run: () => Promise<void>) => Promise<void>;
  /** Retry later when the network is flaky but no `online` event will come. */
  schedule?: (retry: () => void, delayMs: number) => void;
  newKey?: () => string;
  /** Who is signed in now ("attendee:12"), if anyone. */
  owner?: () => string | undefined;
  /** Spreads the retries (tests pin it). */
  random?: () => number;
}

const FIRST_RETRY_MS = 5_000;

/** Kept for a later replay: the network, the server, a timeout, a rate limit, or an expired session
 * (the write is fine; signing in again replays it). Every other 4xx means the write itself is refused. */
export function isRetryable(status: number): boolean {
  return status >= 500 || status === 401 || status === 408 || status === 429;
}

export function createOutbox(options: OutboxOptions) {
  const { db, senders } = options;
  const exclusive = options.exclusive ?? ((run) => run());
  const newKey = options.newKey ?? (() => crypto.randomUUID());
  const listeners = new Set<(state: OutboxState) => void>();
  const awaited = new Map<string, Outcome>();
  let state: OutboxState = { pending: 0, dropped: [] };
  let running: Promise<void> | null = null;
  let again = false;
  let lastCreated = 0;

  function publish(next: Partial<OutboxState>) {
    state = { ...state, ...next };
    for (const listener of listeners) listener(state);
  }

  async function recount() {
    publish({ pending: await (await db()).count("outbox") });
  }

  function settle(item: OutboxItem, outcome: Outcome) {
    if (awaited.has(item.key)) awaited.set(item.key, outcome);
  }

  /** Sends what can be sent, oldest first; stops at the first retryable failure so order holds.
   * Says whether it stopped so. */
  async function drain(): Promise<boolean> {
    const store = await db();
    for (const item of await store.getAllFromIndex("outbox", "createdAt")) {
      const send = senders[item.kind];
      if (!send) continue; // its API is not there yet: the write waits
      const signedIn = options.owner?.();
      if (item.owner && signedIn && item.owner !== signedIn) {
        // Queued by someone else on this phone: it must never go out under this account.
        await store.delete("outbox", item.key);
        await recount();
        continue;
      }
      // Another tab may have sent it while we waited for the lock.
      if (!(await store.get("outbox", item.key))) continue;
      let result: SendResult | undefined;
      try {
        result = await send(item.payload, item.key);
      } catch {
        result = undefined; // offline or the connection dropped
      }
      const status = result?.response.status ?? 0;
      if (!result || isRetryable(status)) {
        const attempts = item.attempts + 1;
        await store.put("outbox", { ...item, attempts });
        // Never before the server's Retry-After (503 when it is saturated, 429), and with jitter.
        const asked = retryAfterMs(result?.response.headers?.get("Retry-After"));
        const delay = backoffDelay(attempts, { baseMs: FIRST_RETRY_MS, retryAfterMs: asked, random: options.random });
        options.schedule?.(() => void replay(), delay);
        return true;
      }
      await store.delete("outbox", item.key);
      if (status < 400) {
        settle(item, { state: "sent", data: result.data });
      } else if (awaited.has(item.key)) {
        settle(item, { state: "dropped", status, error: result.error }); // its screen shows the error
      } else {
        publish({ dropped: [...state.dropped, { item, status, error: result.error }] });
      }
      await recount();
    }
    return false;
  }

  /** Replays the outbox; calls made while a replay runs fold into one more pass, unless the network
   * just failed: then the scheduled retry (or the next trigger) comes back, not a burst of requests. */
  function replay(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        let blocked = false;
        do {
          again = false;
          await exclusive(async () => {
            blocked = await drain();
          });
        } while (again && !blocked);
      } finally {
        running = null;
        await recount();
      }
    })();
    return running;
  }

  async function add(kind: string, payload: unknown): Promise<OutboxItem> {
    lastCreated = Math.max(Date.now(), lastCreated + 1); // two writes in one millisecond keep their order
    const item: OutboxItem = { key: newKey(), kind, payload, createdAt: lastCreated, attempts: 0, owner: options.owner?.() };
    await (await db()).put("outbox", item);
    await recount();
    return item;
  }

  return {
    get state() {
      return state;
    },
    subscribe(listener: (state: OutboxState) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    replay,
    recount,
    /** Queues a write and replays in the background. */
    async enqueue(kind: string, payload: unknown): Promise<OutboxItem> {
      const item = await add(kind, payload);
      void replay();
      return item;
    },
    /** Queues a write, replays now, and says what became of it: sent, still pending, or refused. */
    async submit(kind: string, payload: unknown): Promise<Outcome> {
      const item = await add(kind, payload);
      awaited.set(item.key, { state: "pending" });
      try {
        await replay();
        return awaited.get(item.key) ?? { state: "pending" };
      } finally {
        awaited.delete(item.key);
      }
    },
    async pendingOf(kind: string): Promise<OutboxItem[]> {
      return (await (await db()).getAllFromIndex("outbox", "createdAt")).filter((item) => item.kind === kind);
    },
    dismiss(key: string) {
      publish({ dropped: state.dropped.filter((d) => d.item.key !== key) });
    },
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
