import type { InputHTMLAttributes } from "preact";
import { useState } from "preact/hooks";
import { outbox, usePending } from "../../app/outbox";
import type { SharingChoice } from "../../data/contacts";
import { useResource, type Profile } from "../../data/resources";
import { useT, type MessageKey } from "../../i18n";

type Detail = "email" | "phone" | "website_url" | "company";
type InputAttributes = InputHTMLAttributes<HTMLInputElement>;

// What the server takes (api/attendees/schemas.py, Phone): refused here, before it is queued.
const PHONE_PATTERN = String.raw`\+?[0-9 \(\)\.\-]{3,40}`;

interface DetailField {
  detail: Detail;
  share: keyof SharingChoice;
  label: MessageKey;
  hint?: MessageKey;
  input: InputAttributes;
}

const DETAILS: DetailField[] = [
  { detail: "email", share: "share_email", label: "sharing.email", input: { type: "email", autoComplete: "email" } },
  {
    detail: "phone",
    share: "share_phone",
    label: "sharing.phone",
    hint: "sharing.phoneHint",
    input: { type: "tel", autoComplete: "tel", pattern: PHONE_PATTERN },
  },
  { detail: "website_url", share: "share_website", label: "sharing.website", input: { type: "url", autoComplete: "url" } },
  { detail: "company", share: "share_company", label: "sharing.company", input: { autoComplete: "organization" } },
];

/** My details and, for each, whether a contact exchange gives it to the other person. Both are queued
 * writes: chosen offline, they reach the server later. */
export function SharingSettings({ profile }: { profile: Profile }) {
  const t = useT();
  const loaded = useResource("sharing").data;
  const pending = usePending("sharing");
  // The latest choice wins: made here now, else queued and not yet sent, else the server's.
  const [chosen, setChosen] = useState<Partial<SharingChoice>>({});
  const queued = pending.at(-1)?.payload as SharingChoice | undefined;
  const choice: SharingChoice | undefined = loaded && {
    share_email: loaded.share_email,
    share_phone: loaded.share_phone,
    share_website: loaded.share_website,
    share_company: loaded.share_company,
    ...queued,
    ...chosen,
  };
  const [values, setValues] = useState<Record<Detail, string>>(() => ({
    email: profile.email ?? "",
    phone: profile.phone ?? "",
    website_url: profile.website_url ?? "",
    company: profile.company ?? "",
  }));
  const [saved, setSaved] = useState(false);
  // A new email is the attendee's once they open the link the server mails to it.
  const [emailSent, setEmailSent] = useState<string>();

  function share(name: keyof SharingChoice, on: boolean) {
    if (!choice) return;
    setChosen({ ...chosen, [name]: on });
    void outbox.enqueue("sharing", { ...choice, [name]: on });
  }

  function save(event: Event) {
    event.preventDefault();
    const blankIsNone = (text: string) => text.trim() || null;
    const email = blankIsNone(values.email);
    setEmailSent(email && email.toLowerCase() !== profile.email ? email : undefined);
    void outbox.enqueue("profile", {
      email,
      phone: blankIsNone(values.phone),
      website_url: blankIsNone(values.website_url),
      company: values.company.trim(),
    });
    setSaved(true);
  }

  return (
    <section class="stack" aria-labelledby="sharing-title">
      <h2 id="sharing-title">{t("sharing.title")}</h2>
      <p class="hint">{t("sharing.hint")}</p>
      <form class="stack" onSubmit={save}>
        {DETAILS.map(({ detail, share: name, label, hint, input }) => (
          <div class="stack" key={detail}>
            <div class="field">
              <label for={`detail-${detail}`}>{t(label)}</label>
              <input
                id={`detail-${detail}`}
                {...input}
                aria-describedby={hint && `detail-${detail}-hint`}
                value={values[detail]}
                onInput={(e) => {
                  setSaved(false);
                  setValues({ ...values, [detail]: e.currentTarget.value });
                }}
              />
              {hint && (
                <p id={`detail-${detail}-hint`} class="hint">
                  {t(hint)}
                </p>
              )}
            </div>
            <div class="check">
              <input
                id={`share-${detail}`}
                type="checkbox"
                checked={choice?.[name] ?? false}
                disabled={!choice}
                onChange={(e) => share(name, e.currentTarget.checked)}
              />
              <label for={`share-${detail}`}>{t("sharing.share", { detail: t(label) })}</label>
            </div>
          </div>
        ))}
        <button type="submit">{t("sharing.save")}</button>
        {saved && (
          <p class="done" role="status">
            {t("sharing.saved")}
            {emailSent && ` ${t("sharing.emailSent", { email: emailSent })}`}
          </p>
        )}
      </form>
    </section>
  );
}
