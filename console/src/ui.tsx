// Small shared pieces: the error banner, async actions, hash routes.
import { useEffect, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';

export function navigate(path: string) {
  location.hash = '#' + path;
}

export function useRoute(): string[] {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const f = () => setHash(location.hash);
    addEventListener('hashchange', f);
    return () => removeEventListener('hashchange', f);
  }, []);
  return hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
}

// useLoad runs load now and whenever deps change; reload runs it again.
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data?: T; error?: string; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (data) => live && setState({ data }),
      (e) => live && setState({ error: String(e.message || e) }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

export function ErrorBox({ error }: { error?: string }) {
  return error ? <div class="error" role="alert">{error}</div> : null;
}

// useAction wraps an async handler: it shows its error and a busy state.
export function useAction(): [string | undefined, boolean, (f: () => Promise<unknown>) => Promise<void>] {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const run = async (f: () => Promise<unknown>) => {
    setError(undefined);
    setBusy(true);
    try {
      await f();
    } catch (e: any) {
      setError(String(e.message || e));
    } finally {
      setBusy(false);
    }
  };
  return [error, busy, run];
}

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section class="card">
      <h2>{title}</h2>
      {children}
    </section>
  );
}
