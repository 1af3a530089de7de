import type { ReactNode } from 'react';
import { ApiError } from './api/client.ts';

/** The API's message for one field, shown under it and tied to it for screen readers. */
export function FieldError({ error, field }: { error: unknown; field: string }) {
  const message = error instanceof ApiError ? error.fieldMessage(field) : undefined;
  if (!message) return null;
  return (
    <p className="field-error" id={`${fieldId(field)}-error`} role="alert">
      {message}
    </p>
  );
}

export const fieldId = (field: string) => `f-${field.replace(/[^a-zA-Z0-9]+/g, '-')}`;

/** Props tying an input to its label and its error. */
export function fieldProps(error: unknown, field: string) {
  const invalid = error instanceof ApiError && error.fieldMessage(field) !== undefined;
  return {
    id: fieldId(field),
    name: field,
    'aria-invalid': invalid || undefined,
    'aria-describedby': invalid ? `${fieldId(field)}-error` : undefined,
  };
}

/** An error not tied to a field (403, 409, network). */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <p className="error" role="alert">
      {message}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Page({
  title,
  children,
  actions,
}: {
  title: string;
  children: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <main id="main" tabIndex={-1}>
      <div className="page-head">
        <h1>{title}</h1>
        {actions}
      </div>
      {children}
    </main>
  );
}

/** The error of a form when no field of it carries the message (a 403, a 409, the network). */
export function FormError({ error, fields }: { error: unknown; fields: string[] }) {
  if (!error) return null;
  if (error instanceof ApiError && fields.some((f) => error.fieldMessage(f))) {
    return (
      <p className="error" role="alert">
        Check the fields marked above.
      </p>
    );
  }
  return <ErrorNote error={error} />;
}
