import { useEffect, useState } from "preact/hooks";
import { photoObjectUrl } from "./photo";

/** A person's photo where their card is shown; their initials while it loads, offline, or without one. */
export function PersonPhoto({ url, name }: { url: string | null | undefined; name: string }) {
  const [src, setSrc] = useState<string>();
  useEffect(() => {
    setSrc(undefined);
    if (!url) return;
    let live = true;
    photoObjectUrl(url).then(
      (objectUrl) => live && setSrc(objectUrl),
      () => undefined, // initials stay
    );
    return () => {
      live = false;
    };
  }, [url]);
  // Beside the name, which says who it is: decorative for a screen reader.
  if (src) return <img class="avatar" src={src} alt="" width={56} height={56} />;
  return (
    <span class="avatar initials" aria-hidden="true">
      {initials(name)}
    </span>
  );
}

function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  return words
    .slice(0, 2)
    .map((word) => Array.from(word)[0]?.toUpperCase() ?? "")
    .join("");
}
