// Credentials never reach a log, a comment or a report: every URL or message that may carry one
// goes through here (base URLs with user:password, source URLs such as postgres://user:pw@host,
// signed download URLs, preview URLs carrying a bypass token in their query).

// Userinfo runs to the *last* `@` before the host ends (at `/`, `?`, `#`), as URL parsers and
// pg-connection-string read it: a raw `@` in a password (`postgres://app:s3cr@t@host`) is masked whole.
const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)([^/?#\s]+)@/gi;
const NO_SCHEME_USERINFO = /(^|\s)(\/\/)([^/?#\s]+)@/g;
/** A query parameter (`?name=value` or `&name=value`) in a URL or in free text. */
const QUERY_PARAM = /([?&])([^=&#\s?"'`|]+)=([^&#\s"'<>`|]+)/g;
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
 * A metric key (`http_req_duration{url:https://…?token=abc,method:GET}`) with each tag value masked on
 * its own, so a secret's mask ends at its value: masking the whole key would run on through the next
 * tag (`,method:GET`) and make two keys read alike.
 */
export function maskKey(key: string): string {
  const open = key.indexOf('{');
  if (open < 0 || !key.endsWith('}')) return maskUrl(key);
  const tags = key
    .slice(open + 1, -1)
    .split(/,(?=\s*[A-Za-z_][\w.-]*\s*:)/)
    .map((pair) => {
      const colon = pair.indexOf(':');
      return colon < 0 ? maskUrl(pair) : `${pair.slice(0, colon + 1)}${maskUrl(pair.slice(colon + 1))}`;
    });
  return `${maskUrl(key.slice(0, open))}{${tags.join(',')}}`;
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

/** `Authorization: Bearer …`, `X-Api-Key: …` and the like in free text (headers echoed in an error). */
const SECRET_HEADER = /\b((?:proxy-)?authorization|x-api-key|api-key|x-auth-token|cookie|set-cookie)(["']?\s*[:=]\s*["']?)(?:(?:bearer|basic|token|digest)\s+)?[^\s"',;]+/gi;
/** A bearer token anywhere (`Bearer eyJ…`). */
const BEARER = /\b(bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi;
/** `password=…`, `"token": "…"`, `api_key: …`: a secret-looking name, then its value. */
const SECRET_PAIR =
  /\b((?:[a-z0-9]+[_-])*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|session[_-]?id|credentials?))(["']?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s"',;&]+)/gi;

/**
 * Free text (an error message a script or k6 wrote) with secrets replaced by `***`: URLs as
 * `maskUrl`, header values of Authorization/API-key/cookie headers, bearer tokens, and the values of
 * secret-looking `name=value` / `"name": "value"` pairs; then every value of `secrets` (environment
 * values known to be secret), longest first.
 */
export function maskSecrets(text: string, secrets: readonly string[] = []): string {
  let out = maskUrl(text)
    .replace(SECRET_HEADER, (_all, name: string, sep: string) => `${name}${sep}***`)
    .replace(BEARER, '$1***')
    .replace(SECRET_PAIR, (_all, name: string, sep: string, value: string) => `${name}${sep}${value.startsWith('"') ? '"***"' : value.startsWith("'") ? "'***'" : '***'}`);
  return maskValues(out, secrets);
}

/** `text` with every value of `secrets` (at least 4 characters) replaced by `***`, longest first. */
export function maskValues(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].filter((v) => v.length >= 4).sort((a, b) => b.length - a.length)) out = out.split(s).join('***');
  return out;
}

/** Environment variable names whose values are secret (tokens, keys, passwords, credentials). */
const SECRET_ENV_NAME = /token|secret|passw|pwd|key|auth|credential|private|session|cookie/i;

/** The values of `env` that are secret by their variable's name (at least 6 characters). */
export function envSecrets(env: Readonly<Record<string, string | undefined>>): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value && value.length >= 6 && SECRET_ENV_NAME.test(name) && !/^(PATH|HOME|PWD|OLDPWD)$/i.test(name)) out.push(value);
  }
  return out;
}
