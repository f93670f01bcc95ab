import { outbox } from "../../app/outbox";
import { useT } from "../../i18n";

/** Reciprocity in one sentence: hidden, nobody sees you and you see no names; and the switch. */
export function Visibility({ visible, id = "visible" }: { visible: boolean; id?: string }) {
  const t = useT();
  return (
    <div class={visible ? "switch" : "switch privacy"}>
      <input
        id={id}
        type="checkbox"
        role="switch"
        checked={visible}
        aria-describedby={`${id}-hint`}
        onChange={(e) => void outbox.enqueue("profile", { visible: e.currentTarget.checked })}
      />
      <label for={id}>{t("visibility.label")}</label>
      <p id={`${id}-hint`} class="hint">
        {visible ? t("visibility.on") : t("visibility.off")}
      </p>
    </div>
  );
}
