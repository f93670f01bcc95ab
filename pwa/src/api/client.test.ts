import { describe, expect, it, vi } from "vitest";
import { ApiError, createApi, unwrap, type TokenStore, type Tokens } from "./client";

const pair = (n: number): Tokens => ({
  access_token: `access-${n}`,
  refresh_token: `refresh-${n}`,
  token_type: "bearer",
  expires_in: 1800,
  subject_kind: "attendee",
  subject_id: 1,
  event_id: 1,
});

function memoryTokens(initial: Tokens | null): TokenStore & { value: Tokens | null } {
  const store = {
    value: initial,
    current: () => store.value,
    reload: async () => store.value,
    save: async (tokens: Tokens | null) => {
      store.value = tokens;
    },
  };
  return store;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

/** A fake server whose access tokens are valid only from `validAccess` on. */
function fakeServer(validAccess: string) {
  const seen: { path: string; auth: string | null; body: string }[] = [];
  let refreshes = 0;
  const fetch = vi.fn(async (request: Request) => {
    const path = new URL(request.url).pathname;
    seen.push({ path, auth: request.headers.get("Authorization"), body: await request.text() });
    if (path === "/api/auth/refresh") {
      refreshes += 1;
      return refreshes === 1 ? json(200, pair(2)) : json(401, { error: "NotAuthenticated", detail: "spent" });
    }
    if (request.headers.get("Authorization") !== `Bearer ${validAccess}`) {
      return json(401, { error: "NotAuthenticated", detail: "expired" });
    }
    return json(200, { display_name: "Camille" });
  });
  return { fetch, seen, refreshes: () => refreshes };
}

const baseUrl = "http://couloir.test";

describe("api client", () => {
  it("sends the access token", async () => {
    const server = fakeServer("access-1");
    const api = createApi({ baseUrl, tokens: memoryTokens(pair(1)), fetch: server.fetch });
    await unwrap(api.GET("/api/me"));
    expect(server.seen[0]?.auth).toBe("Bearer access-1");
  });

  it("refreshes once on a 401 and retries the request with its body", async () => {
    const server = fakeServer("access-2");
    const tokens = memoryTokens(pair(1));
    const onSuccess = vi.fn();
    const api = createApi({ baseUrl, tokens, fetch: server.fetch, onSuccess });
    const profile = await unwrap(api.PATCH("/api/me", { body: { goals: ["learn"] } }));
    expect(profile).toEqual({ display_name: "Camille" });
    expect(tokens.value?.access_token).toBe("access-2");
    expect(server.seen.map((s) => s.path)).toEqual(["/api/me", "/api/auth/refresh", "/api/me"]);
    expect(server.seen[2]?.body).toBe('{"goals":["learn"]}');
    expect(onSuccess).toHaveBeenCalledTimes(1);
  });

  it("shares one refresh between requests that fail together", async () => {
    const server = fakeServer("access-2");
    const api = createApi({ baseUrl, tokens: memoryTokens(pair(1)), fetch: server.fetch });
    await Promise.all([unwrap(api.GET("/api/me")), unwrap(api.GET("/api/me")), unwrap(api.GET("/api/me"))]);
    expect(server.refreshes()).toBe(1);
  });

  it("does not spend the refresh token again when a late 401 comes back after a refresh", async () => {
    let refreshDone!: () => void;
    const afterRefresh = new Promise<void>((resolve) => (refreshDone = resolve));
    let refused = 0;
    let refreshes = 0;
    const fetch = async (request: Request) => {
      if (new URL(request.url).pathname === "/api/auth/refresh") {
        refreshes += 1;
        refreshDone();
        return json(200, pair(2));
      }
      if (request.headers.get("Authorization") === "Bearer access-2") return json(200, {});
      if (++refused === 2) {
        await afterRefresh; // the slow request left with the old token and answers late
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return json(401, { error: "NotAuthenticated", detail: "expired" });
    };
    const api = createApi({ baseUrl, tokens: memoryTokens(pair(1)), fetch });
    await Promise.all([unwrap(api.GET("/api/me")), unwrap(api.GET("/api/me"))]);
    expect(refreshes).toBe(1);
  });

  it("signs out when the refresh token is refused", async () => {
    const server = fakeServer("never");
    const tokens = memoryTokens(pair(1));
    const onSignedOut = vi.fn();
    const api = createApi({ baseUrl, tokens, fetch: server.fetch, onSignedOut });
    // The first refresh works but the account is gone: the new token is refused too.
    await expect(unwrap(api.GET("/api/me"))).rejects.toMatchObject({ status: 401 });
    expect(onSignedOut).not.toHaveBeenCalled();
    // The next refresh is refused: the device is signed out.
    await expect(unwrap(api.GET("/api/me"))).rejects.toMatchObject({ status: 401, error: "NotAuthenticated" });
    expect(tokens.value).toBeNull();
    expect(onSignedOut).toHaveBeenCalledTimes(1);
  });

  it("surfaces the API's error shape", async () => {
    const fetch = async () => json(409, { error: "EmailAlreadyJoined", detail: "use the link" });
    const api = createApi({ baseUrl, tokens: memoryTokens(null), fetch });
    const error = await unwrap(api.POST("/api/join", { body: { join_code: "ABCD", display_name: "C" } })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, error: "EmailAlreadyJoined", detail: "use the link" });
  });

  it("reports a network failure as NetworkError", async () => {
    const fetch = async () => {
      throw new TypeError("Failed to fetch");
    };
    const api = createApi({ baseUrl, tokens: memoryTokens(null), fetch });
    await expect(unwrap(api.GET("/api/health"))).rejects.toMatchObject({ status: 0, error: "NetworkError" });
  });
});
