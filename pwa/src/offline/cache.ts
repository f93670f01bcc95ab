import { database } from "./db";

/** Last-fetched server data, kept so every screen has something to show offline. */
export interface Cached<T> {
  value: T;
  savedAt: number;
}

export type CacheName =
  | "profile"
  | "event"
  | "topics"
  | "agenda"
  | "presence"
  | "suggestions"
  | "zoneCounts"
  | "contacts"
  | "requests"
  | "networking"
  | "sharing"
  | "blocks"
  | "pushPreferences"
  | "saved"
  | "rendezvous"
  | "cardQr"
  | "bookmarks";

const key = (name: CacheName) => `cache:${name}`;

export async function readCache<T>(name: CacheName): Promise<Cached<T> | undefined> {
  return (await (await database()).get("kv", key(name))) as Cached<T> | undefined;
}

export async function writeCache<T>(name: CacheName, value: T): Promise<void> {
  await (await database()).put("kv", { value, savedAt: Date.now() } satisfies Cached<T>, key(name));
}

/** Everything personal goes on sign-out or account deletion. */
export async function clearLocalData(): Promise<void> {
  const db = await database();
  const tx = db.transaction(["kv", "outbox"], "readwrite");
  const keys = await tx.objectStore("kv").getAllKeys();
  // Preferences of the device (language, dismissed hints) stay; personal data goes.
  await Promise.all(
    keys.filter((k) => k.startsWith("cache:") || k === "session").map((k) => tx.objectStore("kv").delete(k)),
  );
  await tx.objectStore("outbox").clear();
  await tx.done;
}
