import { useState } from "preact/hooks";
import { outbox } from "../../app/outbox";
import { useStore } from "../../app/store";
import { useResource } from "../../data/resources";
import { language, useT } from "../../i18n";
import { formatTime } from "../../i18n/format";
import { useNow } from "../agenda/useNow";

const NOW = "now";

interface Props {
  attendeeId: number;
  name: string;
  /** The zone to offer first: where the person was seen. */
  zoneId?: number;
  /** Answering a proposal with another break or zone, instead of proposing anew. */
  counterTo?: number;
  onDone?: () => void;
}

/** "Let's meet at the coffee bar, next break": a coming break (or the one under way), a zone, a short word. */
export function ProposeRendezvous({ attendeeId, name, zoneId, counterTo, onDone }: Props) {
  const t = useT();
  const lang = useStore(language);
  const now = useNow();
  const agenda = useResource("agenda").data;
  const event = useResource("event").data;
  const [open, setOpen] = useState(counterTo !== undefined);
  const [sent, setSent] = useState(false);
  const breaks = (agenda?.breaks ?? []).filter((b) => Date.parse(b.ends_at) > now);
  const underWay = breaks.find((b) => Date.parse(b.starts_at) <= now);
  const zones = event?.zones ?? [];
  // Until a choice is made, the defaults follow the agenda and zones as they load.
  const [chosenSlot, setSlot] = useState("");
  const [chosenZone, setZone] = useState("");
  const slot = chosenSlot || (underWay ? NOW : String(breaks[0]?.id ?? ""));
  const zone = chosenZone || String(zoneId ?? zones[0]?.id ?? "");
  const [message, setMessage] = useState("");
  const formId = `rendezvous-${counterTo ?? "new"}-${attendeeId}`;

  if (sent) return <p class="done" role="status">{t("rendezvous.proposed", { name })}</p>;
  if (!open) {
    if (breaks.length === 0 || zones.length === 0) return null;
    return (
      <button type="button" aria-label={t("rendezvous.proposeTo", { name })} onClick={() => setOpen(true)}>
        {t("rendezvous.propose")}
      </button>
    );
  }
  function submit(e: Event) {
    e.preventDefault();
    const proposal = {
      break_id: slot === NOW ? null : Number(slot),
      zone_id: Number(zone),
      message: message.trim(),
    };
    if (counterTo !== undefined) {
      void outbox.enqueue("rendezvousCounter", { rendezvous_id: counterTo, proposal });
    } else {
      void outbox.enqueue("rendezvous", { attendee_id: attendeeId, ...proposal });
    }
    setSent(true);
    onDone?.();
  }
  const time = (at: string) => formatTime(Date.parse(at), lang, event?.timezone);
  return (
    <form class="rendezvous-form" aria-label={t("rendezvous.proposeTo", { name })} onSubmit={submit}>
      <div class="field">
        <label for={`${formId}-break`}>{t("rendezvous.when")}</label>
        <select id={`${formId}-break`} value={slot} onChange={(e) => setSlot(e.currentTarget.value)} required>
          {underWay && <option value={NOW}>{t("rendezvous.now", { until: time(underWay.ends_at) })}</option>}
          {breaks
            .filter((b) => b !== underWay)
            .map((b) => (
              <option key={b.id} value={String(b.id)}>
                {`${b.label} · ${time(b.starts_at)}–${time(b.ends_at)}`}
              </option>
            ))}
        </select>
      </div>
      <div class="field">
        <label for={`${formId}-zone`}>{t("rendezvous.where")}</label>
        <select id={`${formId}-zone`} value={zone} onChange={(e) => setZone(e.currentTarget.value)} required>
          {zones.map((z) => (
            <option key={z.id} value={String(z.id)}>
              {z.name}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for={`${formId}-message`}>{t("rendezvous.message")}</label>
        <input
          id={`${formId}-message`}
          type="text"
          maxLength={140}
          value={message}
          placeholder={t("rendezvous.messageHint")}
          onInput={(e) => setMessage(e.currentTarget.value)}
        />
      </div>
      <div class="row">
        <button type="submit" class="btn-primary">
          {counterTo !== undefined ? t("rendezvous.sendCounter") : t("rendezvous.send")}
        </button>
        <button
          type="button"
          onClick={() => {
            setOpen(false);
            onDone?.();
          }}
        >
          {t("settings.cancel")}
        </button>
      </div>
    </form>
  );
}
