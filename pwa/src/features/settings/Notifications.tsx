import { useState } from "preact/hooks";
import { outbox } from "../../app/outbox";
import { useResource, type PushPreferences } from "../../data/resources";
import { useT, type MessageKey } from "../../i18n";
import { PushStatus } from "../push/PushStatus";
import { usePushSwitch } from "../push/usePushSwitch";

const TYPES: { name: Exclude<keyof PushPreferences, "enabled">; label: MessageKey; hint: MessageKey }[] = [
  { name: "break_nudges", label: "push.breakNudges", hint: "push.breakNudgesHint" },
  { name: "speaker_nearby", label: "push.speakerNearby", hint: "push.speakerNearbyHint" },
  { name: "contact_requests", label: "push.contactRequests", hint: "push.contactRequestsHint" },
];

/** One switch for all notifications (turning it on subscribes this phone, from the tap), then one per type. */
export function Notifications() {
  const t = useT();
  const loaded = useResource("pushPreferences").data;
  // The person's latest choices, shown at once: the write may still be queued or on its way.
  const [chosen, setChosen] = useState<Partial<PushPreferences>>({});
  const prefs = loaded && { ...loaded, ...chosen };
  const save = (change: Partial<PushPreferences>) => {
    setChosen({ ...chosen, ...change });
    void outbox.enqueue("pushPreferences", { ...prefs, ...change });
  };
  const { state, turnOn, turnOff } = usePushSwitch(prefs?.enabled, (enabled) => save({ enabled }));

  if (!prefs) return null;
  const possible = state !== "unsupported" && state !== "install-first";
  return (
    <section class="stack" aria-labelledby="push-title">
      <h2 id="push-title">{t("push.title")}</h2>
      {possible && (
        <div class="switch">
          <input
            id="push-enabled"
            type="checkbox"
            role="switch"
            checked={state === "on" || state === "pending" || state === "working"}
            disabled={state === "checking" || state === "working" || state === "denied"}
            aria-busy={state === "working"}
            aria-describedby="push-enabled-hint push-state"
            onChange={(e) => void (e.currentTarget.checked ? turnOn() : turnOff())}
          />
          <label for="push-enabled">{t("push.enabled")}</label>
          <p id="push-enabled-hint" class="hint">
            {t("push.enabledHint")}
          </p>
        </div>
      )}
      <PushStatus id="push-state" state={state} onRetry={() => void turnOn()} />
      <fieldset class="stack">
        <legend>{t("push.types")}</legend>
        {TYPES.map(({ name, label, hint }) => (
          <div class="switch" key={name}>
            <input
              id={`push-${name}`}
              type="checkbox"
              checked={prefs[name]}
              aria-describedby={`push-${name}-hint`}
              onChange={(e) => save({ [name]: e.currentTarget.checked })}
            />
            <label for={`push-${name}`}>{t(label)}</label>
            <p id={`push-${name}-hint`} class="hint">
              {t(hint)}
            </p>
          </div>
        ))}
      </fieldset>
    </section>
  );
}
