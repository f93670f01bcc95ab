import { outbox, usePending } from "../../app/outbox";
import { useResource } from "../../data/resources";
import { useT } from "../../i18n";

/** People I blocked: neither of us sees the other. Unblocking is one tap (queued like any write). */
export function Blocks() {
  const t = useT();
  const blocks = useResource("blocks").data ?? [];
  const pending = usePending("unblock");
  const unblocking = new Set(pending.map((i) => (i.payload as { attendee_id: number }).attendee_id));
  const shown = blocks.filter((b) => !unblocking.has(b.attendee.id));
  return (
    <section aria-labelledby="blocks-title">
      <h2 id="blocks-title">{t("blocks.title")}</h2>
      {shown.length === 0 ? (
        <p class="hint">{t("blocks.none")}</p>
      ) : (
        <ul class="counts">
          {shown.map(({ attendee }) => (
            <li key={attendee.id}>
              <span>{attendee.display_name}</span>
              <button
                type="button"
                aria-label={t("blocks.unblockName", { name: attendee.display_name })}
                onClick={() => void outbox.enqueue("unblock", { attendee_id: attendee.id })}
              >
                {t("blocks.unblock")}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
