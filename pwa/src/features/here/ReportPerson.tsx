import { useState } from "preact/hooks";
import { outbox } from "../../app/outbox";
import type { ReportReason } from "../../data/safety";
import { useT, type MessageKey } from "../../i18n";

const REASONS: { value: ReportReason; label: MessageKey }[] = [
  { value: "harassment", label: "report.harassment" },
  { value: "inappropriate", label: "report.inappropriate" },
  { value: "spam", label: "report.spam" },
  { value: "impersonation", label: "report.impersonation" },
  { value: "other", label: "report.other" },
];

const MAX_DETAILS = 2000;

/** Tells the organizers about someone: a reason, optional words, then a confirmation. Queued like any
 * write, so a report made on bad Wi-Fi is not lost. */
export function ReportPerson({ attendeeId, name }: { attendeeId: number; name: string }) {
  const t = useT();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState<ReportReason>();
  const [details, setDetails] = useState("");
  const [sent, setSent] = useState(false);
  const id = `report-${attendeeId}`;

  if (sent) {
    return (
      <p class="done" role="status">
        {t("report.sent")}
      </p>
    );
  }
  if (!open) {
    return (
      <button type="button" class="btn-link" onClick={() => setOpen(true)}>
        {t("report.ask", { name })}
      </button>
    );
  }

  function submit(event: Event) {
    event.preventDefault();
    if (!reason) return;
    void outbox.enqueue("report", { attendee_id: attendeeId, reason, details: details.trim() });
    setSent(true);
  }

  return (
    <form class="stack confirm" aria-labelledby={`${id}-title`} onSubmit={submit}>
      <p id={`${id}-title`} class="strong">
        {t("report.ask", { name })}
      </p>
      <p class="hint">{t("report.explain", { name })}</p>
      <fieldset class="stack">
        <legend>{t("report.reason")}</legend>
        {REASONS.map(({ value, label }) => (
          <div class="check" key={value}>
            <input
              id={`${id}-${value}`}
              type="radio"
              name={`${id}-reason`}
              value={value}
              required
              checked={reason === value}
              onChange={() => setReason(value)}
            />
            <label for={`${id}-${value}`}>{t(label)}</label>
          </div>
        ))}
      </fieldset>
      <div class="field">
        <label for={`${id}-details`}>{t("report.details")}</label>
        <textarea
          id={`${id}-details`}
          value={details}
          maxLength={MAX_DETAILS}
          rows={3}
          onInput={(e) => setDetails(e.currentTarget.value)}
        />
      </div>
      <div class="row">
        <button type="submit" class="btn-danger" disabled={!reason}>
          {t("report.send")}
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          {t("settings.cancel")}
        </button>
      </div>
    </form>
  );
}
