import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

/** A screen with its title; the title takes focus so a screen reader announces the new screen. */
export function Screen({ title, children }: { title: string; children: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus({ preventScroll: true }), []);
  return (
    <section class="screen" aria-labelledby="screen-title">
      <h1 id="screen-title" tabIndex={-1} ref={heading}>
        {title}
      </h1>
      {children}
    </section>
  );
}

export function Alert({ text }: { text: string | undefined }) {
  return text ? (
    <p role="alert" class="alert">
      {text}
    </p>
  ) : null;
}
