import { ApiError } from "../../api/client";
import type { MessageKey, Translate } from "./i18n";
import { errorMessage } from "../../ui/errors";

interface FieldProblem {
  loc?: unknown[];
  msg?: string;
}

/** A form's fields as the server names them, with the label the person sees for each. */
export type FieldLabels = Partial<Record<string, MessageKey>>;

/** Pydantic's prefix says what kind of check failed, nothing the person needs. */
const detailOf = (msg: string | undefined) => (msg ?? "").replace(/^Value error, /, "");

/**
 * The person's words for a failed write, then each refused field by its label in the person's language, the
 * server's own (English) words kept after it as a detail. A field the form does not know keeps its path.
 */
export function formError(
  t: Translate,
  error: unknown,
  specific: Record<string, MessageKey> = {},
  labels: FieldLabels = {},
): string {
  const message = errorMessage<MessageKey>(t, error, specific);
  if (!(error instanceof ApiError) || error.status !== 422) return message;
  if (typeof error.detail === "string") return `${message} ${error.detail}`;
  if (!Array.isArray(error.detail)) return message;
  const fields = (error.detail as FieldProblem[]).map((problem) => {
    const path = (problem.loc ?? []).filter((part) => part !== "body");
    const label = typeof path[0] === "string" ? labels[path[0]] : undefined;
    const where = label ? t(label) : path.join(".");
    const detail = detailOf(problem.msg);
    return where ? `${where} (${detail})` : detail;
  });
  return `${message} ${fields.join("; ")}`;
}
