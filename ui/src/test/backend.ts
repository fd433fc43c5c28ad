// A mocked set of the app's commands for the page's tests (through Tauri's mockIPC).
import { mockIPC } from "@tauri-apps/api/mocks";
import type { SecretQueryInput } from "../bindings";
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
export function pages(query: SecretQueryInput) {
  const rows = [];
  const matching = query.text ? 3 : TOTAL;
  for (let i = query.offset; i < Math.min(matching, query.offset + query.limit); i++) rows.push(row(i));
  return { total: matching, offset: query.offset, rows, revision: 1 };
}
