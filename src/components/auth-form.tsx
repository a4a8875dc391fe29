"use client";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useState, type FormEvent } from "react";
import { authClient } from "@/lib/auth/client";
import { checkAuthFields, type FieldErrors } from "@/lib/auth/form-checks";
import { authErrorMessage } from "@/lib/auth/messages";
import { safeReturnPath } from "@/lib/http/safe-return-path";

type Mode = "login" | "signup";

export function AuthForm({ mode }: { mode: Mode }) {
  const router = useRouter();
  const search = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const next = safeReturnPath(search.get("next"));
  // Switching between sign-in and sign-up keeps the page the visitor is on their way back to.
  const carry = next === "/" ? "" : `?${new URLSearchParams({ next })}`;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    // Plain per-field messages before anything is sent; focus goes to the first field to fix.
    const invalid = checkAuthFields(mode, { email, password });
    setFieldErrors(invalid);
    const first = (["email", "password"] as const).find((f) => invalid[f]);
    if (first) {
      setError(null);
      event.currentTarget.querySelector<HTMLInputElement>(`#field-${first}`)?.focus();
      return;
    }
    setPending(true);
    setError(null);
    const result =
      mode === "signup"
        ? await authClient.signUp.email({ email, password, name: String(form.get("name") ?? "").trim() || email })
        : await authClient.signIn.email({ email, password });
    setPending(false);
    if (result.error) {
      // Better Auth's rate limiter answers 429 without an error code.
      setError(authErrorMessage(result.error.status === 429 ? "TOO_MANY_REQUESTS" : result.error.code));
      return;
    }
    router.replace(next);
    router.refresh();
  }

  const title = mode === "signup" ? "Create your SocialFlow account" : "Sign in to SocialFlow";
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-2xl border border-slate-200 bg-white p-8 shadow-sm">
        <p className="mb-1 text-sm font-semibold text-brand-600">SocialFlow</p>
        <h1 className="mb-6 text-xl font-semibold">{title}</h1>
        <form onSubmit={onSubmit} className="space-y-4" noValidate>
          {mode === "signup" && (
            <Field label="Name" name="name" type="text" autoComplete="name" />
          )}
          <Field label="Email" name="email" type="email" autoComplete="email" required error={fieldErrors.email} />
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete={mode === "signup" ? "new-password" : "current-password"}
            required
            hint={mode === "signup" ? "At least 10 characters." : undefined}
            error={fieldErrors.password}
          />
          {error && (
            <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700">
              {error}
            </p>
          )}
          <button
            type="submit"
            disabled={pending}
            className="w-full rounded-lg bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700 disabled:opacity-60"
          >
            {pending ? "Please wait…" : mode === "signup" ? "Sign up" : "Sign in"}
          </button>
        </form>
        <p className="mt-6 text-center text-sm text-slate-600">
          {mode === "signup" ? (
            <>Already have an account? <Link className="font-medium text-brand-600" href={`/login${carry}`}>Sign in</Link></>
          ) : (
            <>New to SocialFlow? <Link className="font-medium text-brand-600" href={`/signup${carry}`}>Create an account</Link></>
          )}
        </p>
      </div>
    </main>
  );
}

function Field(props: { label: string; name: string; type: string; autoComplete: string; required?: boolean; hint?: string; error?: string }) {
  const id = `field-${props.name}`;
  const describedBy = [props.error ? `${id}-error` : "", props.hint ? `${id}-hint` : ""].filter(Boolean).join(" ");
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-sm font-medium text-slate-700">
        {props.label}
      </label>
      <input
        id={id}
        name={props.name}
        type={props.type}
        autoComplete={props.autoComplete}
        required={props.required}
        aria-describedby={describedBy || undefined}
        aria-invalid={props.error ? true : undefined}
        className="w-full rounded-lg border border-slate-300 px-3 py-2 outline-none focus:border-brand-500 focus:ring-2 focus:ring-brand-50"
      />
      {props.error && (
        <p id={`${id}-error`} className="mt-1 text-sm text-red-700">
          {props.error}
        </p>
      )}
      {props.hint && (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
          {props.hint}
        </p>
      )}
    </div>
  );
}
