/**
 * A browser at the Google sandbox's account chooser and consent screen, over real HTTP. Free of
 * Vitest, so benchmarks drive it as the tests do (tests/helpers.ts re-exports it).
 */
import { hiddenInputs } from "../kit/html-form";

/** The seeded personal account (seed.ts), picked when the caller names none. */
const ADA = "gsb-ada-0001";

export interface ConsentChoice {
  account?: string;
  /** "cancel" on the chooser, or on the consent screen. */
  cancelAt?: "chooser" | "consent";
  /** Scopes to tick when the consent screen has checkboxes; default: "Select all". */
  ticked?: string[];
}

export interface Step {
  status: number;
  location: string | null;
  html: string;
}

async function post(url: string, form: URLSearchParams): Promise<Step> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form.toString(), redirect: "manual" });
  return { status: res.status, location: res.headers.get("location"), html: await res.text() };
}

/**
 * Chooser → (consent screen) → redirect, like a browser. Returns the last answer and, when a
 * consent screen was shown, its HTML.
 */
export async function consent(url: string, params: URLSearchParams, choice: ConsentChoice = {}): Promise<Step & { consentHtml?: string }> {
  const page = await fetch(`${url}/o/oauth2/v2/auth?${params}`, { redirect: "manual" });
  const html = await page.text();
  if (page.status !== 200) return { status: page.status, location: page.headers.get("location"), html };
  const form = new URLSearchParams(hiddenInputs(html));
  form.append("account", choice.account ?? ADA);
  form.append("decision", choice.cancelAt === "chooser" ? "cancel" : "continue");
  const afterChooser = await post(`${url}/o/oauth2/v2/auth/account`, form);
  if (afterChooser.status !== 200) return afterChooser;
  const consentHtml = afterChooser.html;
  const form2 = new URLSearchParams(hiddenInputs(consentHtml));
  if (consentHtml.includes('name="select_all"')) {
    if (choice.ticked === undefined) form2.append("select_all", "on");
    else for (const s of choice.ticked) form2.append("scope_granted", s);
  }
  form2.append("decision", choice.cancelAt === "consent" ? "cancel" : "allow");
  return { ...(await post(`${url}/o/oauth2/v2/auth/consent`, form2)), consentHtml };
}

