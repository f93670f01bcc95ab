import { useState } from "preact/hooks";
import type { Schemas } from "../../../api/client";
import { useT } from "../i18n";
import { Field } from "../../../ui/Field";
import { Alert } from "../../../ui/Screen";
import { fromLocalInput } from "../zonedTime";
import { SlotTimes } from "./SlotTimes";
import { useSubmit } from "../useSubmit";
import type { FieldLabels } from "../formError";
import { SpeakerPicker, type Speaker } from "./SpeakerPicker";

export interface TalkFields {
  title: string;
  room: string;
  abstract: string;
  starts: string;
  ends: string;
  topic_ids: number[];
  speakers: Speaker[];
}

export interface TalkBody {
  title: string;
  room: string;
  abstract: string;
  starts_at: string;
  ends_at: string;
  topic_ids: number[];
  speaker_ids: number[];
}

const TALK_LABELS: FieldLabels = {
  title: "org.agenda.talkTitle",
  room: "org.agenda.room",
  abstract: "org.agenda.abstract",
  starts_at: "org.agenda.starts",
  ends_at: "org.agenda.ends",
  topic_ids: "org.agenda.topics",
  speaker_ids: "org.agenda.speakers",
};

/** A talk: its title, room, time, speakers and topics (icebreakers and speakers in the hallway draw on them). */
export function TalkForm({
  idPrefix,
  eventId,
  initial,
  timezone,
  topics,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  idPrefix: string;
  eventId: number;
  initial: TalkFields;
  timezone: string;
  topics: Schemas["TopicPublic"][];
  submitLabel: string;
  onSubmit: (body: TalkBody) => Promise<unknown>;
  onCancel?: () => void;
}) {
  const t = useT();
  const [fields, setFields] = useState(initial);
  const { busy, error, submit } = useSubmit(() =>
    onSubmit({
      title: fields.title.trim(),
      room: fields.room.trim(),
      abstract: fields.abstract.trim(),
      starts_at: fromLocalInput(fields.starts, timezone),
      ends_at: fromLocalInput(fields.ends, timezone),
      topic_ids: fields.topic_ids,
      speaker_ids: fields.speakers.map((s) => s.id),
    }),
    TALK_LABELS,
  );
  const toggle = (id: number, on: boolean) =>
    setFields({ ...fields, topic_ids: on ? [...fields.topic_ids, id] : fields.topic_ids.filter((n) => n !== id) });

  return (
    <form class="stack" onSubmit={submit}>
      <Field id={`${idPrefix}-title`} label={t("org.agenda.talkTitle")} required maxLength={300} value={fields.title}
        onInput={(e) => setFields({ ...fields, title: e.currentTarget.value })} />
      <Field id={`${idPrefix}-room`} label={t("org.agenda.room")} maxLength={100} value={fields.room}
        onInput={(e) => setFields({ ...fields, room: e.currentTarget.value })} />
      <SlotTimes idPrefix={idPrefix} starts={fields.starts} ends={fields.ends}
        onChange={(patch) => setFields({ ...fields, ...patch })} />
      <div class="field">
        <label for={`${idPrefix}-abstract`}>{t("org.agenda.abstract")}</label>
        <textarea id={`${idPrefix}-abstract`} rows={3} maxLength={10_000} value={fields.abstract}
          onInput={(e) => setFields({ ...fields, abstract: e.currentTarget.value })} />
      </div>
      <SpeakerPicker idPrefix={idPrefix} eventId={eventId} timezone={timezone} speakers={fields.speakers}
        onChange={(speakers) => setFields({ ...fields, speakers })} />
      {topics.length > 0 && (
        <fieldset>
          <legend>{t("org.agenda.topics")}</legend>
          {topics.map((topic) => (
            <label key={topic.id} class="check">
              <input type="checkbox" checked={fields.topic_ids.includes(topic.id)}
                onChange={(e) => toggle(topic.id, e.currentTarget.checked)} />
              {topic.name}
            </label>
          ))}
        </fieldset>
      )}
      <Alert text={error} />
      <div class="row">
        <button type="submit" class="btn-primary" disabled={busy}>{submitLabel}</button>
        {onCancel && <button type="button" onClick={onCancel}>{t("org.cancel")}</button>}
      </div>
    </form>
  );
}
