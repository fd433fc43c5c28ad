import { useEffect, useState } from "react";
import { api } from "../api";
import type { Running } from "../bindings";

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
export function runningLabel(r: Running, viaSession = false): string {
  switch (r.frontEnd) {
    case "session":
      return viaSession ? "via session" : "session";
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

function title(r: Running): string {
  const what =
    r.frontEnd === "session"
      ? "Session agent (coffer unlock): the CLI and both consoles run through it without the passphrase"
      : r.frontEnd === "agent"
        ? "Secrets Manager Agent endpoint (coffer serve --agent)"
        : "SDK endpoint (coffer serve)";
  return `${what} — ${r.address}, pid ${r.pid}, unlocked by ${r.operator}`;
}

/** What else runs on this vault: the session agent and the endpoints, re-read every 2 s.
 * `viaSession`: this console runs through the session. `onAttach` (on the unlock screen):
 * open through the running session without the passphrase. */
export function RunningBadges(props: { locked?: boolean; viaSession?: boolean; onAttach?: () => void }) {
  const [running, setRunning] = useState<Running[]>([]);
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
      <div className="notice stacked" data-testid="session-note">
        <span>
          A session agent (<code>coffer unlock</code>) holds this vault unlocked: open through it without the
          passphrase (the keys stay in the agent).
        </span>
        {props.onAttach && (
          <button type="button" className="btn" onClick={props.onAttach} data-testid="attach-session">
            Open through the session
          </button>
        )}
      </div>
    )}
    <div className="running" data-testid="running">
      {running.map((r) => (
        <span key={`${r.frontEnd}-${r.pid}-${r.address}`} className={`running-pill ${r.frontEnd}`} title={title(r)} data-testid={`running-${r.frontEnd}`}>
          <span className="running-dot" aria-hidden />
          {runningLabel(r, props.viaSession)}
        </span>
      ))}
    </div>
    </>
  );
}
