import { useState } from "preact/hooks";
import { useStore } from "../../app/store";
import { localName } from "../../data/localNames";
import type { Topic } from "../../data/resources";
import { language, useT } from "../../i18n";
import { searchTopics } from "./topicSearch";

/** The server's limit on interests per attendee. */
export const MAX_INTERESTS = 30;

interface Props {
  topics: Topic[];
  loading: boolean;
  selected: string[];
  onChange: (names: string[]) => void;
}

/** Toggle chips for the event's topics, with a search over their names and synonyms. */
export function TopicPicker({ topics, loading, selected, onChange }: Props) {
  const t = useT();
  const lang = useStore(language);
  const [query, setQuery] = useState("");
  const shown = searchTopics(topics, query);
  const toggle = (name: string) =>
    onChange(selected.includes(name) ? selected.filter((n) => n !== name) : [...selected, name]);

  return (
    <fieldset class="topics">
      <legend>{t("onboarding.topics")}</legend>
      <div class="field">
        <label for="topic-search">{t("onboarding.search")}</label>
        <input id="topic-search" type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
      </div>
      <p class="hint" aria-live="polite">
        {t("onboarding.selected", { n: selected.length, max: MAX_INTERESTS })}
      </p>
      {!loading && topics.length === 0 && <p>{t("onboarding.noTopics")}</p>}
      {topics.length > 0 && shown.length === 0 && <p>{t("onboarding.noMatch", { query })}</p>}
      <ul class="chips">
        {shown.map((topic) => {
          const on = selected.includes(topic.name);
          return (
            <li key={topic.id}>
              <button
                type="button"
                class="chip"
                aria-pressed={on}
                disabled={!on && selected.length >= MAX_INTERESTS}
                onClick={() => toggle(topic.name)}
              >
                {localName(topic, lang)}
              </button>
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}
