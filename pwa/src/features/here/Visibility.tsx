import { useEffect, useState } from "preact/hooks";
import { outbox } from "../../app/outbox";
import { useT } from "../../i18n";

/** Reciprocity in one sentence: hidden, nobody sees you and you see no names; and the switch. */
export function Visibility({ visible, id = "visible" }: { visible: boolean; id?: string }) {
  const t = useT();
  // The tap shows at once: `visible` follows only when the queued write is read back from the outbox,
  // and a re-render before that must not flip the switch back.
  const [chosen, setChosen] = useState<boolean>();
  useEffect(() => setChosen(undefined), [visible]);
  const shown = chosen ?? visible;
  return (
    <div class={shown ? "switch" : "switch privacy"}>
      <input
        id={id}
        type="checkbox"
        role="switch"
        checked={shown}
        aria-describedby={`${id}-hint`}
        onChange={(e) => {
          const on = e.currentTarget.checked;
          setChosen(on);
          void outbox.enqueue("profile", { visible: on });
        }}
      />
      <label for={id}>{t("visibility.label")}</label>
      <p id={`${id}-hint`} class="hint">
        {shown ? t("visibility.on") : t("visibility.off")}
      </p>
    </div>
  );
}
