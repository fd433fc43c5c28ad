// jsdom has no layout: give elements a size so the virtualized table renders rows, and
// a ResizeObserver that reports nothing.
import { afterEach } from "vitest";
import { cleanup } from "@testing-library/react";
import { clearMocks } from "@tauri-apps/api/mocks";

class NoResize {
  observe() {}
  unobserve() {}
  disconnect() {}
}
(globalThis as unknown as { ResizeObserver: typeof NoResize }).ResizeObserver = NoResize;
Element.prototype.getBoundingClientRect = function () {
  return { x: 0, y: 0, top: 0, left: 0, right: 1200, bottom: 800, width: 1200, height: 800, toJSON: () => ({}) };
};
for (const p of ["offsetHeight", "clientHeight"]) Object.defineProperty(HTMLElement.prototype, p, { configurable: true, get: () => 800 });
for (const p of ["offsetWidth", "clientWidth"]) Object.defineProperty(HTMLElement.prototype, p, { configurable: true, get: () => 1200 });

afterEach(() => {
  cleanup();
  clearMocks();
});
