// A mocked set of the app's commands for the page's tests (through Tauri's mockIPC).
import { mockIPC } from "@tauri-apps/api/mocks";
import type { SecretQuery } from "../bindings";
import { row } from "./fixtures";

export type Call = { cmd: string; args: Record<string, unknown> };

/** Mocks the app's commands with `handlers`; records every call. */
export function backend(handlers: Record<string, (args: Record<string, unknown>) => unknown>) {
  const calls: Call[] = [];
  mockIPC((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: a });
    const h = handlers[cmd];
    if (!h) throw { code: "InternalError", message: `no mock for ${cmd}` };
    return h(a);
  });
  return calls;
}

const TOTAL = 100_000;

/** One page of a table of 100,000 secrets (3 match any filter). */
export function pages(query: SecretQuery) {
  const rows = [];
  const matching = query.Text ? 3 : TOTAL;
  for (let i = query.Offset; i < Math.min(matching, query.Offset + query.Limit); i++) rows.push(row(i));
  return { Total: matching, Offset: query.Offset, Rows: rows, Revision: 1 };
}
