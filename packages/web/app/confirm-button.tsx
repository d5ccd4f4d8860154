// A dangerous action behind a confirmation (Abort, Terminate): asks first, then makes the call
// and shows its error beside the button.
import { useState } from 'preact/hooks';
import { ApiFailure } from './api.ts';

/** Props of ConfirmButton: the button's text and accessible name, the question, the action. */
export interface ConfirmButtonProps {
  label: string;
  ariaLabel?: string;
  question: string;
  action: () => Promise<unknown>;
}

/** A red button that runs `action` once the person confirms `question`. */
export function ConfirmButton(props: ConfirmButtonProps) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const run = async (): Promise<void> => {
    if (!confirm(props.question)) return;
    setBusy(true);
    setError('');
    try {
      await props.action();
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        class="danger"
        disabled={busy}
        aria-label={props.ariaLabel ?? props.label}
        onClick={() => void run()}
      >
        {props.label}
      </button>
      {error === '' ? null : <span class="error"> {error}</span>}
    </>
  );
}
