// What every screen shares: the vault revision (it changes when any process changes the
// vault), navigation, status messages and the clipboard countdown.
import { createContext, useContext } from "react";
import type { HealthReport, IpcError, Session, Severity } from "./bindings";

export type Tab = "overview" | "value" | "versions" | "rotation" | "replicas" | "tags" | "policy" | "access" | "activity";
export const TABS: Tab[] = ["overview", "value", "versions", "rotation", "replicas", "tags", "policy", "access", "activity"];

export type Route =
  | { screen: "secrets" }
  | { screen: "secret"; arn: string; tab: Tab }
  | { screen: "deletions" }
  | { screen: "audit"; secretId?: string }
  | { screen: "principals"; select?: { kind: "operator" | "user" | "role"; name: string } }
  | { screen: "approvals" }
  | { screen: "health" };

export type Toast = { id: number; kind: "ok" | "error"; text: string };

export interface Console {
  session: Session;
  revision: number;
  /** Rotations waiting for approval (the sidebar's badge). */
  pendingApprovals: number;
  /** The last health report (the Health screen, its badge and the secrets' health column):
   *  an audited request, re-run on unlock, on opening the Health screen and after its fixes. */
  health: HealthReport | null;
  /** Why the last report failed (shown on the Health screen). */
  healthError: IpcError | null;
  reloadHealth: () => void;
  /** The worst severity of each secret's findings in that report, by ARN. */
  healthWorst: Map<string, Severity>;
  navigate: (r: Route) => void;
  notify: (text: string) => void;
  fail: (e: IpcError) => void;
  /** Runs an act: its message becomes a status line, its failure an error with the AWS
   *  code; `after` runs when it succeeded. */
  act: (f: () => Promise<{ message: string }>, after?: () => void) => Promise<void>;
  copied: (seconds: number) => void;
  newSecret: () => void;
}

export const ConsoleContext = createContext<Console | null>(null);

export function useConsole(): Console {
  const c = useContext(ConsoleContext);
  if (!c) throw new Error("useConsole outside the console");
  return c;
}

/** Whether a key event is typing into a field (then screen shortcuts stay quiet). */
export function typingIn(e: KeyboardEvent): boolean {
  return e.target instanceof Element && e.target.closest("input, textarea, select") !== null;
}
