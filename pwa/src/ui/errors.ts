import { ApiError } from "../api/client";
import type { MessageKey } from "../i18n";

const BY_NAME: Record<string, MessageKey> = {
  NetworkError: "error.network",
  NotAuthenticated: "error.NotAuthenticated",
  NotFound: "error.NotFound",
  Conflict: "error.Conflict",
  InvalidInput: "error.InvalidInput",
  TooManyRequests: "error.TooManyRequests",
};

/** The person's words for an API error; a screen may say it better for its own cases. */
export function errorMessage<Key extends string = MessageKey>(
  t: (key: Key | MessageKey) => string,
  error: unknown,
  specific: Record<string, Key> = {},
): string {
  if (!(error instanceof ApiError)) return t("error.generic");
  const key = specific[error.error] ?? BY_NAME[error.error] ?? (error.status === 0 ? "error.network" : undefined);
  return t(key ?? "error.generic");
}

/** The body fields a 422 refused, as the server names them (display_name, email…). */
export function refusedFields(error: unknown): string[] {
  if (!(error instanceof ApiError) || error.status !== 422 || !Array.isArray(error.detail)) return [];
  return (error.detail as { loc?: unknown[] }[]).map(({ loc = [] }) => String(loc.filter((part) => part !== "body")[0] ?? ""));
}
