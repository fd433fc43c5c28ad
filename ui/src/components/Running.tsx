import { useEffect, useState } from "react";
import { api } from "../api";
import type { RunningFrontEnd } from "../bindings";

const POLL_MS = 2000;

/** `:2773` for a loopback address, the whole address otherwise. */
export function shortAddress(address: string): string {
  const bare = address.replace(/^https?:\/\//, "");
  for (const loopback of ["127.0.0.1", "[::1]"]) {
    if (bare.startsWith(loopback)) return bare.slice(loopback.length);
  }
  return bare;
}

/** How the header names a running front end. */
export function runningLabel(r: RunningFrontEnd): string {
  switch (r.frontEnd) {
    case "session":
      return "session";
    case "agent":
      return `agent ${shortAddress(r.address)}`;
    case "endpoint":
      return r.address.startsWith("https://")
        ? `sdk https ${shortAddress(r.address)}`
        : `sdk ${shortAddress(r.address)}`;
    default:
      return r.frontEnd;
  }
}

function title(r: RunningFrontEnd): string {
  const what =
    r.frontEnd === "session"
      ? "Session agent (coffer unlock): the CLI and the terminal console run through it without the passphrase"
      : r.frontEnd === "agent"
        ? "Secrets Manager Agent endpoint (coffer serve --agent)"
        : "SDK endpoint (coffer serve)";
  return `${what} — ${r.address}, pid ${r.pid}, unlocked by ${r.operator}`;
}

/** What else runs on this vault: the session agent and the endpoints, re-read every 2 s. */
export function RunningBadges(props: { locked?: boolean }) {
  const [running, setRunning] = useState<RunningFrontEnd[]>([]);
  useEffect(() => {
    let stopped = false;
    const tick = () =>
      api.running().then(
        (r) => {
          if (!stopped) setRunning(r);
        },
        () => undefined,
      );
    tick();
    const id = setInterval(tick, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(id);
    };
  }, []);
  if (running.length === 0) return null;
  const session = running.some((r) => r.frontEnd === "session");
  return (
    <>
    {props.locked && session && (
      <p className="muted" data-testid="session-note">
        A session agent (<code>coffer unlock</code>) holds this vault unlocked for the CLI and the terminal console.
        The desktop app still asks for your passphrase: the session never hands its keys to another process.
      </p>
    )}
    <div className="running" data-testid="running">
      {running.map((r) => (
        <span key={`${r.frontEnd}-${r.pid}-${r.address}`} className={`running-pill ${r.frontEnd}`} title={title(r)} data-testid={`running-${r.frontEnd}`}>
          <span className="running-dot" aria-hidden />
          {runningLabel(r)}
        </span>
      ))}
    </div>
    </>
  );
}
