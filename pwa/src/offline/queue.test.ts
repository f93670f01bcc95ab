import "fake-indexeddb/auto";
import { beforeEach, describe, expect, it } from "vitest";
import { openCouloirDB, type CouloirDB } from "./db";
import { createOutbox, type Sender, type SendResult } from "./queue";

let dbName = 0;
let db: Promise<CouloirDB>;

beforeEach(() => {
  db = openCouloirDB(`outbox-test-${++dbName}`);
});

const ok = (data: unknown = {}): SendResult => ({ response: { status: 200 }, data });
const fail = (status: number, error: unknown = { error: "X", detail: "no" }): SendResult => ({
  response: { status },
  error,
});

/** A fake server that records every Idempotency-Key it receives. */
function recorder(answer: (payload: unknown, key: string) => SendResult | Promise<SendResult> = () => ok()) {
  const calls: { payload: unknown; key: string }[] = [];
  const send: Sender = async (payload, key) => {
    calls.push({ payload, key });
    return answer(payload, key);
  };
  return { calls, send };
}

function keys(n = 0) {
  return () => `key-${++n}`;
}

describe("outbox", () => {
  it("sends a write with its idempotency key and empties", async () => {
    const server = recorder();
    const outbox = createOutbox({ db: () => db, senders: { checkin: server.send }, newKey: keys() });
    await outbox.enqueue("checkin", { token: "abc" });
    await outbox.replay();
    expect(server.calls).toEqual([{ payload: { token: "abc" }, key: "key-1" }]);
    expect(outbox.state.pending).toBe(0);
  });

  it("never sends a write queued by someone else under the account signed in now", async () => {
    const server = recorder();
    let owner = "attendee:1";
    const outbox = createOutbox({ db: () => db, senders: { profile: server.send }, newKey: keys(), owner: () => owner });
    const offline = createOutbox({ db: () => db, senders: {}, newKey: keys(10), owner: () => owner });
    await offline.enqueue("profile", { interests: ["eBPF"] }); // no sender: stays queued
    owner = "attendee:2";
    await outbox.enqueue("profile", { interests: ["Rust"] });
    await outbox.replay();
    expect(server.calls).toEqual([{ payload: { interests: ["Rust"] }, key: "key-1" }]);
    expect(outbox.state.pending).toBe(0);
  });

  it("uses a random UUID per write by default", async () => {
    const outbox = createOutbox({ db: () => db, senders: {} });
    const a = await outbox.enqueue("checkin", {});
    const b = await outbox.enqueue("checkin", {});
    expect(a.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.key).not.toBe(b.key);
  });

  it("keeps a write on a network failure and replays it later with the same key", async () => {
    let online = false;
    const server = recorder(() => {
      if (!online) throw new TypeError("Failed to fetch");
      return ok();
    });
    const outbox = createOutbox({ db: () => db, senders: { checkin: server.send }, newKey: keys() });
    await outbox.enqueue("checkin", { token: "abc" });
    await outbox.replay();
    expect(outbox.state.pending).toBe(1);
    expect((await outbox.pendingOf("checkin"))[0]?.attempts).toBe(1);

    online = true;
    await outbox.replay();
    expect(outbox.state.pending).toBe(0);
    expect(server.calls.map((c) => c.key)).toEqual(["key-1", "key-1"]);
  });

  it.each([500, 502, 503, 408, 429, 401])("keeps a write answered %i", async (status) => {
    const outbox = createOutbox({ db: () => db, senders: { checkin: recorder(() => fail(status)).send } });
    await outbox.enqueue("checkin", {});
    await outbox.replay();
    expect(outbox.state.pending).toBe(1);
    expect(outbox.state.dropped).toEqual([]);
  });

  it.each([400, 403, 404, 409, 422])("drops a write refused with %i and shows why", async (status) => {
    const error = { error: "InvalidInput", detail: "unknown zone" };
    const outbox = createOutbox({ db: () => db, senders: { checkin: recorder(() => fail(status, error)).send } });
    await outbox.enqueue("checkin", { token: "old" });
    await outbox.replay();
    expect(outbox.state.pending).toBe(0);
    expect(outbox.state.dropped).toHaveLength(1);
    expect(outbox.state.dropped[0]).toMatchObject({ status, error, item: { payload: { token: "old" } } });

    outbox.dismiss(outbox.state.dropped[0]!.item.key);
    expect(outbox.state.dropped).toEqual([]);
  });

  it("replays oldest first and stops at the first retryable failure, keeping the order", async () => {
    const server = recorder((payload) => ((payload as { n: number }).n === 2 ? fail(503) : ok()));
    const outbox = createOutbox({ db: () => db, senders: { note: server.send } });
    for (const n of [1, 2, 3]) {
      await outbox.enqueue("note", { n });
      await outbox.replay();
    }
    expect(server.calls.map((c) => c.payload)).toEqual([{ n: 1 }, { n: 2 }, { n: 2 }]);
    expect((await outbox.pendingOf("note")).map((item) => item.payload)).toEqual([{ n: 2 }, { n: 3 }]);
  });

  it("never sends a write twice when replays overlap", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const server = recorder(async () => {
      await gate;
      return ok();
    });
    const outbox = createOutbox({ db: () => db, senders: { checkin: server.send } });
    await outbox.enqueue("checkin", { n: 1 });
    await outbox.enqueue("checkin", { n: 2 });
    const runs = [outbox.replay(), outbox.replay(), outbox.replay()];
    release();
    await Promise.all(runs);
    await outbox.replay();
    expect(server.calls.map((c) => c.payload)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it("never sends a write twice from two tabs sharing the outbox under a lock", async () => {
    let chain = Promise.resolve();
    const lock = (run: () => Promise<void>) => {
      const next = chain.then(run);
      chain = next.catch(() => undefined);
      return next;
    };
    const server = recorder();
    const tabA = createOutbox({ db: () => db, senders: { checkin: server.send }, exclusive: lock });
    const tabB = createOutbox({ db: () => db, senders: { checkin: server.send }, exclusive: lock });
    await tabA.enqueue("checkin", { n: 1 });
    await tabA.enqueue("checkin", { n: 2 });
    await Promise.all([tabA.replay(), tabB.replay()]);
    expect(server.calls.map((c) => c.payload)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it("holds writes whose API does not exist yet, without blocking the others", async () => {
    const server = recorder();
    const outbox = createOutbox({ db: () => db, senders: { profile: server.send } });
    await outbox.enqueue("checkin", { token: "zone" });
    await outbox.enqueue("profile", { goals: ["learn"] });
    await outbox.replay();
    expect(server.calls.map((c) => c.payload)).toEqual([{ goals: ["learn"] }]);
    expect(outbox.state.pending).toBe(1);
    expect((await outbox.pendingOf("checkin"))[0]?.payload).toEqual({ token: "zone" });
  });

  it("survives a restart: a new app instance replays what the last one left", async () => {
    const offline = createOutbox({
      db: () => db,
      senders: { checkin: recorder(() => Promise.reject(new TypeError("offline"))).send },
      newKey: keys(),
    });
    await offline.enqueue("checkin", { token: "t" });
    await offline.replay();

    const server = recorder();
    const restarted = createOutbox({ db: () => db, senders: { checkin: server.send } });
    await restarted.recount();
    expect(restarted.state.pending).toBe(1);
    await restarted.replay();
    expect(server.calls).toEqual([{ payload: { token: "t" }, key: "key-1" }]);
    expect(restarted.state.pending).toBe(0);
  });

  it("submit says what became of the write", async () => {
    let status = 200;
    const server = recorder(() => (status === 200 ? ok({ id: 7 }) : fail(status)));
    const outbox = createOutbox({ db: () => db, senders: { profile: server.send } });

    expect(await outbox.submit("profile", {})).toEqual({ state: "sent", data: { id: 7 } });
    status = 503;
    expect(await outbox.submit("profile", {})).toEqual({ state: "pending" });
    status = 422;
    await outbox.replay(); // the pending one is refused now: dropped, and listed for the person
    expect(outbox.state.dropped).toHaveLength(1);
    const refused = await outbox.submit("profile", {});
    expect(refused).toMatchObject({ state: "dropped", status: 422 });
    // The screen that submitted shows that error itself: not listed twice.
    expect(outbox.state.dropped).toHaveLength(1);
  });

  it("schedules a retry with a growing delay after a failure", async () => {
    const delays: number[] = [];
    const outbox = createOutbox({
      db: () => db,
      senders: { checkin: recorder(() => fail(503)).send },
      schedule: (_retry, ms) => delays.push(ms),
      random: () => 0,
    });
    await outbox.enqueue("checkin", {});
    await outbox.replay();
    await outbox.replay();
    await outbox.replay();
    expect(delays).toEqual([5_000, 10_000, 20_000]);
  });

  it("waits at least the server's Retry-After, spread at random, and keeps the write with its key", async () => {
    const delays: number[] = [];
    const busy = (): SendResult => ({ response: { status: 503, headers: new Headers({ "Retry-After": "30" }) } });
    const server = recorder(busy);
    const outbox = createOutbox({
      db: () => db,
      senders: { checkin: server.send },
      schedule: (_retry, ms) => delays.push(ms),
      newKey: keys(),
      random: () => 1,
    });
    await outbox.enqueue("checkin", { token: "abc" });
    await outbox.replay();
    expect(delays).toEqual([45_000]); // 30 s asked, up to half again at random
    expect(outbox.state.pending).toBe(1);
    await outbox.replay();
    expect(server.calls.map((c) => c.key)).toEqual(["key-1", "key-1"]);
  });

  it("tells listeners the pending count", async () => {
    const seen: number[] = [];
    const outbox = createOutbox({ db: () => db, senders: {} });
    outbox.subscribe((state) => seen.push(state.pending));
    await outbox.enqueue("checkin", {});
    await outbox.enqueue("checkin", {});
    expect(seen.at(-1)).toBe(2);
  });
});
