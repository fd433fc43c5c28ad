import { describe, expect, it } from "vitest";
import { groupLayout } from "../screens/Secrets";
import { countdown, dayAgo, jsonFields, secretName } from "../format";

describe("groupLayout", () => {
  const runs = [
    { prefix: "dev/", start: 0, count: 2 },
    { prefix: null, start: 2, count: 1 },
    { prefix: "prod/", start: 3, count: 3 },
  ];

  it("puts a header before each prefix run and maps display rows to list rows", () => {
    const l = groupLayout(runs, []);
    expect(l.count).toBe(2 + 1 + 1 + 1 + 3);
    expect(l.item(0)).toMatchObject({ kind: "header", run: runs[0] });
    expect(l.item(1)).toEqual({ kind: "row", abs: 0 });
    expect(l.item(3)).toEqual({ kind: "row", abs: 2 });
    expect(l.item(4)).toMatchObject({ kind: "header", run: runs[2] });
    expect(l.item(7)).toEqual({ kind: "row", abs: 5 });
  });

  it("hides the rows of a folded group but keeps its header", () => {
    const l = groupLayout(runs, ["dev/"]);
    expect(l.count).toBe(1 + 1 + 1 + 3);
    expect(l.item(0)).toMatchObject({ kind: "header", collapsed: true });
    expect(l.item(1)).toEqual({ kind: "row", abs: 2 });
  });
});

describe("format", () => {
  it("counts down to a deletion date", () => {
    const now = 1_700_000_000_000;
    expect(countdown(now / 1000 + 6 * 86400 + 3600 * 2 + 60 * 5, now)).toBe("6d 2h 5m");
    expect(countdown(now / 1000 - 1, now)).toBe("due");
  });

  it("reads a JSON object value as keys, and anything else as no keys", () => {
    expect(jsonFields('{"user":"a","port":5432}')).toEqual([
      ["user", "a"],
      ["port", "5432"],
    ]);
    expect(jsonFields("plain")).toBeNull();
    expect(jsonFields("[1,2]")).toBeNull();
  });

  it("names a secret from its ARN without the random suffix", () => {
    expect(secretName("arn:aws:secretsmanager:us-east-1:1:secret:prod/db/main-AbC123")).toBe("prod/db/main");
  });

  it("shows a day-precision access date as days", () => {
    const now = Date.UTC(2026, 0, 10, 15);
    expect(dayAgo(Date.UTC(2026, 0, 10) / 1000, now)).toBe("today");
    expect(dayAgo(Date.UTC(2026, 0, 9) / 1000, now)).toBe("yesterday");
    expect(dayAgo(null, now)).toBe("never");
  });
});
