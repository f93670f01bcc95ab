import { ApiError } from "../../api/client";
import type { MessageKey, Translate } from "../../i18n";
import { errorMessage } from "../../ui/errors";

interface FieldProblem {
  loc?: unknown[];
  msg?: string;
}

/** The person's words for a failed write, followed by the fields the server named and what is wrong. */
export function formError(t: Translate, error: unknown, specific: Record<string, MessageKey> = {}): string {
  const message = errorMessage(t, error, specific);
  if (!(error instanceof ApiError) || error.status !== 422) return message;
  if (typeof error.detail === "string") return `${message} ${error.detail}`;
  if (!Array.isArray(error.detail)) return message;
  const fields = (error.detail as FieldProblem[]).map((problem) => {
    const where = (problem.loc ?? []).filter((part) => part !== "body").join(".");
    return where ? `${where}: ${problem.msg ?? ""}` : (problem.msg ?? "");
  });
  return `${message} ${fields.join("; ")}`;
}
