import { useState } from "preact/hooks";
import type { Schemas } from "../../api/client";
import { useT, type MessageKey } from "./i18n";
import { Field } from "../../ui/Field";
import { Alert } from "../../ui/Screen";
import { formError, type FieldLabels } from "./formError";
import { fromLocalInput, toLocalInput } from "./zonedTime";

export interface EventFields {
  name: string;
  slug: string;
  subject: string;
  description: string;
  timezone: string;
  starts: string;
  ends: string;
  price: string;
  currency: string;
  /** The languages in their order, e.g. "en,fr": the first leads in invitation emails and posters. */
  languages: LanguageChoice;
  retentionDays: string;
  /** Joining needs a personal invitation (the attendee import's links): the join code is refused. */
  invitationOnly: boolean;
}

type Language = "fr" | "en";
const LANGUAGE_CHOICES = ["fr,en", "en,fr", "fr", "en"] as const;
type LanguageChoice = (typeof LANGUAGE_CHOICES)[number];
const languageLabels: Record<LanguageChoice, MessageKey> = {
  "fr,en": "org.event.languages.frEn",
  "en,fr": "org.event.languages.enFr",
  fr: "org.event.languages.fr",
  en: "org.event.languages.en",
};

const HOUR = 3_600_000;

export function newEventFields(): EventFields {
  const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const nextWeek = Math.ceil((Date.now() + 7 * 24 * HOUR) / HOUR) * HOUR;
  return {
    name: "",
    slug: "",
    subject: "",
    description: "",
    timezone,
    starts: toLocalInput(nextWeek, timezone),
    ends: toLocalInput(nextWeek + 9 * HOUR, timezone),
    price: "",
    currency: "EUR",
    languages: "fr,en",
    retentionDays: "7",
    invitationOnly: false,
  };
}

export function eventFields(event: Schemas["EventAdmin"]): EventFields {
  const cents = event.ticket_price_cents;
  return {
    name: event.name,
    slug: event.slug,
    subject: event.subject,
    description: event.description,
    timezone: event.timezone,
    starts: toLocalInput(event.starts_at, event.timezone),
    ends: toLocalInput(event.ends_at, event.timezone),
    price: cents === null ? "" : String(cents / 100),
    currency: event.currency ?? "EUR",
    languages: event.languages.join(",") as LanguageChoice,
    retentionDays: String(event.presence_retention_days),
    invitationOnly: event.invitation_only,
  };
}

/** What the API takes from the form: times on the venue's clock, a price in cents (or none). */
export function eventBody(fields: EventFields) {
  const price = fields.price.trim().replace(",", ".");
  return {
    name: fields.name.trim(),
    subject: fields.subject.trim(),
    description: fields.description.trim(),
    timezone: fields.timezone,
    starts_at: fromLocalInput(fields.starts, fields.timezone),
    ends_at: fromLocalInput(fields.ends, fields.timezone),
    ticket_price_cents: price ? Math.round(Number(price) * 100) : null,
    currency: price ? fields.currency.trim().toUpperCase() : null,
    languages: fields.languages.split(",") as Language[],
    presence_retention_days: Number.parseInt(fields.retentionDays, 10),
    invitation_only: fields.invitationOnly,
  };
}

const EVENT_LABELS: FieldLabels = {
  name: "org.event.name",
  slug: "org.event.slug",
  subject: "org.event.subject",
  description: "org.event.description",
  timezone: "org.event.timezone",
  starts_at: "org.event.starts",
  ends_at: "org.event.ends",
  ticket_price_cents: "org.event.price",
  currency: "org.event.currency",
  languages: "org.event.languages",
  presence_retention_days: "org.event.retention",
  invitation_only: "org.event.invitationOnly",
};

/** "DevOps Days Lyon 2026" → "devops-days-lyon-2026", the event's address. */
export function slugOf(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64);
}

function timeZones(current: string): string[] {
  const all = Intl.supportedValuesOf("timeZone");
  return all.includes(current) ? all : [current, ...all];
}

/** Creating or editing an event. What was typed stays when the server refuses it. */
export function EventForm({
  initial,
  withSlug,
  submitLabel,
  onSubmit,
}: {
  initial: EventFields;
  withSlug: boolean;
  submitLabel: string;
  onSubmit: (fields: EventFields) => Promise<unknown>;
}) {
  const t = useT();
  const [fields, setFields] = useState(initial);
  const [slugTouched, setSlugTouched] = useState(!withSlug || initial.slug !== "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState(false);

  function change(patch: Partial<EventFields>) {
    setSaved(false);
    setFields((old) => {
      const next = { ...old, ...patch };
      return patch.name !== undefined && !slugTouched ? { ...next, slug: slugOf(patch.name) } : next;
    });
  }

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await onSubmit(fields);
      setSaved(true);
    } catch (e) {
      setError(e instanceof RangeError ? t("org.event.badTime") : formError(t, e, { Conflict: "org.event.slugTaken" }, EVENT_LABELS));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="stack" onSubmit={submit}>
      <Field id="event-name" label={t("org.event.name")} required maxLength={200} value={fields.name}
        onInput={(e) => change({ name: e.currentTarget.value })} />
      {withSlug && (
        <Field id="event-slug" label={t("org.event.slug")} hint={t("org.event.slugHint")} required
          pattern="[a-z0-9]+(-[a-z0-9]+)*" minLength={2} maxLength={64} value={fields.slug}
          onInput={(e) => {
            setSlugTouched(true);
            change({ slug: e.currentTarget.value });
          }} />
      )}
      <Field id="event-subject" label={t("org.event.subject")} hint={t("org.event.subjectHint")} required
        maxLength={200} value={fields.subject} onInput={(e) => change({ subject: e.currentTarget.value })} />
      <div class="field">
        <label for="event-description">{t("org.event.description")}</label>
        <textarea id="event-description" aria-describedby="event-description-hint" maxLength={5000} rows={3}
          value={fields.description} onInput={(e) => change({ description: e.currentTarget.value })} />
        <p id="event-description-hint" class="hint">{t("org.event.descriptionHint")}</p>
      </div>
      <div class="field">
        <label for="event-timezone">{t("org.event.timezone")}</label>
        <select id="event-timezone" value={fields.timezone}
          onChange={(e) => change({ timezone: e.currentTarget.value })}>
          {timeZones(fields.timezone).map((zone) => (
            <option key={zone} value={zone}>{zone}</option>
          ))}
        </select>
      </div>
      <div class="pair">
        <Field id="event-starts" label={t("org.event.starts")} type="datetime-local" required value={fields.starts}
          onInput={(e) => change({ starts: e.currentTarget.value })} />
        <Field id="event-ends" label={t("org.event.ends")} type="datetime-local" required value={fields.ends}
          onInput={(e) => change({ ends: e.currentTarget.value })} />
      </div>
      <div class="pair">
        <Field id="event-price" label={t("org.event.price")} hint={t("org.event.priceHint")} inputMode="decimal"
          pattern="[0-9]+([.,][0-9]{1,2})?" value={fields.price}
          onInput={(e) => change({ price: e.currentTarget.value })} />
        <Field id="event-currency" label={t("org.event.currency")} pattern="[A-Za-z]{3}" maxLength={3}
          value={fields.currency} onInput={(e) => change({ currency: e.currentTarget.value })} />
      </div>
      <div class="pair">
        <div class="field">
          <label for="event-languages">{t("org.event.languages")}</label>
          <select id="event-languages" aria-describedby="event-languages-hint" value={fields.languages}
            onChange={(e) => change({ languages: e.currentTarget.value as LanguageChoice })}>
            {LANGUAGE_CHOICES.map((choice) => (
              <option key={choice} value={choice}>{t(languageLabels[choice])}</option>
            ))}
          </select>
          <p id="event-languages-hint" class="hint">{t("org.event.languagesHint")}</p>
        </div>
        <Field id="event-retention" label={t("org.event.retention")} hint={t("org.event.retentionHint")}
          type="number" inputMode="numeric" required min={0} max={365} step={1} value={fields.retentionDays}
          onInput={(e) => change({ retentionDays: e.currentTarget.value })} />
      </div>
      <div class="switch">
        <input id="event-invitation-only" type="checkbox" role="switch" checked={fields.invitationOnly}
          aria-describedby="event-invitation-only-hint"
          onChange={(e) => change({ invitationOnly: e.currentTarget.checked })} />
        <label for="event-invitation-only">{t("org.event.invitationOnly")}</label>
        <p id="event-invitation-only-hint" class="hint">{t("org.event.invitationOnlyHint")}</p>
      </div>
      <Alert text={error} />
      {saved && <p role="status">{t("org.saved")}</p>}
      <button type="submit" class="btn-primary" disabled={busy}>
        {submitLabel}
      </button>
    </form>
  );
}
