import { openDB, type DBSchema, type IDBPDatabase } from "idb";

/** A write made on the phone, waiting to reach the server. */
export interface OutboxItem {
  /** Sent as the Idempotency-Key header: the server keeps one result per key, so replays never duplicate. */
  key: string;
  /** Which sender replays it, e.g. "profile" or "checkin". */
  kind: string;
  payload: unknown;
  createdAt: number;
  attempts: number;
  /** Who queued it ("attendee:12"): it is sent for them only, never under someone who signs in later. */
  owner?: string;
}

export interface CouloirSchema extends DBSchema {
  /** The session, preferences and the last-fetched data, each under its own key. */
  kv: { key: string; value: unknown };
  outbox: { key: string; value: OutboxItem; indexes: { createdAt: number } };
}

export type CouloirDB = IDBPDatabase<CouloirSchema>;

export function openCouloirDB(name = "couloir"): Promise<CouloirDB> {
  return openDB<CouloirSchema>(name, 1, {
    upgrade(db) {
      db.createObjectStore("kv");
      db.createObjectStore("outbox", { keyPath: "key" }).createIndex("createdAt", "createdAt");
    },
  });
}

let shared: Promise<CouloirDB> | undefined;

/** The app's database, opened once. */
export function database(): Promise<CouloirDB> {
  shared ??= openCouloirDB();
  return shared;
}
