import { useState } from "preact/hooks";
import type { Schemas } from "../../api/client";
import { outbox } from "../../app/outbox";
import { useLocalNames } from "../../data/localNames";
import { useT } from "../../i18n";
import { ShareChoice, useSharingChosen } from "../contacts/ShareChoice";
import { PersonHead } from "../profile/PersonHead";
import { ProposeRendezvous } from "../rendezvous/ProposeRendezvous";
import { ReportPerson } from "./ReportPerson";
import { SaveForLater, useSavedNow } from "./Saved";

type Suggestion = Schemas["Suggestion"];
export type ConnectState = "none" | "waiting" | "sent";

/** One person near me: who, why, what to say, and Connect. */
export function SuggestionCard({ suggestion, connect }: { suggestion: Suggestion; connect: ConnectState }) {
  const t = useT();
  const names = useLocalNames();
  const { attendee, zone, neighbouring, shared_topics, reason, icebreaker } = suggestion;
  const titleId = `person-${attendee.id}`;
  const saved = useSavedNow()(attendee.id, suggestion.saved);
  return (
    <li class="card person" aria-labelledby={titleId}>
      <PersonHead person={{ ...attendee, name: attendee.display_name }} titleId={titleId} />
      {neighbouring && <p class="tag-neighbour">{t("here.neighbouring", { zone: names.zone(zone) })}</p>}
      {saved && <p class="tag-saved">{t("saved.tag")}</p>}
      <ul class="topics" aria-label={t("here.sharedTopics")}>
        {shared_topics.map((topic) => (
          <li key={topic.id}>{names.topic(topic)}</li>
        ))}
      </ul>
      <p>{reason}</p>
      <blockquote class="icebreaker">
        <p class="hint">{t("here.icebreaker")}</p>
        <p>{icebreaker}</p>
      </blockquote>
      <ConnectButton attendeeId={attendee.id} state={connect} name={attendee.display_name} />
      <SaveForLater attendee={attendee} saved={saved} />
      <ProposeRendezvous attendeeId={attendee.id} name={attendee.display_name} zoneId={zone.id} />
      <BlockPerson attendeeId={attendee.id} name={attendee.display_name} />
      <ReportPerson attendeeId={attendee.id} name={attendee.display_name} />
    </li>
  );
}

function ConnectButton({ attendeeId, state, name }: { attendeeId: number; state: ConnectState; name: string }) {
  const t = useT();
  const chosen = useSharingChosen();
  const [choosing, setChoosing] = useState(false);
  const ask = () => void outbox.enqueue("contactRequest", { to_attendee_id: attendeeId, message: "" });
  if (choosing) return <ShareChoice
          heading="h4"
          onChosen={() => {
            setChoosing(false);
            ask();
          }}
          onCancel={() => setChoosing(false)}
        />;
  if (state !== "none") {
    return (
      <p class="done" role="status">
        {state === "sent" ? t("here.requestSent") : t("here.requestWaiting")}
      </p>
    );
  }
  return (
    <button
      type="button"
      class="btn-primary"
      aria-label={t("here.connectWith", { name })}
      onClick={() => (chosen ? ask() : setChoosing(true))}
    >
      {t("here.connect")}
    </button>
  );
}

/** Blocking is two taps away, never in the way: they are not told, and neither sees the other again. */
function BlockPerson({ attendeeId, name }: { attendeeId: number; name: string }) {
  const t = useT();
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" class="btn-link" onClick={() => setAsking(true)}>
        {t("block.ask", { name })}
      </button>
    );
  }
  return (
    <div class="confirm" role="group" aria-label={t("block.ask", { name })}>
      <p>{t("block.explain")}</p>
      <div class="row">
        <button type="button" class="btn-danger" onClick={() => void outbox.enqueue("block", { attendee_id: attendeeId })}>
          {t("block.confirm")}
        </button>
        <button type="button" onClick={() => setAsking(false)}>
          {t("settings.cancel")}
        </button>
      </div>
    </div>
  );
}
