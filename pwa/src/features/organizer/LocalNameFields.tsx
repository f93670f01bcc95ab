import { Field } from "../../ui/Field";
import { useT } from "./i18n";

export interface LocalNames {
  name_fr: string | null;
  name_en: string | null;
}

/** An empty box clears the language's name: attendees then see the default name. */
export const localNamesOf = (names: LocalNames): LocalNames => ({
  name_fr: names.name_fr?.trim() || null,
  name_en: names.name_en?.trim() || null,
});

/** Optional names for French and English screens, beside the default name. */
export function LocalNameFields({
  idPrefix,
  names,
  onChange,
}: {
  idPrefix: string;
  names: LocalNames;
  onChange: (names: LocalNames) => void;
}) {
  const t = useT();
  return (
    <>
      <Field id={`${idPrefix}-name-fr`} label={t("org.names.fr")} hint={t("org.names.hint")} maxLength={100}
        value={names.name_fr ?? ""} onInput={(e) => onChange({ ...names, name_fr: e.currentTarget.value })} />
      <Field id={`${idPrefix}-name-en`} label={t("org.names.en")} maxLength={100}
        value={names.name_en ?? ""} onInput={(e) => onChange({ ...names, name_en: e.currentTarget.value })} />
    </>
  );
}

/** "French: Bar à café · English: —" under a zone or topic that has a name per language. */
export function LocalNamesLine({ names }: { names: { name_fr?: string | null; name_en?: string | null } }) {
  const t = useT();
  if (!names.name_fr && !names.name_en) return null;
  return <p class="hint">{t("org.names.line", { fr: names.name_fr || "—", en: names.name_en || "—" })}</p>;
}
