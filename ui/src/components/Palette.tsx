import { useEffect, useMemo, useRef, useState } from "react";
import { api } from "../api";
import type { ActInfo, SecretSummary } from "../bindings";
import { useConsole, type Route } from "../console";

type Entry = { id: string; label: string; hint: string; run: () => void };

/** Ctrl+K: jump to a screen or a secret, or run a frequent act. */
export function Palette(props: { onClose: () => void; onLock: () => void; onNew: () => void; onHelp: () => void; onAct: (a: ActInfo) => void }) {
  const c = useConsole();
  const [text, setText] = useState("");
  // The core's vault-wide acts (coffer_core::acts): listed as the core lists them.
  const [vaultActs, setVaultActs] = useState<ActInfo[]>([]);
  useEffect(() => {
    let live = true;
    api.acts().then((a) => live && setVaultActs(a), () => {});
    return () => {
      live = false;
    };
  }, []);
  const [secrets, setSecrets] = useState<SecretSummary[]>([]);
  const [sel, setSel] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  useEffect(() => {
    if (!text.trim()) {
      setSecrets([]);
      return;
    }
    let live = true;
    api.querySecrets({ Text: text, SortBy: "name", Descending: false, IncludeDeleted: false, OnlyDeleted: false, Offset: 0, Limit: 8 }).then(
      (p) => live && setSecrets(p.Rows),
      () => live && setSecrets([]),
    );
    return () => {
      live = false;
    };
  }, [text]);
  const go = (r: Route) => () => c.navigate(r);
  const entries: Entry[] = useMemo(() => {
    const acts: Entry[] = [
      { id: "secrets", label: "Go to Secrets", hint: "1", run: go({ screen: "secrets" }) },
      { id: "deletions", label: "Go to Deletion schedule", hint: "2", run: go({ screen: "deletions" }) },
      { id: "audit", label: "Go to Audit log", hint: "3", run: go({ screen: "audit" }) },
      { id: "principals", label: "Go to Principals", hint: "4", run: go({ screen: "principals" }) },
      { id: "approvals", label: `Go to Approvals${c.pendingApprovals ? ` (${c.pendingApprovals} waiting)` : ""}`, hint: "5", run: go({ screen: "approvals" }) },
      { id: "health", label: `Go to Health${c.health?.Findings.length ? ` (${c.health.Findings.length} findings)` : ""}`, hint: "6", run: go({ screen: "health" }) },
      { id: "new", label: "New secret", hint: "N", run: props.onNew },
      { id: "lock", label: "Lock the vault", hint: "Ctrl L", run: props.onLock },
      { id: "help", label: "Keyboard shortcuts", hint: "?", run: props.onHelp },
      ...vaultActs.map((a) => ({ id: `act-${a.act}`, label: a.title, hint: "act", run: () => props.onAct(a) })),
    ];
    const t = text.trim().toLowerCase();
    const matching = t ? acts.filter((a) => a.label.toLowerCase().includes(t)) : acts;
    const found = secrets.map((s) => ({
      id: s.ARN,
      label: s.Name,
      hint: "secret",
      run: go({ screen: "secret", arn: s.ARN, tab: "overview" }),
    }));
    return [...found, ...matching];
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text, secrets, vaultActs]);
  useEffect(() => setSel(0), [entries.length]);
  const pick = (e: Entry | undefined) => {
    if (!e) return;
    props.onClose();
    e.run();
  };
  return (
    <div className="modal-backdrop palette-backdrop" onMouseDown={(e) => e.target === e.currentTarget && props.onClose()}>
      <div className="palette" role="dialog" aria-label="Command palette" data-testid="palette">
        <input
          ref={input}
          placeholder="Type a command or a secret's name…"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Escape") props.onClose();
            else if (e.key === "ArrowDown") { e.preventDefault(); setSel((s) => Math.min(entries.length - 1, s + 1)); }
            else if (e.key === "ArrowUp") { e.preventDefault(); setSel((s) => Math.max(0, s - 1)); }
            else if (e.key === "Enter") pick(entries[sel]);
          }}
          data-testid="palette-input"
        />
        <ul>
          {entries.map((e, i) => (
            <li key={e.id} className={i === sel ? "active" : ""} onMouseEnter={() => setSel(i)} onClick={() => pick(e)} data-testid="palette-item">
              <span className={e.hint === "secret" ? "mono" : ""}>{e.label}</span>
              <kbd>{e.hint}</kbd>
            </li>
          ))}
          {entries.length === 0 && <li className="muted">Nothing matches.</li>}
        </ul>
      </div>
    </div>
  );
}
