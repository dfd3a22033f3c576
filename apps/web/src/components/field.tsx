import type { ComponentChildren } from 'preact';

let counter = 0;
/** A stable unique id per component instance. */
export function nextId(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

interface FieldProps {
  id: string;
  label: string;
  errors?: string[];
  hint?: string;
  children: (describedBy: string | undefined, invalid: boolean) => ComponentChildren;
}

/** A labelled control with its hint and the API's errors for it, announced with the control. */
export function Field({ id, label, errors, hint, children }: FieldProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = errors?.length ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div class={errors?.length ? 'field field-invalid' : 'field'}>
      <label for={id}>{label}</label>
      {children(describedBy, Boolean(errors?.length))}
      {hint && (
        <p id={hintId} class="hint">
          {hint}
        </p>
      )}
      {errors?.length ? (
        <p id={errorId} class="field-error">
          {errors.join(' ')}
        </p>
      ) : null}
    </div>
  );
}

/** Messages that belong to the form as a whole (network errors, conflicts, unknown fields). */
export function FormErrors({ messages }: { messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <div class="form-errors" role="alert">
      {messages.map((m, i) => (
        <p key={i}>{m}</p>
      ))}
    </div>
  );
}
