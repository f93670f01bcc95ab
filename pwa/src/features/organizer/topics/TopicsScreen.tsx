import { useState } from "preact/hooks";
import { unwrap, type Schemas } from "../../../api/client";
import { api } from "../../../app/api";
import { useT } from "../i18n";
import { errorMessage } from "../../../ui/errors";
import { Alert } from "../../../ui/Screen";
import { Confirm } from "../Confirm";
import { LocalNamesLine } from "../LocalNameFields";
import type { SectionProps } from "../sections";
import { useLoad } from "../useLoad";
import { TopicForm } from "./TopicForm";

type Topic = Schemas["TopicPublic"];

/** The event's vocabulary: attendees pick their interests from it, suggestions match on it. */
export function TopicsScreen({ event }: SectionProps) {
  const t = useT();
  const path = { params: { path: { event_id: event.id } } };
  const topics = useLoad(() => unwrap(api.GET("/api/events/{event_id}/topics", path)), [event.id]);
  const [added, setAdded] = useState(0);

  if (!topics.data) {
    return topics.error === undefined ? (
      <p role="status">{t("common.loading")}</p>
    ) : (
      <Alert text={errorMessage(t, topics.error)} />
    );
  }
  return (
    <>
      <p class="lead">{t("org.topics.intro")}</p>
      <section class="card" aria-labelledby="topic-add-title">
        <h2 id="topic-add-title">{t("org.topics.add")}</h2>
        <TopicForm key={added} idPrefix="topic-new" initial={{ name: "", name_fr: null, name_en: null, synonyms: [] }} submitLabel={t("org.add")}
          onSubmit={async (body) => {
            await unwrap(api.POST("/api/events/{event_id}/topics", { ...path, body }));
            setAdded((n) => n + 1);
            topics.reload();
          }} />
      </section>
      {topics.data.length === 0 && <p>{t("org.topics.none")}</p>}
      <ul class="org-list">
        {topics.data.map((topic) => (
          <TopicItem key={topic.id} eventId={event.id} topic={topic} onChange={topics.reload} />
        ))}
      </ul>
    </>
  );
}

function TopicItem({ eventId, topic, onChange }: { eventId: number; topic: Topic; onChange: () => void }) {
  const t = useT();
  const [editing, setEditing] = useState(false);
  const path = { params: { path: { event_id: eventId, topic_id: topic.id } } };
  return (
    <li class="card" aria-labelledby={`topic-${topic.id}`}>
      <h2 id={`topic-${topic.id}`}>{topic.name}</h2>
      <LocalNamesLine names={topic} />
      {topic.synonyms.length > 0 && <p class="hint">{t("org.topic.aka", { words: topic.synonyms.join(", ") })}</p>}
      {editing ? (
        <TopicForm idPrefix={`topic-${topic.id}-edit`} initial={{ name_fr: null, name_en: null, ...topic }} submitLabel={t("org.save")}
          onCancel={() => setEditing(false)}
          onSubmit={async (body) => {
            await unwrap(api.PATCH("/api/events/{event_id}/topics/{topic_id}", { ...path, body }));
            setEditing(false);
            onChange();
          }} />
      ) : (
        <div class="row">
          <button type="button" onClick={() => setEditing(true)}>{t("org.edit")}</button>
          <Confirm label={t("org.delete")} danger warning={t("org.topic.deleteWarning")}
            confirmLabel={t("org.deleteYes")}
            onConfirm={async () => {
              await unwrap(api.DELETE("/api/events/{event_id}/topics/{topic_id}", path));
              onChange();
            }} />
        </div>
      )}
    </li>
  );
}
