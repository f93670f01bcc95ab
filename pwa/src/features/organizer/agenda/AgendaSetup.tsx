import { useState } from "preact/hooks";
import { unwrap, type Schemas } from "../../../api/client";
import { api } from "../../../app/api";
import { useStore } from "../../../app/store";
import { language, useT } from "../i18n";
import { formatMoment, formatTime } from "../../../i18n/format";
import { errorMessage } from "../../../ui/errors";
import { Alert } from "../../../ui/Screen";
import { Confirm } from "../Confirm";
import type { EventAdmin, SectionProps } from "../sections";
import { useLoad } from "../useLoad";
import { toLocalInput } from "../zonedTime";
import { BreakForm } from "./BreakForm";
import { TalkForm } from "./TalkForm";

type Talk = Schemas["TalkPublic"];
type Break = Schemas["BreakPublic"];
type Topic = Schemas["TopicPublic"];

/** The programme: talks and breaks, by hand (the Imports section brings a whole programme in). */
export function AgendaSetup({ event }: SectionProps) {
  const t = useT();
  const path = { params: { path: { event_id: event.id } } };
  const agenda = useLoad(() => unwrap(api.GET("/api/events/{event_id}/agenda", path)), [event.id]);
  const topics = useLoad(() => unwrap(api.GET("/api/events/{event_id}/topics", path)), [event.id]);
  const [added, setAdded] = useState(0); // a new key empties the add forms

  if (!agenda.data) {
    return agenda.error === undefined ? (
      <p role="status">{t("common.loading")}</p>
    ) : (
      <Alert text={errorMessage(t, agenda.error)} />
    );
  }
  const changed = () => {
    setAdded((n) => n + 1);
    agenda.reload();
  };
  const eventStart = toLocalInput(event.starts_at, event.timezone);
  const blank = { starts: eventStart, ends: eventStart };

  return (
    <>
      <p class="lead">{t("org.agenda.intro", { timezone: event.timezone })}</p>
      <section aria-labelledby="breaks-title">
        <h2 id="breaks-title">{t("org.agenda.breaks")}</h2>
        {agenda.data.breaks.length === 0 && <p>{t("org.agenda.noBreaks")}</p>}
        <ul class="org-list">
          {agenda.data.breaks.map((slot) => (
            <BreakItem key={slot.id} event={event} slot={slot} onChange={changed} />
          ))}
        </ul>
        <details class="card">
          <summary>{t("org.agenda.addBreak")}</summary>
          <BreakForm key={added} idPrefix="break-new" initial={{ label: "", ...blank }} timezone={event.timezone}
            submitLabel={t("org.agenda.addBreakSubmit")}
            onSubmit={async (body) => {
              await unwrap(api.POST("/api/events/{event_id}/breaks", { ...path, body }));
              changed();
            }} />
        </details>
      </section>
      <section aria-labelledby="talks-title">
        <h2 id="talks-title">{t("org.agenda.talks")}</h2>
        {agenda.data.talks.length === 0 && <p>{t("org.agenda.noTalks")}</p>}
        <ul class="org-list">
          {agenda.data.talks.map((talk) => (
            <TalkItem key={talk.id} event={event} talk={talk} topics={topics.data ?? []} onChange={changed} />
          ))}
        </ul>
        <details class="card">
          <summary>{t("org.agenda.addTalk")}</summary>
          <TalkForm key={added} idPrefix="talk-new" eventId={event.id} timezone={event.timezone}
            topics={topics.data ?? []}
            initial={{ title: "", room: "", abstract: "", topic_ids: [], speakers: [], ...blank }}
            submitLabel={t("org.agenda.addTalkSubmit")}
            onSubmit={async (body) => {
              await unwrap(api.POST("/api/events/{event_id}/talks", { ...path, body }));
              changed();
            }} />
        </details>
      </section>
    </>
  );
}

function When({ event, starts, ends }: { event: EventAdmin; starts: string; ends: string }) {
  const lang = useStore(language);
  return (
    <p class="hint">
      {formatMoment(Date.parse(starts), lang, event.timezone)} – {formatTime(Date.parse(ends), lang, event.timezone)}
    </p>
  );
}

function BreakItem({ event, slot, onChange }: { event: EventAdmin; slot: Break; onChange: () => void }) {
  const t = useT();
  const [editing, setEditing] = useState(false);
  const path = { params: { path: { event_id: event.id, break_id: slot.id } } };
  return (
    <li class="card" aria-labelledby={`break-${slot.id}`}>
      <h3 id={`break-${slot.id}`}>{slot.label}</h3>
      <When event={event} starts={slot.starts_at} ends={slot.ends_at} />
      {editing ? (
        <BreakForm idPrefix={`break-${slot.id}-edit`} timezone={event.timezone} submitLabel={t("org.save")}
          initial={{
            label: slot.label,
            starts: toLocalInput(slot.starts_at, event.timezone),
            ends: toLocalInput(slot.ends_at, event.timezone),
          }}
          onCancel={() => setEditing(false)}
          onSubmit={async (body) => {
            await unwrap(api.PATCH("/api/events/{event_id}/breaks/{break_id}", { ...path, body }));
            setEditing(false);
            onChange();
          }} />
      ) : (
        <div class="row">
          <button type="button" onClick={() => setEditing(true)}>{t("org.edit")}</button>
          <Confirm label={t("org.delete")} danger warning={t("org.agenda.deleteBreakWarning")}
            confirmLabel={t("org.deleteYes")}
            onConfirm={async () => {
              await unwrap(api.DELETE("/api/events/{event_id}/breaks/{break_id}", path));
              onChange();
            }} />
        </div>
      )}
    </li>
  );
}

function TalkItem({
  event,
  talk,
  topics,
  onChange,
}: {
  event: EventAdmin;
  talk: Talk;
  topics: Topic[];
  onChange: () => void;
}) {
  const t = useT();
  const [editing, setEditing] = useState(false);
  const path = { params: { path: { event_id: event.id, talk_id: talk.id } } };
  const speakers = talk.speakers.map((s) => s.display_name).join(", ");
  return (
    <li class="card" aria-labelledby={`talk-${talk.id}`}>
      <h3 id={`talk-${talk.id}`}>{talk.title}</h3>
      <When event={event} starts={talk.starts_at} ends={talk.ends_at} />
      {(talk.room || speakers) && <p class="hint">{[talk.room, speakers].filter(Boolean).join(" · ")}</p>}
      {editing ? (
        <TalkForm idPrefix={`talk-${talk.id}-edit`} eventId={event.id} timezone={event.timezone} topics={topics}
          submitLabel={t("org.save")}
          initial={{
            title: talk.title,
            room: talk.room,
            abstract: talk.abstract,
            topic_ids: talk.topic_ids,
            speakers: talk.speakers,
            starts: toLocalInput(talk.starts_at, event.timezone),
            ends: toLocalInput(talk.ends_at, event.timezone),
          }}
          onCancel={() => setEditing(false)}
          onSubmit={async (body) => {
            await unwrap(api.PATCH("/api/events/{event_id}/talks/{talk_id}", { ...path, body }));
            setEditing(false);
            onChange();
          }} />
      ) : (
        <div class="row">
          <button type="button" onClick={() => setEditing(true)}>{t("org.edit")}</button>
          <Confirm label={t("org.delete")} danger warning={t("org.agenda.deleteTalkWarning")}
            confirmLabel={t("org.deleteYes")}
            onConfirm={async () => {
              await unwrap(api.DELETE("/api/events/{event_id}/talks/{talk_id}", path));
              onChange();
            }} />
        </div>
      )}
    </li>
  );
}
