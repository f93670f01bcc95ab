import { useState } from "preact/hooks";
import { unwrap, type Schemas } from "../../../api/client";
import { api } from "../../../app/api";
import { useT } from "../i18n";
import { saveFile } from "../../contacts/download";
import { ImportRefusal } from "./ImportRefusal";
import { asFile, useUpload } from "./useUpload";
import { badgesCsv } from "./importFile";

type Summary = Schemas["AttendeeImportSummary"];
const SKIPPED = {
  already_in_event: "org.imports.skippedIn",
  repeated_in_file: "org.imports.skippedRepeated",
  not_paid: "org.imports.skippedNotPaid",
} as const satisfies Record<Schemas["SkipReason"], string>;

/** Attendees from the ticketing export: each new one gets a personal join link, emailed or for the badge. */
export function AttendeeImport({ eventId, slug }: { eventId: number; slug: string }) {
  const t = useT();
  const [file, setFile] = useState<File>();
  const [send, setSend] = useState(true);
  const { busy, summary, error, submit } = useUpload(async (picked) => {
    const result = await unwrap(
      api.POST("/api/events/{event_id}/attendees/import", {
        params: { path: { event_id: eventId }, query: { send } },
        ...asFile(picked),
        headers: { "Content-Type": "text/csv", Accept: "application/json" },
      }),
    );
    return result as Summary; // the route also answers CSV, so the client cannot narrow it
  });

  return (
    <section class="card" aria-labelledby="attendees-title">
      <h2 id="attendees-title">{t("org.imports.attendees")}</h2>
      <p class="hint">{t("org.imports.attendeesIntro")}</p>
      <form class="stack" onSubmit={(e) => void submit(e, file)}>
        <div class="field">
          <label for="attendees-file">{t("org.imports.file")}</label>
          <input id="attendees-file" type="file" required accept=".csv,text/csv"
            onChange={(e) => setFile(e.currentTarget.files?.[0])} />
        </div>
        <label class="check">
          <input type="checkbox" checked={send} onChange={(e) => setSend(e.currentTarget.checked)} />
          {t("org.imports.send")}
        </label>
        {error !== undefined && <ImportRefusal error={error} />}
        <button type="submit" class="btn-primary" disabled={busy || !file}>
          {busy ? t("org.imports.sending") : t("org.imports.attendeesSubmit")}
        </button>
      </form>
      {summary && <AttendeeResult summary={summary} slug={slug} />}
    </section>
  );
}

/** How many were invited, who was skipped and why, and the join links to print on badges. */
function AttendeeResult({ summary, slug }: { summary: Summary; slug: string }) {
  const t = useT();
  const downloadLinks = () =>
    saveFile(new Blob([badgesCsv(summary.invitations)], { type: "text/csv;charset=utf-8" }), `${slug}-join-links.csv`);
  return (
    <div role="status" class="import-result">
      <p class="strong">{t("org.imports.invited", { n: summary.created })}</p>
      <ul>
        <li>{t("org.imports.emailed", { n: summary.emailed })}</li>
        {summary.speakers_completed > 0 && (
          <li>{t("org.imports.speakersCompleted", { n: summary.speakers_completed })}</li>
        )}
        {summary.skipped.length > 0 && (
          <li>
            {t("org.imports.skipped", { n: summary.skipped.length })}
            <ul>
              {summary.skipped.map((s) => (
                <li key={s.line}>
                  {t(SKIPPED[s.reason], { line: s.line, name: s.display_name, status: s.status ?? "" })}
                </li>
              ))}
            </ul>
          </li>
        )}
      </ul>
      {summary.invitations.length > 0 && (
        <>
          <p>{t("org.imports.forBadges", { n: summary.invitations.length })}</p>
          <button type="button" onClick={downloadLinks}>
            {t("org.imports.downloadLinks")}
          </button>
        </>
      )}
    </div>
  );
}
