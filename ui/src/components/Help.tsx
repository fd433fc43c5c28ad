import { Modal } from "./Dialogs";

const KEYS: [string, [string, string][]][] = [
  [
    "Everywhere",
    [
      ["Ctrl K", "Command palette: screens, acts, secrets by name"],
      ["1 2 3 4 5 6", "Secrets, Deletion schedule, Audit log, Principals, Approvals, Health"],
      ["N", "New secret"],
      ["Ctrl L", "Lock the vault"],
      ["?", "This help"],
    ],
  ],
  [
    "Secrets",
    [
      ["/", "Filter (name, description, tags; !word excludes)"],
      ["↑ ↓  j k", "Move"],
      ["Enter", "Open the secret (or fold a group)"],
      ["p", "Group by prefix"],
      ["D", "Show secrets pending deletion"],
    ],
  ],
  [
    "A secret",
    [
      ["Tab  Shift Tab", "Next and previous tab"],
      ["r", "Reveal or hide the value (Value tab)"],
      ["Shift C", "Copy the value (Value tab)"],
      ["Shift R", "Rotate now (Rotation tab)"],
      ["e", "Edit the rotation schedule (Rotation tab)"],
      ["Esc", "Back to the list"],
    ],
  ],
];

export function Help(props: { onClose: () => void }) {
  return (
    <Modal
      wide
      title="Keyboard shortcuts"
      onClose={props.onClose}
      testid="help"
      footer={
        <button className="btn" onClick={props.onClose}>
          Close
        </button>
      }
    >
      <div className="help-grid">
        {KEYS.map(([section, keys]) => (
          <div key={section}>
            <h3>{section}</h3>
            <table className="kv">
              <tbody>
                {keys.map(([k, what]) => (
                  <tr key={k}>
                    <th>
                      {k.split("  ").map((x) => (
                        <kbd key={x}>{x}</kbd>
                      ))}
                    </th>
                    <td>{what}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      </div>
    </Modal>
  );
}
