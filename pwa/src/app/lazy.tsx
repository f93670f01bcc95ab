import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { useT } from "../i18n";

/** A screen in its own chunk: the initial JavaScript stays small, the chunk loads on first visit. */
export function lazyScreen(load: () => Promise<{ default: ComponentType }>): ComponentType {
  let loaded: ComponentType | undefined;
  return function LazyScreen() {
    const t = useT();
    const [Screen, setScreen] = useState<ComponentType | undefined>(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (loaded) return;
      load()
        .then((module) => {
          loaded = module.default;
          setScreen(() => module.default);
        })
        .catch(() => setFailed(true));
    }, []);
    if (Screen) return <Screen />;
    return <p role="status">{failed ? t("error.network") : t("common.loading")}</p>;
  };
}
