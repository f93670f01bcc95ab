import type { InputHTMLAttributes } from "preact";

type InputProps = InputHTMLAttributes<HTMLInputElement>;

/** A labelled input with an optional hint read out with it. */
export function Field({ id, label, hint, ...input }: InputProps & { id: string; label: string; hint?: string }) {
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} aria-describedby={hintId} {...input} />
      {hint && (
        <p id={hintId} class="hint">
          {hint}
        </p>
      )}
    </div>
  );
}
