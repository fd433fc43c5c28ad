import { useEffect, useState } from "react";
import type { IpcError } from "../bindings";

export function ErrorBox(props: { error: IpcError; onRetry?: () => void }) {
  return (
    <div className="error-box" role="alert" data-testid="error">
      <div>
        <strong>{props.error.code}</strong>
        <span> {props.error.message}</span>
      </div>
      {props.onRetry && (
        <button className="btn small" onClick={props.onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Spinner(props: { label?: string }) {
  return (
    <div className="loading" data-testid="loading">
      <div className="spinner" /> {props.label ?? "Loading…"}
    </div>
  );
}

export function Empty(props: { title: string; children?: React.ReactNode; testid?: string }) {
  return (
    <div className="empty" data-testid={props.testid ?? "empty"}>
      <strong>{props.title}</strong>
      {props.children}
    </div>
  );
}

export function Labels(props: { stages: string[] }) {
  if (props.stages.length === 0) return <span className="muted small">deprecated</span>;
  return (
    <>
      {props.stages.map((s) => (
        <span key={s} className={`label ${s === "AWSCURRENT" ? "current" : s === "AWSPREVIOUS" ? "previous" : s === "AWSPENDING" ? "pending" : ""}`}>
          {s}
        </span>
      ))}
    </>
  );
}

/** Loads `f()` whenever `deps` change; keeps the last value while reloading. */
export function useLoad<T>(f: () => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ value: T | null; error: IpcError | null; loading: boolean }>({
    value: null,
    error: null,
    loading: true,
  });
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    f().then(
      (value) => live && setState({ value, error: null, loading: false }),
      (error: IpcError) => live && setState((s) => ({ value: s.value, error, loading: false })),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, nonce]);
  return { ...state, reload: () => setNonce((n) => n + 1) };
}
