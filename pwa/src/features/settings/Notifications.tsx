import { useEffect, useState } from "preact/hooks";
import { outbox } from "../../app/outbox";
import { useResource, type PushPreferences } from "../../data/resources";
import { useT, type MessageKey } from "../../i18n";
import { Alert } from "../../ui/Screen";
import { deviceSubscribed, pushSupport, subscribeThisDevice, type SubscribeResult } from "./push";

const TYPES: { name: Exclude<keyof PushPreferences, "enabled">; label: MessageKey; hint: MessageKey }[] = [
  { name: "break_nudges", label: "push.breakNudges", hint: "push.breakNudgesHint" },
  { name: "speaker_nearby", label: "push.speakerNearby", hint: "push.speakerNearbyHint" },
  { name: "contact_requests", label: "push.contactRequests", hint: "push.contactRequestsHint" },
];

const RESULT: Record<Exclude<SubscribeResult, "subscribed">, MessageKey> = {
  pending: "push.pending",
  denied: "push.denied",
  failed: "push.failed",
};

/** One switch for all notifications (turning it on subscribes this phone, from the tap), then one per type. */
export function Notifications() {
  const t = useT();
  const loaded = useResource("pushPreferences").data;
  // The person's latest choices, shown at once: the write may still be queued or on its way.
  const [chosen, setChosen] = useState<Partial<PushPreferences>>({});
  const [subscribed, setSubscribed] = useState(false);
  const [problem, setProblem] = useState<MessageKey>();
  const [busy, setBusy] = useState(false);
  const support = pushSupport();

  useEffect(() => void deviceSubscribed().then(setSubscribed), []);

  if (!loaded) return null;
  const prefs = { ...loaded, ...chosen };
  const save = (change: Partial<PushPreferences>) => {
    setChosen({ ...chosen, ...change });
    void outbox.enqueue("pushPreferences", { ...prefs, ...change });
  };
  const on = prefs.enabled && subscribed;

  async function toggle(enable: boolean) {
    setProblem(undefined);
    if (!enable) return save({ enabled: false });
    setBusy(true);
    const result = await subscribeThisDevice();
    setBusy(false);
    if (result === "subscribed" || result === "pending") {
      setSubscribed(true);
      save({ enabled: true });
    }
    if (result !== "subscribed") setProblem(RESULT[result]);
  }

  return (
    <section class="stack" aria-labelledby="push-title">
      <h2 id="push-title">{t("push.title")}</h2>
      {support !== "ok" ? (
        <p class="hint">{support === "install-first" ? t("push.installFirst") : t("push.unsupported")}</p>
      ) : (
        <div class="switch">
          <input
            id="push-enabled"
            type="checkbox"
            role="switch"
            checked={on}
            disabled={busy}
            aria-describedby="push-enabled-hint"
            onChange={(e) => void toggle(e.currentTarget.checked)}
          />
          <label for="push-enabled">{t("push.enabled")}</label>
          <p id="push-enabled-hint" class="hint">
            {t("push.enabledHint")}
          </p>
        </div>
      )}
      <Alert text={problem ? t(problem) : undefined} />
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
