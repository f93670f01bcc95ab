import { ApiError, type Schemas } from "../../../api/client";

export type ProgrammeFormat = "json" | "xml" | "csv";

/** The Content-Type that tells the API which kind of programme file it gets. */
export const PROGRAMME_TYPES: Record<ProgrammeFormat, string> = {
  json: "application/json",
  xml: "application/xml",
  csv: "text/csv",
};

/** The format a file's name suggests, so picking the file usually sets the format too. */
export function formatOfName(name: string): ProgrammeFormat | undefined {
  const ext = name.toLowerCase().split(".").pop();
  return ext === "json" || ext === "xml" || ext === "csv" ? ext : undefined;
}

export interface FileProblem {
  where: string;
  field: string | null;
  problem: string;
}

/** The problems a refused file has, each with where it is ("line 4") and which field; [] for other errors. */
export function fileProblems(error: unknown): FileProblem[] {
  if (!(error instanceof ApiError) || error.error !== "InvalidImportFile") return [];
  const problems = (error.detail as { problems?: unknown } | null)?.problems;
  return Array.isArray(problems) ? (problems as FileProblem[]) : [];
}

/** A cell a spreadsheet would run as a formula is made inert, as the API does for its own CSV. */
function cell(value: string): string {
  const inert = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(inert) ? `"${inert.replace(/"/g, '""')}"` : inert;
}

/** The join links to print on badges, as `name,email,join_url` (the API's own badge CSV columns). */
export function badgesCsv(invitations: Schemas["Invitation"][]): string {
  const rows = invitations.map((i) => [i.display_name, i.email ?? "", i.join_url].map(cell).join(","));
  return ["name,email,join_url", ...rows].map((row) => `${row}\r\n`).join("");
}
