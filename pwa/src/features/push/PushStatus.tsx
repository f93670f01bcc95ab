import { useT, type MessageKey } from "../../i18n";
import type { PushState } from "./usePushSwitch";

const SAID: Partial<Record<PushState, MessageKey>> = {
  off: "pushSwitch.off",
  working: "pushSwitch.working",
  on: "pushSwitch.on",
  pending: "push.pending",
  denied: "push.denied",
  unsupported: "push.unsupported",
  "install-first": "push.installFirst",
  failed: "push.failed",
};

/** What the switch's state means for this phone, read out as it changes; a failure offers to try again. */
export function PushStatus({ id, state, onRetry }: { id: string; state: PushState; onRetry: () => void }) {
  const t = useT();
  const said = SAID[state];
  const problem = state === "denied" || state === "failed";
  return (
    <div class="push-status">
      <p id={id} role="status" class={problem ? "alert" : "hint"}>
        {said ? t(said) : ""}
      </p>
      {state === "failed" && (
        <button type="button" onClick={onRetry}>
          {t("pushSwitch.retry")}
        </button>
      )}
    </div>
  );
}
