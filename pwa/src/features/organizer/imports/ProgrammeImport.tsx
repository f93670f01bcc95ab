import { useState } from "preact/hooks";
import { unwrap, type Schemas } from "../../../api/client";
import { api } from "../../../app/api";
import { useT } from "../i18n";
import { ImportRefusal } from "./ImportRefusal";
import { asFile, useUpload } from "./useUpload";
import { PROGRAMME_TYPES, formatOfName, type ProgrammeFormat } from "./importFile";

type Summary = Schemas["ProgrammeImportSummary"];
const ACCEPTED = ".json,.xml,.csv,application/json,application/xml,text/xml,text/csv";

/** The programme from pretalx, frab or a CSV. Importing again updates; a bad file changes nothing. */
export function ProgrammeImport({ eventId }: { eventId: number }) {
  const t = useT();
  const [file, setFile] = useState<File>();
  const [format, setFormat] = useState<ProgrammeFormat>("json");
  const { busy, summary, error, submit } = useUpload((picked) =>
    unwrap(
      api.POST("/api/events/{event_id}/programme/import", {
        params: { path: { event_id: eventId } },
        ...asFile(picked),
        headers: { "Content-Type": PROGRAMME_TYPES[format] },
      }),
    ),
  );

  function pick(picked: File | undefined) {
    setFile(picked);
    const guessed = picked && formatOfName(picked.name);
    if (guessed) setFormat(guessed);
  }

  return (
    <section class="card" aria-labelledby="programme-title">
      <h2 id="programme-title">{t("org.imports.programme")}</h2>
      <p class="hint">{t("org.imports.programmeIntro")}</p>
      <form class="stack" onSubmit={(e) => void submit(e, file)}>
        <div class="field">
          <label for="programme-file">{t("org.imports.file")}</label>
          <input id="programme-file" type="file" required accept={ACCEPTED}
            onChange={(e) => pick(e.currentTarget.files?.[0])} />
        </div>
        <div class="field">
          <label for="programme-format">{t("org.imports.format")}</label>
          <select id="programme-format" value={format}
            onChange={(e) => setFormat(e.currentTarget.value as ProgrammeFormat)}>
            <option value="json">{t("org.imports.formatJson")}</option>
            <option value="xml">{t("org.imports.formatXml")}</option>
            <option value="csv">{t("org.imports.formatCsv")}</option>
          </select>
        </div>
        {error !== undefined && <ImportRefusal error={error} />}
        <button type="submit" class="btn-primary" disabled={busy || !file}>
          {busy ? t("org.imports.sending") : t("org.imports.programmeSubmit")}
        </button>
      </form>
      {summary && <ProgrammeResult summary={summary} />}
    </section>
  );
}

/** What the import did: counts of talks and breaks, and what the organizer may want to check. */
function ProgrammeResult({ summary: s }: { summary: Summary }) {
  const t = useT();
  const lines = [
    t("org.imports.talks", { created: s.talks_created, updated: s.talks_updated, unchanged: s.talks_unchanged }),
    t("org.imports.breaks", { created: s.breaks_created, updated: s.breaks_updated, unchanged: s.breaks_unchanged }),
    s.topics_created.length > 0 && t("org.imports.topics", { names: s.topics_created.join(", ") }),
    s.speakers_created.length > 0 && t("org.imports.speakers", { names: s.speakers_created.join(", ") }),
    s.talks_not_in_file.length > 0 && t("org.imports.notInFile", { n: s.talks_not_in_file.length }),
    ...s.warnings,
  ];
  return (
    <div role="status" class="import-result">
      <p class="strong">{t("org.imports.programmeDone")}</p>
      <ul>
        {lines
          .filter((line): line is string => typeof line === "string")
          .map((line) => (
            <li key={line}>{line}</li>
          ))}
      </ul>
    </div>
  );
}
