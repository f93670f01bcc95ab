import { useState } from "preact/hooks";
import { useT } from "../i18n";
import { Field } from "../../../ui/Field";
import { Alert } from "../../../ui/Screen";
import { LocalNameFields, localNamesOf, type LocalNames } from "../LocalNameFields";
import { useSubmit } from "../useSubmit";

export interface TopicBody extends LocalNames {
  name: string;
  synonyms: string[];
}

/** "k8s, kube" → ["k8s", "kube"]: synonyms typed in one line, commas between. */
export function synonymsOf(line: string): string[] {
  const seen = new Set<string>();
  return line
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s && !seen.has(s.toLowerCase()) && seen.add(s.toLowerCase()));
}

/** A topic of the event's vocabulary, and the other words people use for it. */
export function TopicForm({
  idPrefix,
  initial,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  idPrefix: string;
  initial: TopicBody;
  submitLabel: string;
  onSubmit: (body: TopicBody) => Promise<unknown>;
  onCancel?: () => void;
}) {
  const t = useT();
  const [name, setName] = useState(initial.name);
  const [synonyms, setSynonyms] = useState(initial.synonyms.join(", "));
  const [names, setNames] = useState<LocalNames>(initial);
  const { busy, error, submit } = useSubmit(
    () => onSubmit({ name: name.trim(), ...localNamesOf(names), synonyms: synonymsOf(synonyms) }),
    { name: "org.topic.name", name_fr: "org.names.fr", name_en: "org.names.en", synonyms: "org.topic.synonyms" },
  );
  return (
    <form class="stack" onSubmit={submit}>
      <Field id={`${idPrefix}-name`} label={t("org.topic.name")} required maxLength={100} value={name}
        onInput={(e) => setName(e.currentTarget.value)} />
      <LocalNameFields idPrefix={idPrefix} names={names} onChange={setNames} />
      <Field id={`${idPrefix}-synonyms`} label={t("org.topic.synonyms")} hint={t("org.topic.synonymsHint")}
        value={synonyms} onInput={(e) => setSynonyms(e.currentTarget.value)} />
      <Alert text={error} />
      <div class="row">
        <button type="submit" class="btn-primary" disabled={busy}>{submitLabel}</button>
        {onCancel && <button type="button" onClick={onCancel}>{t("org.cancel")}</button>}
      </div>
    </form>
  );
}
