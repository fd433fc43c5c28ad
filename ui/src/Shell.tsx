import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api, asIpcError } from "./api";
import type { ActInfo, HealthReport, IpcError, Severity, VaultStatus } from "./bindings";
import { ConsoleContext, type Console, type Route, type Toast, typingIn } from "./console";
import { Palette } from "./components/Palette";
import { ActDialog, CreateSecretDialog } from "./components/Dialogs";
import { Help } from "./components/Help";
import { SecretsScreen, type TableState, initialTableState } from "./screens/Secrets";
import { SecretScreen } from "./screens/Secret";
import { DeletionsScreen } from "./screens/Deletions";
import { AuditScreen } from "./screens/Audit";
import { PrincipalsScreen } from "./screens/Principals";
import { ApprovalsScreen } from "./screens/Approvals";
import { HealthScreen } from "./screens/Health";
import { RunningBadges } from "./components/Running";

const POLL_MS = 500;

export function Shell(props: { status: VaultStatus; onLocked: (reason: string | null) => void }) {
  const session = props.status.session!;
  const [route, setRoute] = useState<Route>({ screen: "secrets" });
  const [revision, setRevision] = useState(0);
  const [pending, setPending] = useState(0);
  const [health, setHealth] = useState<HealthReport | null>(null);
  const [healthError, setHealthError] = useState<IpcError | null>(null);
  const healthRun = useRef<"idle" | "running" | "again">("idle");
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [paletteOpen, setPaletteOpen] = useState(false);
  const [creating, setCreating] = useState(false);
  const [asking, setAsking] = useState<ActInfo | null>(null);
  const [helping, setHelping] = useState(false);
  const [clipboardUntil, setClipboardUntil] = useState<number | null>(null);
  const [now, setNow] = useState(Date.now());
  const table = useRef<TableState>(initialTableState());
  const lastInput = useRef(Date.now());
  const { onLocked } = props;

  const push = useCallback((kind: Toast["kind"], text: string) => {
    const id = Date.now() + Math.random();
    setToasts((t) => [...t.slice(-3), { id, kind, text }]);
    setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), kind === "error" ? 8000 : 4000);
  }, []);

  const lock = useCallback(
    (reason: string | null) => {
      setClipboardUntil(null);
      api.lock().finally(() => onLocked(reason));
    },
    [onLocked],
  );

  // Other processes' changes: poll the revision.
  useEffect(() => {
    let stopped = false;
    const tick = () => {
      api.revision().then(
        (r) => {
          if (stopped) return;
          if (r === null) onLocked("The vault was locked.");
          else setRevision((old) => (old === r ? old : r));
        },
        () => undefined,
      );
    };
    tick();
    const id = setInterval(tick, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(id);
    };
  }, [onLocked]);

  // Auto-lock after idle; the clock also drives countdowns.
  useEffect(() => {
    const seen = () => (lastInput.current = Date.now());
    const events = ["keydown", "mousedown", "mousemove", "wheel"] as const;
    events.forEach((e) => window.addEventListener(e, seen, { passive: true }));
    const id = setInterval(() => {
      const t = Date.now();
      setNow(t);
      if (t - lastInput.current >= props.status.idleLockSeconds * 1000) {
        const m = Math.round(props.status.idleLockSeconds / 60);
        lock(`Locked after ${m >= 1 ? `${m} min` : `${props.status.idleLockSeconds} s`} without input; a copied value was cleared.`);
      }
    }, 1000);
    return () => {
      events.forEach((e) => window.removeEventListener(e, seen));
      clearInterval(id);
    };
  }, [lock, props.status.idleLockSeconds]);

  // The approval badge follows every change to the vault.
  useEffect(() => {
    let live = true;
    api.approvals().then(
      (a) => live && setPending(a.pending.length),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [revision]);

  // The health report is audited and reads every value's facts: asked for on unlock, by the
  // Health screen and after its fixes, never on every change; one at a time (an ask while
  // one runs runs once more after it).
  const reloadHealth = useCallback(() => {
    if (healthRun.current !== "idle") {
      healthRun.current = "again";
      return;
    }
    healthRun.current = "running";
    api
      .healthReport()
      .then(
        (r) => {
          setHealth(r);
          setHealthError(null);
        },
        (e) => setHealthError(asIpcError(e)),
      )
      .finally(() => {
        const again = healthRun.current === "again";
        healthRun.current = "idle";
        if (again) reloadHealth();
      });
  }, []);
  useEffect(() => reloadHealth(), [reloadHealth]);
  const healthWorst = useMemo(() => {
    const rank: Record<Severity, number> = { low: 0, medium: 1, high: 2 };
    const m = new Map<string, Severity>();
    for (const f of health?.Findings ?? []) {
      if (f.Subject.Type !== "Secret") continue;
      const had = m.get(f.Subject.ARN);
      if (!had || rank[f.Severity] > rank[had]) m.set(f.Subject.ARN, f.Severity);
    }
    return m;
  }, [health]);

  useEffect(() => {
    if (clipboardUntil !== null && now >= clipboardUntil) setClipboardUntil(null);
  }, [now, clipboardUntil]);

  const ctx: Console = useMemo(
    () => ({
      session,
      revision,
      pendingApprovals: pending,
      health,
      healthError,
      reloadHealth,
      healthWorst,
      navigate: setRoute,
      notify: (t) => push("ok", t),
      fail: (e: IpcError) => push("error", `${e.code}: ${e.message}`),
      act: (f, after) =>
        f().then(
          (r) => {
            push("ok", r.message);
            after?.();
          },
          (e) => {
            const err = asIpcError(e);
            push("error", `${err.code}: ${err.message}`);
          },
        ),
      copied: (s) => {
        setClipboardUntil(Date.now() + s * 1000);
        setNow(Date.now());
      },
      newSecret: () => setCreating(true),
    }),
    [session, revision, pending, health, healthError, reloadHealth, healthWorst, push],
  );

  // Global shortcuts.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const typing = typingIn(e);
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "k") {
        e.preventDefault();
        setPaletteOpen((o) => !o);
        return;
      }
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "l") {
        e.preventDefault();
        lock(null);
        return;
      }
      if (typing || e.ctrlKey || e.metaKey || e.altKey || paletteOpen || creating || helping || asking) return;
      if (document.querySelector(".modal-backdrop")) return;
      const screens: Record<string, Route> = {
        "1": { screen: "secrets" },
        "2": { screen: "deletions" },
        "3": { screen: "audit" },
        "4": { screen: "principals" },
        "5": { screen: "approvals" },
        "6": { screen: "health" },
      };
      if (screens[e.key]) {
        e.preventDefault();
        setRoute(screens[e.key]);
      } else if (e.key === "n" || e.key === "N") {
        e.preventDefault();
        setCreating(true);
      } else if (e.key === "?") {
        e.preventDefault();
        setHelping(true);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [lock, paletteOpen, creating, helping, asking]);

  const nav: { route: Route; label: string; key: string; icon: React.ReactNode; testid: string }[] = [
    { route: { screen: "secrets" }, label: "Secrets", key: "1", icon: <path d="M5 11V8a7 7 0 0 1 14 0v3M4 11h16v10H4zM12 15v2" />, testid: "nav-secrets" },
    { route: { screen: "deletions" }, label: "Deletions", key: "2", icon: <path d="M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v6M14 11v6" />, testid: "nav-deletions" },
    { route: { screen: "audit" }, label: "Audit log", key: "3", icon: <path d="M6 3h9l4 4v14H6zM9 12h7M9 16h7M9 8h3" />, testid: "nav-audit" },
    { route: { screen: "principals" }, label: "Principals", key: "4", icon: <path d="M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM2 21a7 7 0 0 1 14 0M17 11a3 3 0 1 0 0-6M22 21a6 6 0 0 0-4-5.6" />, testid: "nav-principals" },
    { route: { screen: "approvals" }, label: "Approvals", key: "5", icon: <path d="M9 12l2 2 4-4M12 3l7 3v6c0 4.5-3 7.5-7 9-4-1.5-7-4.5-7-9V6z" />, testid: "nav-approvals" },
    { route: { screen: "health" }, label: "Health", key: "6", icon: <path d="M3 12h4l2-5 4 10 2-5h6" />, testid: "nav-health" },
  ];
  const active = route.screen === "secret" ? "secrets" : route.screen;
  const clipLeft = clipboardUntil === null ? 0 : Math.max(0, Math.ceil((clipboardUntil - now) / 1000));

  return (
    <ConsoleContext.Provider value={ctx}>
      <div className="shell" data-testid="console">
        <aside className="sidebar">
          <div className="brand">
            <div className="brand-mark" aria-hidden>
              C
            </div>
            <div>
              <div className="brand-name">Coffer</div>
              <div className="brand-sub mono">
                {session.accountId} · {session.region}
              </div>
            </div>
          </div>
          <nav>
            {nav.map((n) => (
              <button
                key={n.key}
                className={`nav-item ${active === n.route.screen ? "active" : ""}`}
                onClick={() => setRoute(n.route)}
                data-testid={n.testid}
              >
                <span className="nav-icon" aria-hidden>
                  <svg viewBox="0 0 24 24">{n.icon}</svg>
                </span>
                <span>{n.label}</span>
                {n.route.screen === "approvals" && pending > 0 && (
                  <span className="nav-badge" data-testid="approvals-badge" title={`${pending} rotation${pending === 1 ? "" : "s"} waiting for approval`}>
                    {pending}
                  </span>
                )}
                {n.route.screen === "health" && health !== null && health.Findings.length > 0 && (
                  <span
                    className={`nav-badge ${health.Counts.High > 0 ? "high" : ""}`}
                    data-testid="health-badge"
                    title={`${health.Counts.High} high, ${health.Counts.Medium} medium, ${health.Counts.Low} low`}
                  >
                    {health.Findings.length}
                  </span>
                )}
                <kbd>{n.key}</kbd>
              </button>
            ))}
          </nav>
          <div className="sidebar-foot">
            <button className="btn ghost wide" onClick={() => setCreating(true)} data-testid="new-secret">
              + New secret <kbd>N</kbd>
            </button>
          </div>
        </aside>
        <div className="main">
          <header className="topbar">
            <button className="search-launch" onClick={() => setPaletteOpen(true)} data-testid="open-palette">
              <span>Search or run a command…</span>
              <kbd>Ctrl K</kbd>
            </button>
            <div className="topbar-right">
              <RunningBadges viaSession={props.status.throughSession} />
              {clipLeft > 0 && (
                <div className="clip-pill" data-testid="clipboard-countdown" title="The copied value is cleared from the clipboard">
                  <span className="clip-bar" style={{ width: `${(clipLeft / props.status.clipboardClearSeconds) * 100}%` }} />
                  <span>Clipboard clears in {clipLeft}s</span>
                </div>
              )}
              <div
                className="who"
                title={
                  props.status.throughSession
                    ? `${session.principalArn}, through the session agent (coffer unlock): no key in this app`
                    : session.principalArn
                }
                data-testid="session-operator"
              >
                <span className="avatar">{session.operator.slice(0, 1).toUpperCase()}</span>
                {session.operator}
              </div>
              <button className="icon-btn" onClick={() => setHelping(true)} title="Keyboard shortcuts (?)" data-testid="open-help">
                ?
              </button>
              <button className="btn ghost" onClick={() => lock(null)} data-testid="lock" title="Lock (Ctrl+L)">
                Lock
              </button>
            </div>
          </header>
          <main className="content">
            {route.screen === "secrets" && <SecretsScreen state={table} />}
            {route.screen === "secret" && <SecretScreen key={route.arn} arn={route.arn} tab={route.tab} />}
            {route.screen === "deletions" && <DeletionsScreen />}
            {route.screen === "audit" && <AuditScreen secretId={route.secretId} />}
            {route.screen === "principals" && <PrincipalsScreen select={route.select} />}
            {route.screen === "approvals" && <ApprovalsScreen />}
            {route.screen === "health" && <HealthScreen />}
          </main>
        </div>
        <div className="toasts" aria-live="polite">
          {toasts.map((t) => (
            <div key={t.id} className={`toast ${t.kind}`} data-testid={`toast-${t.kind}`}>
              {t.text}
            </div>
          ))}
        </div>
        {paletteOpen && (
          <Palette
            onClose={() => setPaletteOpen(false)}
            onLock={() => lock(null)}
            onNew={() => setCreating(true)}
            onHelp={() => setHelping(true)}
            onAct={setAsking}
          />
        )}
        {asking && (
          <ActDialog
            info={asking}
            onClose={() => setAsking(null)}
            onDone={(m) => {
              setAsking(null);
              push("ok", m);
            }}
          />
        )}
        {helping && <Help onClose={() => setHelping(false)} />}
        {creating && (
          <CreateSecretDialog
            onClose={() => setCreating(false)}
            onCreated={(m) => {
              setCreating(false);
              push("ok", m);
            }}
            onError={(e) => push("error", `${asIpcError(e).code}: ${asIpcError(e).message}`)}
          />
        )}
      </div>
    </ConsoleContext.Provider>
  );
}
