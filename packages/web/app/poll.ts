// Polling of API resources: the first answer, then a refresh every `intervalMs`; when the
// controller cannot be reached the page keeps its last data, says "reconnecting" and recovers.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiFailure } from './api.ts';

/** State of a polled resource: data once loaded, the last failure, and whether it is reconnecting. */
export interface Polled<T> {
  data: T | undefined;
  error: ApiFailure | undefined;
  reconnecting: boolean;
}

/** Loads `load()` now and every `intervalMs` while `active` (0: once); reloads when `key` changes. */
export function usePoll<T>(
  load: () => Promise<T>,
  key: string,
  intervalMs: number,
  active = true,
): Polled<T> {
  const [state, setState] = useState<Polled<T>>({
    data: undefined,
    error: undefined,
    reconnecting: false,
  });
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    setState({ data: undefined, error: undefined, reconnecting: false });
  }, [key]);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async (): Promise<void> => {
      try {
        const data = await loadRef.current();
        if (!stopped) setState({ data, error: undefined, reconnecting: false });
      } catch (err) {
        const failure = err instanceof ApiFailure ? err : new ApiFailure(0, 'CLIENT', String(err));
        if (!stopped) {
          setState((s) => ({ data: s.data, error: failure, reconnecting: failure.status === 0 }));
        }
      }
      if (!stopped && active && intervalMs > 0) timer = setTimeout(() => void tick(), intervalMs);
    };
    void tick();
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [key, intervalMs, active]);
  return state;
}
