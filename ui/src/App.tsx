import { useCallback, useEffect, useState } from "react";
import { api } from "./api";
import type { VaultStatus } from "./bindings";
import { Unlock } from "./screens/Unlock";
import { Shell } from "./Shell";

/** The unlock screen until a session exists, then the console. */
export function App() {
  const [status, setStatus] = useState<VaultStatus | null>(null);
  const [lockReason, setLockReason] = useState<string | null>(null);

  const refresh = useCallback(() => {
    api.vaultStatus().then(setStatus, () => setStatus(null));
  }, []);
  useEffect(refresh, [refresh]);

  if (!status) {
    return (
      <div className="center-screen" data-testid="loading">
        <div className="spinner" aria-label="Loading" />
      </div>
    );
  }
  if (!status.session) {
    return (
      <Unlock
        status={status}
        reason={status.notice ?? lockReason}
        onUnlocked={(s) => {
          setLockReason(null);
          setStatus(s);
        }}
      />
    );
  }
  return (
    <Shell
      status={status}
      onLocked={(reason) => {
        setLockReason(reason);
        refresh();
      }}
    />
  );
}
