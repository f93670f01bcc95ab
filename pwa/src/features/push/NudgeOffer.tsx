import { useEffect, useState } from "preact/hooks";
import { outbox } from "../../app/outbox";
import { followLink } from "../../app/router";
import { useResource } from "../../data/resources";
import { useT } from "../../i18n";
import { database } from "../../offline/db";
import { PushStatus } from "./PushStatus";
import { usePushSwitch, type PushState } from "./usePushSwitch";

const DISMISSED_KEY = "nudgeOfferDismissed"; // a choice of the device: kept on sign-out, like the install hint

/** States in which the offer has something to propose (or, on iPhone, the way to get there). */
const OFFERED: PushState[] = ["off", "install-first"];

/** Right after a check-in, the moment a nudge makes sense: "tell me when someone to meet is near". Shown
 * once per phone until turned on or put off; its answer stays in view. */
export function NudgeOffer() {
  const t = useT();
  const prefs = useResource("pushPreferences").data;
  const [dismissed, setDismissed] = useState<boolean>();
  const [asked, setAsked] = useState(false);
  const { state, turnOn } = usePushSwitch(prefs?.enabled, (enabled) => {
    if (prefs) void outbox.enqueue("pushPreferences", { ...prefs, enabled });
  });

  useEffect(() => {
    void database()
      .then((db) => db.get("kv", DISMISSED_KEY))
      .then((value) => setDismissed(Boolean(value)));
  }, []);

  function dismiss() {
    setDismissed(true);
    void database().then((db) => db.put("kv", true, DISMISSED_KEY));
  }

  if (!prefs || dismissed !== false || (!asked && !OFFERED.includes(state))) return null;
  return (
    <section class="card" aria-labelledby="nudge-offer-title">
      <h2 id="nudge-offer-title">{t("nudgeOffer.title")}</h2>
      <p>{t("nudgeOffer.text")}</p>
      {asked || state !== "off" ? (
        <PushStatus id="nudge-offer-state" state={state} onRetry={() => void turnOn()} />
      ) : null}
      {(state === "on" || state === "pending") && (
        <p class="hint">
          {t("nudgeOffer.which")}{" "}
          <a href="/settings" onClick={followLink}>
            {t("nudgeOffer.settings")}
          </a>
        </p>
      )}
      <div class="row">
        {state === "off" && (
          <button
            type="button"
            class="btn-primary grow"
            onClick={() => {
              setAsked(true);
              void turnOn();
            }}
          >
            {t("nudgeOffer.turnOn")}
          </button>
        )}
        {state !== "working" && (
          <button type="button" onClick={dismiss}>
            {state === "on" || state === "pending" ? t("nudgeOffer.done") : t("nudgeOffer.notNow")}
          </button>
        )}
      </div>
    </section>
  );
}
