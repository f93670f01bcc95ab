import { useEffect } from "preact/hooks";
import { ApiError } from "../api/client";
import { useT, type MessageKey } from "../i18n";
import { errorMessage } from "../ui/errors";
import { notice } from "./notices";
import { outbox, useOutbox } from "./outbox";
import { useStore } from "./store";
import { applyUpdate, offlineReady, updateReady } from "./updates";

const KIND_NAMES: Record<string, MessageKey> = {
  profile: "kind.profile",
  checkin: "kind.checkin",
  leave: "kind.leave",
  contactRequest: "kind.contactRequest",
  accept: "kind.answer",
  decline: "kind.answer",
  declineAndBlock: "kind.answer",
  connectScan: "kind.connectScan",
  contactEdit: "kind.contactEdit",
  block: "kind.block",
  unblock: "kind.block",
  report: "kind.report",
  sharing: "kind.sharing",
  pushPreferences: "kind.notifications",
  pushSubscription: "kind.notifications",
  bookmark: "kind.bookmark",
  unbookmark: "kind.bookmark",
  rendezvous: "kind.rendezvous",
  rendezvousAnswer: "kind.rendezvous",
  rendezvousCounter: "kind.rendezvous",
};
const INFO_SECONDS = 6;

/** Information fades by itself; what needs a decision (update, refused write) stays until acted on. */
function useFade(shown: boolean, hide: () => void) {
  useEffect(() => {
    if (!shown) return;
    const timer = setTimeout(hide, INFO_SECONDS * 1000);
    return () => clearTimeout(timer);
  }, [shown]);
}

/** Update prompt, "ready to work offline", refused writes and one-off notices, above the tab bar. */
export function Toasts() {
  const t = useT();
  const update = useStore(updateReady);
  const ready = useStore(offlineReady);
  const message = useStore(notice);
  const { dropped } = useOutbox();
  useFade(ready, () => offlineReady.set(false));
  useFade(message !== null, () => notice.set(null));
  return (
    <div class="toasts" role="status" aria-live="polite">
      {update && (
        <div class="toast">
          <span>{t("toast.update")}</span>
          <button type="button" class="btn-primary" onClick={applyUpdate}>
            {t("toast.reload")}
          </button>
        </div>
      )}
      {ready && (
        <div class="toast">
          <span>{t("toast.offlineReady")}</span>
          <button type="button" onClick={() => offlineReady.set(false)}>
            {t("toast.dismiss")}
          </button>
        </div>
      )}
      {message && (
        <div class="toast">
          <span>{t(message)}</span>
          <button type="button" onClick={() => notice.set(null)}>
            {t("toast.dismiss")}
          </button>
        </div>
      )}
      {dropped.map(({ item, status, error }) => (
        <div class="toast toast-error" key={item.key}>
          <span>
            {t("toast.dropped", {
              what: t(KIND_NAMES[item.kind] ?? "kind.other"),
              reason: errorMessage(t, ApiError.from(status, error)),
            })}
          </span>
          <button type="button" onClick={() => outbox.dismiss(item.key)}>
            {t("toast.dismiss")}
          </button>
        </div>
      ))}
    </div>
  );
}
