import { useState } from "preact/hooks";
import { unwrap, type Schemas } from "../../../api/client";
import { api } from "../../../app/api";
import { useT } from "../../../i18n";
import { errorMessage } from "../../../ui/errors";
import { Alert } from "../../../ui/Screen";
import { FileProblems } from "./FileProblems";
import { PROGRAMME_TYPES, fileProblems, formatOfName, type ProgrammeFormat } from "./importFile";

type Summary = Schemas["ProgrammeImportSummary"];

/** The programme from pretalx, frab or a CSV. Importing again updates; a bad file changes nothing. */
export function ProgrammeImport({ eventId }: { eventId: number }) {
  const t = useT();
  const [file, setFile] = useState<File>();
  const [format, setFormat] = useState<ProgrammeFormat>("json");
  const [busy, setBusy] = useState(false);
  const [summary, setSummary] = useState<Summary>();
  const [error, setError] = useState<unknown>();

  function pick(picked: File | undefined) {
    setFile(picked);
    const guessed = picked && formatOfName(picked.name);
    if (guessed) setFormat(guessed);
  }

  async function submit(event: Event) {
    event.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(undefined);
    setSummary(undefined);
    try {
      const result = await unwrap(
        api.POST("/api/events/{event_id}/programme/import", {
          params: { path: { event_id: eventId } },
          body: file as never, // the file as it is: the API reads its bytes
          bodySerializer: (body: unknown) => body as File,
          headers: { "Content-Type": PROGRAMME_TYPES[format] },
        }),
      );
      setSummary(result);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const problems = fileProblems(error);
  return (
    <section class="card" aria-labelledby="programme-title">
      <h2 id="programme-title">{t("org.imports.programme")}</h2>
      <p class="hint">{t("org.imports.programmeIntro")}</p>
      <form class="stack" onSubmit={submit}>
        <div class="field">
          <label for="programme-file">{t("org.imports.file")}</label>
          <input id="programme-file" type="file" required accept=".json,.xml,.csv,application/json,application/xml,text/xml,text/csv"
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
        {error !== undefined &&
          (problems.length > 0 ? (
            <FileProblems problems={problems} />
          ) : (
            <Alert text={errorMessage(t, error, { UnsupportedFileType: "org.imports.unsupported", PayloadTooLarge: "org.imports.tooLarge" })} />
          ))}
        <button type="submit" class="btn-primary" disabled={busy || !file}>
          {busy ? t("org.imports.sending") : t("org.imports.programmeSubmit")}
        </button>
      </form>
      {summary && (
        <div role="status" class="import-result">
          <p class="strong">{t("org.imports.programmeDone")}</p>
          <ul>
            <li>{t("org.imports.talks", { created: summary.talks_created, updated: summary.talks_updated, unchanged: summary.talks_unchanged })}</li>
            <li>{t("org.imports.breaks", { created: summary.breaks_created, updated: summary.breaks_updated, unchanged: summary.breaks_unchanged })}</li>
            {summary.topics_created.length > 0 && <li>{t("org.imports.topics", { names: summary.topics_created.join(", ") })}</li>}
            {summary.speakers_created.length > 0 && <li>{t("org.imports.speakers", { names: summary.speakers_created.join(", ") })}</li>}
            {summary.talks_not_in_file.length > 0 && <li>{t("org.imports.notInFile", { n: summary.talks_not_in_file.length })}</li>}
            {summary.warnings.map((warning) => <li key={warning}>{warning}</li>)}
          </ul>
        </div>
      )}
    </section>
  );
}
