import { useT, type Lang } from "../i18n";

const LANGS: Lang[] = ["fr", "en"];

/** French or English; each name is written in its own language. */
export function LanguagePicker({ value, onChange, legend }: { value: Lang; onChange: (lang: Lang) => void; legend: string }) {
  const t = useT();
  return (
    <fieldset class="segmented">
      <legend>{legend}</legend>
      {LANGS.map((lang) => (
        <div key={lang}>
          <input
            id={`lang-${lang}`}
            type="radio"
            name="language"
            value={lang}
            checked={value === lang}
            onChange={() => onChange(lang)}
          />
          <label for={`lang-${lang}`} lang={lang}>
            {t(`lang.${lang}`)}
          </label>
        </div>
      ))}
    </fieldset>
  );
}
