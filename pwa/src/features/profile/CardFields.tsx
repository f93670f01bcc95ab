import { useT, type MessageKey } from "../../i18n";

export interface CardLines {
  headline: string;
  company?: string;
  ask_me_about: string;
  find_me_hint: string;
}

// The server's bounds (api/attendees/schemas.py): said here so the keyboard stops where the server would.
const FIELDS: { name: keyof CardLines; label: MessageKey; hint?: MessageKey; maxLength: number; autoComplete?: string }[] = [
  { name: "headline", label: "card.headline", hint: "card.headlineHint", maxLength: 160, autoComplete: "organization-title" },
  { name: "company", label: "card.company", maxLength: 120, autoComplete: "organization" },
  { name: "ask_me_about", label: "card.askMeAbout", hint: "card.askMeAboutHint", maxLength: 160 },
  { name: "find_me_hint", label: "card.findMe", hint: "card.findMeHint", maxLength: 120 },
];

/** The lines of my card others read: job title, company (when given here), "ask me about", "how to find me". */
export function CardFields({ value, onChange, idPrefix }: { value: CardLines; onChange: (next: CardLines) => void; idPrefix: string }) {
  const t = useT();
  return (
    <>
      {FIELDS.filter((field) => value[field.name] !== undefined).map(({ name, label, hint, maxLength, autoComplete }) => {
        const id = `${idPrefix}-${name}`;
        return (
          <div class="field" key={name}>
            <label for={id}>{t(label)}</label>
            <input
              id={id}
              value={value[name]}
              maxLength={maxLength}
              autoComplete={autoComplete ?? "off"}
              aria-describedby={hint && `${id}-hint`}
              onInput={(e) => onChange({ ...value, [name]: e.currentTarget.value })}
            />
            {hint && (
              <p id={`${id}-hint`} class="hint">
                {t(hint)}
              </p>
            )}
          </div>
        );
      })}
    </>
  );
}

/** The lines as the server takes them: one line each, trimmed. */
export function cardChange(lines: CardLines): CardLines {
  const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();
  return Object.fromEntries(Object.entries(lines).map(([name, text]) => [name, oneLine(text ?? "")])) as unknown as CardLines;
}
