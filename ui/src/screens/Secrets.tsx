import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { api } from "../api";
import type { IpcError, PrefixRun, SecretQuery, SecretSummary, SortBy } from "../bindings";
import { useConsole, typingIn } from "../console";
import { countdown, dayAgo, relative } from "../format";
import { ErrorBox } from "../components/Bits";

export const PAGE = 100;
const ROW_HEIGHT = 52;

/** The table's place, kept while the operator visits a secret and comes back. */
export type TableState = {
  text: string;
  sort: SortBy;
  descending: boolean;
  includeDeleted: boolean;
  grouped: boolean;
  collapsed: string[];
  scrollTop: number;
  selected: number;
};

export const initialTableState = (): TableState => ({
  text: "",
  sort: "name",
  descending: false,
  includeDeleted: false,
  grouped: false,
  collapsed: [],
  scrollTop: 0,
  selected: 0,
});

type Item = { kind: "header"; run: PrefixRun; collapsed: boolean } | { kind: "row"; abs: number };

/** Display items of the grouped list: a header per prefix run, then its rows unless folded. */
export function groupLayout(runs: PrefixRun[], collapsed: string[]) {
  const starts: number[] = [];
  let n = 0;
  for (const r of runs) {
    starts.push(n);
    n += r.prefix === null ? r.count : 1 + (collapsed.includes(r.prefix) ? 0 : r.count);
  }
  const item = (i: number): Item => {
    let lo = 0;
    let hi = runs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    const r = runs[lo];
    const off = i - starts[lo];
    if (r.prefix === null) return { kind: "row", abs: r.start + off };
    if (off === 0) return { kind: "header", run: r, collapsed: collapsed.includes(r.prefix) };
    return { kind: "row", abs: r.start + off - 1 };
  };
  return { count: n, item };
}

const SORTS: { key: SortBy; label: string }[] = [
  { key: "name", label: "Name" },
  { key: "last-changed-date", label: "Last changed" },
  { key: "last-accessed-date", label: "Last accessed" },
  { key: "created-date", label: "Created" },
];

export function SecretsScreen(props: { state: React.MutableRefObject<TableState> }) {
  const c = useConsole();
  const saved = props.state.current;
  const [text, setText] = useState(saved.text);
  const [sort, setSort] = useState<SortBy>(saved.sort);
  const [descending, setDescending] = useState(saved.descending);
  const [includeDeleted, setIncludeDeleted] = useState(saved.includeDeleted);
  const [grouped, setGrouped] = useState(saved.grouped);
  const [collapsed, setCollapsed] = useState<string[]>(saved.collapsed);
  const [selected, setSelected] = useState(saved.selected);
  const [total, setTotal] = useState<number | null>(null);
  const [pages, setPages] = useState<Map<number, SecretSummary[]>>(new Map());
  const [runs, setRuns] = useState<PrefixRun[] | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [timing, setTiming] = useState<{ gen: number; ms: number } | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const filterBox = useRef<HTMLInputElement>(null);
  const gen = useRef(0);
  const started = useRef(performance.now());
  const inflight = useRef(new Set<string>());
  const busy = useRef(false);
  const again = useRef(false);
  /** The vault revision of the rows on screen: an answer read at an older revision (a page
   *  fetch that was under way when another process wrote) never replaces newer rows. */
  const shownRevision = useRef(0);

  const query: SecretQuery = useMemo(
    () => ({
      Text: text,
      SortBy: grouped ? "name" : sort,
      Descending: grouped ? false : descending,
      IncludeDeleted: includeDeleted,
      OnlyDeleted: false,
      Offset: 0,
      Limit: PAGE,
    }),
    [text, sort, descending, includeDeleted, grouped],
  );
  const queryRef = useRef(query);
  queryRef.current = query;

  useEffect(() => {
    props.state.current = { ...props.state.current, text, sort, descending, includeDeleted, grouped, collapsed, selected };
  }, [props.state, text, sort, descending, includeDeleted, grouped, collapsed, selected]);

  const layout = useMemo(() => {
    if (grouped && runs) return groupLayout(runs, collapsed);
    return { count: total ?? 0, item: (i: number): Item => ({ kind: "row", abs: i }) };
  }, [grouped, runs, collapsed, total]);

  const virtualizer = useVirtualizer({
    count: layout.count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    initialOffset: saved.scrollTop,
    // Until the first measurement (and in tests, which have no layout): a window's worth.
    initialRect: { width: 1200, height: 800 },
  });
  const visible = virtualizer.getVirtualItems();

  const neededPages = useCallback(() => {
    const want = new Set<number>();
    for (const v of virtualizer.getVirtualItems()) {
      const it = layout.item(v.index);
      if (it.kind === "row") want.add(Math.floor(it.abs / PAGE));
    }
    if (want.size === 0) want.add(0);
    return [...want];
  }, [virtualizer, layout]);

  /** Re-reads the pages on screen (and the groups), dropping every other cached page.
   *  One load at a time: a call while one runs schedules one more afterwards. */
  const reload = useCallback(async () => {
    if (busy.current) {
      again.current = true;
      return;
    }
    busy.current = true;
    try {
      do {
        again.current = false;
        const g = gen.current;
        const q = queryRef.current;
        try {
          if (q.SortBy === "name" && !q.Descending && grouped) {
            const r = await api.secretGroups(q);
            if (g === gen.current) setRuns(r);
          }
          const want = grouped && !runs ? [0] : neededPages();
          const got = await Promise.all(want.map((p) => api.querySecrets({ ...q, Offset: p * PAGE, Limit: PAGE })));
          if (g !== gen.current || again.current) continue;
          shownRevision.current = Math.max(0, ...got.map((r) => r.Revision));
          const m = new Map<number, SecretSummary[]>();
          want.forEach((p, i) => m.set(p, got[i].Rows));
          setPages(m);
          setTotal(got[0]?.Total ?? 0);
          setError(null);
          setTiming((t) => (t && t.gen === g ? t : { gen: g, ms: performance.now() - started.current }));
        } catch (e) {
          if (g === gen.current) setError(e as IpcError);
        }
      } while (again.current);
    } finally {
      busy.current = false;
    }
  }, [neededPages, grouped, runs]);

  // A new question: start at the top.
  useEffect(() => {
    gen.current += 1;
    started.current = performance.now();
    inflight.current.clear();
    if (!grouped) setRuns(null);
    if (gen.current > 1) virtualizer.scrollToOffset(0);
    again.current = true;
    void reload();
    // eslint-style exhaustive deps are not wanted here: only the question restarts the list.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query]);

  // Another process (or this one) changed the vault: re-read in place.
  useEffect(() => {
    if (c.revision !== 0) void reload();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [c.revision]);

  // Scrolling: fetch the pages that came into view.
  useEffect(() => {
    const g = gen.current;
    const q = queryRef.current;
    for (const p of neededPages()) {
      const key = `${g}:${p}`;
      if (pages.has(p) || inflight.current.has(key)) continue;
      inflight.current.add(key);
      api.querySecrets({ ...q, Offset: p * PAGE, Limit: PAGE }).then(
        (r) => {
          if (g !== gen.current || r.Revision < shownRevision.current) return;
          shownRevision.current = r.Revision;
          setPages((m) => new Map(m).set(p, r.Rows));
          setTotal(r.Total);
        },
        (e) => g === gen.current && setError(e as IpcError),
      ).finally(() => inflight.current.delete(key));
    }
  }, [visible, pages, neededPages]);

  const rowAt = (abs: number): SecretSummary | undefined => pages.get(Math.floor(abs / PAGE))?.[abs % PAGE];

  const open = (row: SecretSummary | undefined) => {
    if (!row) return;
    props.state.current.scrollTop = scroller.current?.scrollTop ?? 0;
    c.navigate({ screen: "secret", arn: row.ARN, tab: "overview" });
  };

  const toggleSort = (k: SortBy) => {
    if (grouped) setGrouped(false);
    if (k === sort) setDescending((d) => !d);
    else {
      setSort(k);
      setDescending(k !== "name");
    }
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const typing = typingIn(e);
      if (document.querySelector(".modal-backdrop")) return;
      if (e.key === "/" && !typing) {
        e.preventDefault();
        filterBox.current?.focus();
        return;
      }
      if (typing && e.key !== "ArrowDown" && e.key !== "ArrowUp" && e.key !== "Enter") return;
      if (e.key === "ArrowDown" || e.key === "j") {
        e.preventDefault();
        setSelected((s) => {
          const n = Math.min(layout.count - 1, s + 1);
          virtualizer.scrollToIndex(n);
          return n;
        });
      } else if (e.key === "ArrowUp" || e.key === "k") {
        e.preventDefault();
        setSelected((s) => {
          const n = Math.max(0, s - 1);
          virtualizer.scrollToIndex(n);
          return n;
        });
      } else if (e.key === "Enter") {
        const it = layout.item(selected);
        if (layout.count === 0) return;
        if (it.kind === "row") open(rowAt(it.abs));
        else if (it.run.prefix) toggleGroup(it.run.prefix);
      } else if (!typing && e.key === "p") setGrouped((g) => !g);
      else if (!typing && e.key === "D") setIncludeDeleted((d) => !d);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  const toggleGroup = (prefix: string) =>
    setCollapsed((cs) => (cs.includes(prefix) ? cs.filter((x) => x !== prefix) : [...cs, prefix]));

  const sortMark = (k: SortBy) => (!grouped && sort === k ? (descending ? " ↓" : " ↑") : "");

  return (
    <section className="screen fill">
      <div className="screen-head">
        <div>
          <h1>Secrets</h1>
          <p className="muted" data-testid="secrets-count">
            {total === null ? "Loading…" : `${total.toLocaleString()} ${total === 1 ? "secret" : "secrets"}${text ? " match" : ""}`}
          </p>
        </div>
        <button className="btn primary" onClick={c.newSecret} data-testid="create-secret">
          + New secret
        </button>
      </div>
      <div className="toolbar">
        <div className="filter">
          <span className="filter-icon" aria-hidden>
            ⌕
          </span>
          <input
            ref={filterBox}
            placeholder="Filter by name, description or tag — !word excludes"
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              setSelected(0);
            }}
            data-testid="secrets-filter"
            spellCheck={false}
          />
          <kbd>/</kbd>
        </div>
        <label className="toggle" title="Group by name prefix (p)">
          <input type="checkbox" checked={grouped} onChange={(e) => setGrouped(e.target.checked)} data-testid="toggle-group" />
          Group by prefix
        </label>
        <label className="toggle" title="Show secrets scheduled for deletion (D)">
          <input
            type="checkbox"
            checked={includeDeleted}
            onChange={(e) => setIncludeDeleted(e.target.checked)}
            data-testid="toggle-deleted"
          />
          Pending deletion
        </label>
      </div>
      {error && <ErrorBox error={error} onRetry={() => void reload()} />}
      <div
        className="table secrets-table"
        data-testid="secrets-table"
        data-total={total ?? ""}
        data-gen={timing?.gen ?? 0}
        data-ms={timing ? timing.ms.toFixed(1) : ""}
      >
        <div className="thead secrets-grid">
          <button onClick={() => toggleSort("name")} data-testid="sort-name">
            Name{sortMark("name")}
          </button>
          <span>Health</span>
          <span>Tags</span>
          <span className="num">Versions</span>
          {SORTS.slice(1).map((s) => (
            <button key={s.key} onClick={() => toggleSort(s.key)} data-testid={`sort-${s.key}`}>
              {s.label}
              {sortMark(s.key)}
            </button>
          ))}
        </div>
        <div
          className="tbody"
          ref={scroller}
          onScroll={(e) => (props.state.current.scrollTop = e.currentTarget.scrollTop)}
        >
          {total === null && !error && <SkeletonRows />}
          {total === 0 && (
            <div className="empty" data-testid="secrets-empty">
              {text ? (
                <>
                  <strong>No secret matches “{text}”.</strong>
                  <span>Try fewer words, or clear the filter.</span>
                  <button className="btn" onClick={() => setText("")}>
                    Clear filter
                  </button>
                </>
              ) : (
                <>
                  <strong>No secrets yet.</strong>
                  <span>Create the first one, or import them with the coffer CLI.</span>
                  <button className="btn primary" onClick={c.newSecret}>
                    + New secret
                  </button>
                </>
              )}
            </div>
          )}
          <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
            {visible.map((v) => {
              const it = layout.item(v.index);
              const style = { top: v.start, height: ROW_HEIGHT };
              if (it.kind === "header") {
                return (
                  <div
                    key={`h-${it.run.prefix}`}
                    className={`tr group-row ${selected === v.index ? "selected" : ""}`}
                    style={style}
                    onClick={() => toggleGroup(it.run.prefix!)}
                    data-testid="group-header"
                  >
                    <span className="chev">{it.collapsed ? "▸" : "▾"}</span>
                    <span className="mono">{it.run.prefix}</span>
                    <span className="count">{it.run.count.toLocaleString()}</span>
                  </div>
                );
              }
              const row = rowAt(it.abs);
              return (
                <SecretLine
                  key={v.index}
                  row={row}
                  style={style}
                  indent={grouped && !!row?.Name.includes("/")}
                  selected={selected === v.index}
                  onOpen={() => {
                    setSelected(v.index);
                    open(row);
                  }}
                />
              );
            })}
          </div>
        </div>
      </div>
      <p className="hint">
        <kbd>/</kbd> filter · <kbd>↑</kbd>
        <kbd>↓</kbd> move · <kbd>Enter</kbd> open · <kbd>p</kbd> group · <kbd>D</kbd> pending deletion · <kbd>N</kbd> new
      </p>
    </section>
  );
}

function SecretLine(props: {
  row: SecretSummary | undefined;
  style: React.CSSProperties;
  selected: boolean;
  indent: boolean;
  onOpen: () => void;
}) {
  const r = props.row;
  if (!r) {
    return (
      <div className="tr secrets-grid loading-row" style={props.style}>
        <span className="skeleton" />
      </div>
    );
  }
  const deleting = r.DeletionDate !== null;
  return (
    <div
      className={`tr secrets-grid ${props.selected ? "selected" : ""} ${deleting ? "deleting" : ""}`}
      style={props.style}
      onClick={props.onOpen}
      data-testid="secret-row"
      data-name={r.Name}
    >
      <div className={`cell-name ${props.indent ? "indent" : ""}`}>
        <span className="name mono">{r.Name}</span>
        <span className="desc">{r.Description || "\u00a0"}</span>
      </div>
      <HealthCell arn={r.ARN} />
      <div className="tags">
        {deleting && <span className="badge danger">deletes in {countdown(r.DeletionDate!)}</span>}
        {!deleting && r.NextRotationDate !== null && <RotationBadge next={r.NextRotationDate} />}
        {r.Tags.slice(0, 2).map((t) => (
          <span key={t.Key} className="chip">
            {t.Key}
            {t.Value ? `: ${t.Value}` : ""}
          </span>
        ))}
        {r.Tags.length > 2 && <span className="chip more">+{r.Tags.length - 2}</span>}
      </div>
      <span className="num">{r.VersionCount}</span>
      <span className="muted">{relative(r.LastChangedDate)}</span>
      <span className="muted">{dayAgo(r.LastAccessedDate)}</span>
      <span className="muted">{relative(r.CreatedDate)}</span>
    </div>
  );
}

/** The worst finding of the last health report about this secret (the Health screen's). */
function HealthCell({ arn }: { arn: string }) {
  const worst = useConsole().healthWorst.get(arn);
  if (!worst) return <span className="muted health">—</span>;
  return (
    <span className={`badge health ${worst === "high" ? "danger" : worst === "medium" ? "warn" : ""}`} data-testid="health-cell">
      {worst}
    </span>
  );
}

/** When a rotating secret's next window opens, in days (as the console counts them) or, on its
 * last day, hours; "due" once it is open (the engine takes it next). */
function RotationBadge({ next }: { next: number }) {
  const ms = next * 1000 - Date.now();
  const label =
    ms <= 0
      ? "rotation due"
      : ms >= 86_400_000
        ? `rotates in ${Math.ceil(ms / 86_400_000)}d`
        : `rotates in ${countdown(next)}`;
  return (
    <span className={`badge ${ms <= 0 ? "warn" : ""}`} data-testid="rotation-badge">
      {label}
    </span>
  );
}

function SkeletonRows() {
  return (
    <div data-testid="secrets-loading">
      {Array.from({ length: 8 }, (_, i) => (
        <div key={i} className="tr loading-row">
          <span className="skeleton" style={{ width: `${40 + ((i * 17) % 40)}%` }} />
        </div>
      ))}
    </div>
  );
}
