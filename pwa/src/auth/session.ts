import type { TokenStore, Tokens } from "../api/client";
import { createStore } from "../app/store";
import { database } from "../offline/db";

const SESSION_KEY = "session";

/** The signed-in device's token pair; null when signed out. */
export const session = createStore<Tokens | null>(null);

async function read(): Promise<Tokens | null> {
  return ((await (await database()).get("kv", SESSION_KEY)) as Tokens | undefined) ?? null;
}

export const tokenStore: TokenStore = {
  current: () => session.get(),
  async reload() {
    const tokens = await read();
    session.set(tokens);
    return tokens;
  },
  async save(tokens) {
    const db = await database();
    if (tokens) await db.put("kv", tokens, SESSION_KEY);
    else await db.delete("kv", SESSION_KEY);
    session.set(tokens);
  },
};
