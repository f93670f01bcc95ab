import { useId, useState } from "preact/hooks";
import { outbox, usePending } from "../../app/outbox";
import type { SharingChoice } from "../../data/contacts";
import { useResource, type Profile } from "../../data/resources";
import { useT, type MessageKey } from "../../i18n";

const DETAILS: { share: keyof SharingChoice; label: MessageKey; value: (p: Profile) => string | null }[] = [
  { share: "share_email", label: "sharing.email", value: (p) => p.email },
  { share: "share_phone", label: "sharing.phone", value: (p) => p.phone },
  { share: "share_website", label: "sharing.website", value: (p) => p.website_url },
  { share: "share_company", label: "sharing.company", value: (p) => p.company || null },
];

/** Whether I chose what my exchanges give: on the server, or in a choice still queued on this phone;
 * undefined while that is being read. Never known (offline since joining) counts as not chosen: asking twice
 * costs a tap, giving unasked cannot be undone. */
export function useSharingChosen(): boolean | undefined {
  const sharing = useResource("sharing");
  const queued = usePending("sharing");
  if (queued.length > 0 || sharing.data?.chosen) return true;
  return sharing.data || !sharing.loading ? false : undefined;
}

/** Before the first exchange: exactly what the other side will receive (my name always, each detail I gave
 * unticked), and my choice. The choice is queued before the exchange, so the server has it first. */
export function ShareChoice({
  onChosen,
  onCancel,
  heading: Heading = "h2",
}: {
  onChosen: () => void;
  onCancel?: () => void;
  /** Its title's level where it is shown (inside a card titled by an h3, an h4). */
  heading?: "h2" | "h3" | "h4";
}) {
  const t = useT();
  const id = useId();
  const profile = useResource("profile").data;
  const [choice, setChoice] = useState<SharingChoice>({
    share_email: false,
    share_phone: false,
    share_website: false,
    share_company: false,
  });
  if (!profile) return <p role="status">{t("common.loading")}</p>;
  const given = DETAILS.filter((d) => d.value(profile));

  async function confirm(event: Event) {
    event.preventDefault();
    await outbox.enqueue("sharing", choice);
    onChosen();
  }

  return (
    <form class="card stack" aria-labelledby={`${id}-title`} onSubmit={(e) => void confirm(e)}>
      <Heading id={`${id}-title`}>{t("share.title")}</Heading>
      <p>{t("share.intro")}</p>
      <ul class="plain">
        <li>{t("share.name", { name: profile.display_name })}</li>
        {profile.headline && <li>{t("share.headline", { headline: profile.headline })}</li>}
      </ul>
      {given.length === 0 && <p class="hint">{t("share.nothingElse")}</p>}
      {given.map(({ share, label, value }) => (
        <div class="check" key={share}>
          <input
            id={`${id}-${share}`}
            type="checkbox"
            checked={choice[share]}
            onChange={(e) => setChoice({ ...choice, [share]: e.currentTarget.checked })}
          />
          <label for={`${id}-${share}`}>{t("share.detail", { detail: t(label), value: value(profile) ?? "" })}</label>
        </div>
      ))}
      <p class="hint">{t("share.keep")}</p>
      <div class="row">
        <button type="submit" class="btn-primary grow">
          {t("share.confirm")}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            {t("settings.cancel")}
          </button>
        )}
      </div>
    </form>
  );
}
