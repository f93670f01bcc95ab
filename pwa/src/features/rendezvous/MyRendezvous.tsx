import { useState } from "preact/hooks";
import { outbox, usePending } from "../../app/outbox";
import { useStore } from "../../app/store";
import type { RendezvousVerb } from "../../data/rendezvous";
import { useResource, type Rendezvous } from "../../data/resources";
import { language, useT } from "../../i18n";
import { formatTime } from "../../i18n/format";
import { useNow } from "../agenda/useNow";
import { ShareChoice, useSharingChosen } from "../contacts/ShareChoice";
import { PersonHead } from "../profile/PersonHead";
import { ProposeRendezvous } from "./ProposeRendezvous";

const answer = (rendezvous_id: number, verb: RendezvousVerb) =>
  void outbox.enqueue("rendezvousAnswer", { rendezvous_id, verb });

/** My rendezvous. `during`: the Here screen's view, the one of the break under way first, then proposals
 * waiting for my answer; otherwise every one to come (the agenda's view). */
export function MyRendezvous({ during = false }: { during?: boolean }) {
  const t = useT();
  const now = useNow();
  const all = useResource("rendezvous").data ?? [];
  const pending = usePending("rendezvous", "rendezvousAnswer", "rendezvousCounter");
  const underWay = (r: Rendezvous) => Date.parse(r.at_break.starts_at) <= now && now < Date.parse(r.at_break.ends_at);
  const shown = during
    ? [
        ...all.filter((r) => r.state === "accepted" && underWay(r)),
        ...all.filter((r) => r.awaiting_my_answer),
      ]
    : all.filter((r) => r.state !== "over" && Date.parse(r.at_break.ends_at) > now);
  if (shown.length === 0 && pending.length === 0) return null;
  return (
    <section aria-labelledby={during ? "rendezvous-now-title" : "rendezvous-title"}>
      <h2 id={during ? "rendezvous-now-title" : "rendezvous-title"}>{t("rendezvous.title")}</h2>
      {pending.length > 0 && (
        <p class="hint" role="status">
          {t("rendezvous.pending")}
        </p>
      )}
      <ul class="plain">
        {shown.map((r) => (
          <RendezvousItem key={r.id} rendezvous={r} live={underWay(r)} />
        ))}
      </ul>
    </section>
  );
}

function RendezvousItem({ rendezvous: r, live }: { rendezvous: Rendezvous; live: boolean }) {
  const t = useT();
  const lang = useStore(language);
  const timeZone = useResource("event").data?.timezone;
  const [countering, setCountering] = useState(false);
  const name = r.person.display_name;
  const titleId = `rendezvous-${r.id}`;
  const time = (at: string) => formatTime(Date.parse(at), lang, timeZone);
  const when = live
    ? t("rendezvous.nowUntil", { until: time(r.at_break.ends_at) })
    : `${r.at_break.label} · ${time(r.at_break.starts_at)}–${time(r.at_break.ends_at)}`;
  return (
    <li class={live && r.state === "accepted" ? "card rendezvous rendezvous-live" : "card rendezvous"} aria-labelledby={titleId}>
      <PersonHead person={{ ...r.person, name }} titleId={titleId} />
      <p>
        {r.zone.name} · {when}
      </p>
      {r.message && <p class="note">{r.message}</p>}
      <p class="hint">{t(`rendezvous.state.${stateKey(r)}`)}</p>
      {r.awaiting_my_answer && !countering && (
        <div class="row">
          <button type="button" class="btn-primary" onClick={() => answer(r.id, "accept")}>
            {t("rendezvous.accept")}
          </button>
          <button type="button" onClick={() => setCountering(true)}>
            {t("rendezvous.counter")}
          </button>
          <button type="button" class="btn-link" onClick={() => answer(r.id, "decline")}>
            {t("rendezvous.decline")}
          </button>
        </div>
      )}
      {countering && (
        <ProposeRendezvous attendeeId={r.person.id} name={name} zoneId={r.zone.id} counterTo={r.id} onDone={() => setCountering(false)} />
      )}
      {r.state === "accepted" && (
        <div class="row">
          {live && (
            <button type="button" class="btn-primary" onClick={() => answer(r.id, "met")}>
              {t("rendezvous.met")}
            </button>
          )}
          <button type="button" class="btn-link" onClick={() => answer(r.id, "cancel")}>
            {t("rendezvous.cancel")}
          </button>
        </div>
      )}
      {r.state === "proposed" && r.proposed_by_me && (
        <button type="button" class="btn-link" onClick={() => answer(r.id, "cancel")}>
          {t("rendezvous.withdraw")}
        </button>
      )}
      {r.state === "met" && !r.is_contact && <ExchangeAfterMeeting attendeeId={r.person.id} />}
    </li>
  );
}

type StateKey = "waiting" | "toAnswer" | "accepted" | "declined" | "cancelled" | "met" | "over";

function stateKey(r: Rendezvous): StateKey {
  if (r.state === "proposed") return r.awaiting_my_answer ? "toAnswer" : "waiting";
  return r.state;
}

/** After "we met", the natural next step when we have not exchanged contacts yet (what to share is asked
 * first, as for any exchange). */
function ExchangeAfterMeeting({ attendeeId }: { attendeeId: number }) {
  const t = useT();
  const chosen = useSharingChosen();
  const [step, setStep] = useState<"offer" | "choosing" | "asked">("offer");
  const ask = () => {
    void outbox.enqueue("contactRequest", { to_attendee_id: attendeeId, message: "" });
    setStep("asked");
  };
  if (step === "asked") return <p class="done" role="status">{t("here.requestWaiting")}</p>;
  if (step === "choosing") return <ShareChoice heading="h4" onChosen={ask} onCancel={() => setStep("offer")} />;
  return (
    <button type="button" class="btn-primary" onClick={() => (chosen ? ask() : setStep("choosing"))}>
      {t("rendezvous.exchange")}
    </button>
  );
}
