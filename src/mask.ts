// Credentials never reach a log, a comment or a report: every URL or message that may carry one
// goes through here (base URLs with user:password, source URLs such as postgres://user:pw@host,
// signed download URLs, preview URLs carrying a bypass token in their query).

const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)([^/@\s]+)@/gi;
const NO_SCHEME_USERINFO = /(^|\s)(\/\/)([^/@\s]+)@/g;
/** A query parameter (`?name=value` or `&name=value`) in a URL or in free text. */
const QUERY_PARAM = /([?&])([^=&#\s?]+)=([^&#\s]+)/g;
/**
 * Query parameter names that suggest a secret: tokens, keys, signatures, passwords, credentials,
 * sessions and bypass parameters (`x-vercel-protection-bypass`, `X-Amz-Signature`, `api_key`, `sig`…).
 */
const SECRET_NAME = /token|key|sig|secret|passw|^pass$|^pwd$|auth|credential|bypass|session|jwt|^code$|private/i;

/** Whether a query parameter of this name holds a secret (its value is masked). */
export function isSecretParam(name: string): boolean {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    /* keep as written */
  }
  return SECRET_NAME.test(decoded);
}

/** The text with the user-info of every URL in it and secret-looking query parameter values replaced by `***`. */
export function maskUrl(text: string): string {
  return text
    .replace(USERINFO, '$1***@')
    .replace(NO_SCHEME_USERINFO, '$1$2***@')
    .replace(QUERY_PARAM, (all, sep: string, name: string) => (isSecretParam(name) ? `${sep}${name}=***` : all));
}

/**
 * The user name and password of a URL, each as written and decoded, without empty ones: what a face
 * registers as secrets (e.g. with `core.setSecret`) before anything logs the URL.
 */
export function urlSecrets(url: string): string[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [];
  }
  const out = new Set<string>();
  for (const part of [u.username, u.password]) {
    if (!part) continue;
    out.add(part);
    try {
      out.add(decodeURIComponent(part));
    } catch {
      /* not percent-encoded */
    }
  }
  return [...out].filter((s) => s !== '');
}

/** Removes the secrets of the given URLs from a message (error texts may echo them, decoded or not). */
export function scrub(message: string, urls: string[]): string {
  let out = message;
  for (const url of urls) {
    try {
      const u = new URL(url);
      for (const secret of [u.password, u.username && u.password ? '' : u.username]) {
        if (!secret) continue;
        out = out.split(decodeURIComponent(secret)).join('***').split(secret).join('***');
      }
      for (const [name, value] of u.searchParams) {
        if (value && isSecretParam(name)) out = out.split(value).join('***').split(encodeURIComponent(value)).join('***');
      }
    } catch {
      /* not a URL */
    }
    out = out.split(url).join(maskUrl(url));
  }
  return maskUrl(out);
}
