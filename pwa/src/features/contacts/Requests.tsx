import { useState } from "preact/hooks";
import { outbox } from "../../app/outbox";
import { useLocalNames } from "../../data/localNames";
import type { ContactRequests } from "../../data/resources";
import { useT } from "../../i18n";
import { ShareChoice, useSharingChosen } from "./ShareChoice";

type Received = ContactRequests["received"][number];

/** Requests waiting for my answer (accept, decline, or decline and block the sender, queued like any write),
 * and mine still waiting. */
export function Requests({
  requests,
  answered,
  contactIds,
}: {
  requests: ContactRequests;
  answered: ReadonlySet<number>;
  contactIds: ReadonlySet<number | null>;
}) {
  const t = useT();
  const received = requests.received.filter((r) => !answered.has(r.id) && !contactIds.has(r.sender.id));
  const waiting = requests.sent.filter((r) => r.status === "pending" && !contactIds.has(r.to.id));
  if (received.length === 0 && waiting.length === 0) return null;
  return (
    <section aria-labelledby="requests-title">
      <h2 id="requests-title">{t("contacts.requests")}</h2>
      <ul class="plain">
        {received.map((request) => (
          <ReceivedRequest key={request.id} request={request} />
        ))}
      </ul>
      {waiting.length > 0 && (
        <p class="hint">{t("contacts.waitingFor", { names: waiting.map((r) => r.to.display_name).join(", ") })}</p>
      )}
    </section>
  );
}

function ReceivedRequest({ request }: { request: Received }) {
  const t = useT();
  const chosen = useSharingChosen();
  const [choosing, setChoosing] = useState(false);
  const names = useLocalNames();
  const accept = () => void outbox.enqueue("accept", { request_id: request.id });
  const { sender } = request;
  const id = `request-${request.id}`;
  const context = [
    request.zone_name ? t("contacts.atZone", { zone: names.named(request.zone_name) }) : "",
    request.shared_topics.length ? t("contacts.shared", { topics: request.shared_topics.map(names.named).join(", ") }) : "",
  ].filter(Boolean);
  return (
    <li class="card" aria-labelledby={id}>
      <h3 id={id}>{sender.display_name}</h3>
      {sender.headline && <p class="hint">{sender.headline}</p>}
      {context.length > 0 && <p>{context.join(" · ")}</p>}
      {request.message && <blockquote class="icebreaker">{request.message}</blockquote>}
      {choosing ? (
        <ShareChoice
          heading="h4"
          onChosen={() => {
            setChoosing(false);
            accept();
          }}
          onCancel={() => setChoosing(false)}
        />
      ) : (
        <>
          <div class="row">
            <button
              type="button"
              class="btn-primary grow"
              aria-label={t("contacts.acceptFrom", { name: sender.display_name })}
              onClick={() => (chosen ? accept() : setChoosing(true))}
            >
              {t("contacts.accept")}
            </button>
            <button type="button" onClick={() => void outbox.enqueue("decline", { request_id: request.id })}>
              {t("contacts.decline")}
            </button>
          </div>
          <button
            type="button"
            class="btn-link"
            aria-label={t("contacts.declineAndBlockFrom", { name: sender.display_name })}
            onClick={() => void outbox.enqueue("declineAndBlock", { request_id: request.id })}
          >
            {t("contacts.declineAndBlock")}
          </button>
        </>
      )}
    </li>
  );
}
