import createClient from "openapi-fetch";
import { retryAfterMs } from "../offline/backoff";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Tokens = Schemas["TokenPair"];

/** Every API error carries {"error": "ClassName", "detail": ...}; a network failure is `NetworkError`.
 * A 503 (the service is saturated) or a 429 says in `retryAfterMs` when to ask again. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly detail: unknown,
    readonly retryAfterMs?: number,
  ) {
    super(`${status} ${error}`);
  }

  static from(status: number, body: unknown, retryAfter?: string | null): ApiError {
    const shaped = body as { error?: unknown; detail?: unknown } | undefined;
    const name = typeof shaped?.error === "string" ? shaped.error : "HTTPError";
    return new ApiError(status, name, shaped?.detail, retryAfterMs(retryAfter));
  }
}

export const networkError = () => new ApiError(0, "NetworkError", null);

/** Where the signed-in device keeps its token pair. */
export interface TokenStore {
  current(): Tokens | null;
  /** Reads what another tab may have stored since. */
  reload(): Promise<Tokens | null>;
  save(tokens: Tokens | null): Promise<void>;
}

export interface ApiOptions {
  tokens: TokenStore;
  baseUrl?: string;
  fetch?: (request: Request) => Promise<Response>;
  /** Runs refreshes one at a time across tabs: a refresh token works once. */
  exclusive?: <T>(run: () => Promise<T>) => Promise<T>;
  /** A request just worked: a good moment to replay the outbox. */
  onSuccess?: () => void;
  /** The session is gone (expired, signed out elsewhere, account deleted). */
  onSignedOut?: () => void;
}

export function createApi(options: ApiOptions) {
  const { tokens, baseUrl = "" } = options;
  const rawFetch = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const exclusive = options.exclusive ?? (<T>(run: () => Promise<T>) => run());
  const plain = createClient<paths>({ baseUrl, fetch: rawFetch });
  let refreshing: Promise<boolean> | null = null;

  /** Trades the refresh token for a new pair; true when the device is signed in afterwards. */
  function refresh(spent: string): Promise<boolean> {
    refreshing ??= exclusive(async () => {
      const stored = await tokens.reload();
      if (!stored) return false;
      if (stored.access_token !== spent) return true; // another request or tab refreshed already
      const { data, response } = await plain.POST("/api/auth/refresh", {
        body: { refresh_token: stored.refresh_token },
      });
      if (data) {
        await tokens.save(data);
        return true;
      }
      // Refused for good (spent, revoked, malformed): this device is signed out. A 5xx, 408 or 429 is
      // not a verdict on the session, so it stays.
      if (response.status < 500 && response.status !== 408 && response.status !== 429) {
        await tokens.save(null);
        options.onSignedOut?.();
      }
      return false;
    }).finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  function authorize(request: Request): { request: Request; token: string | undefined } {
    const token = tokens.current()?.access_token;
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return { request, token };
  }

  async function authFetch(request: Request): Promise<Response> {
    const retry = request.clone(); // a body can be read once
    const first = authorize(request);
    let response = await rawFetch(first.request);
    if (response.status === 401 && first.token && (await refresh(first.token))) {
      response = await rawFetch(authorize(retry).request);
    }
    if (response.ok) options.onSuccess?.();
    return response;
  }

  return createClient<paths>({ baseUrl, fetch: authFetch });
}

export type Api = ReturnType<typeof createApi>;

/** The data of an openapi-fetch result, or its error as an ApiError. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch {
    throw networkError();
  }
  if (result.response.ok) return result.data as T;
  throw ApiError.from(result.response.status, result.error, result.response.headers?.get("Retry-After"));
}
