// A local stand-in for GitHub's REST API on 127.0.0.1 (random port): the routes perf-gate uses, in GitHub's
// own payload shapes (taken from @octokit/fixtures and @octokit/webhooks-examples), with programmable faults.
// Other routes (e.g. Actions artifacts) plug in through `RouteHandler`s, which are consulted first.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface RouteRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
}
export interface RouteResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}
/** Answers a request, or returns undefined to let the next handler (and finally the built-in routes) try. */
export type RouteHandler = (req: RouteRequest) => Promise<RouteResponse | undefined>;

export interface GhUser {
  login: string;
  id: number;
  type: 'User' | 'Bot';
}

export interface TokenInfo {
  user: GhUser;
  /** False for an installation token such as GITHUB_TOKEN: `GET /user` answers 403. Default true. */
  userEndpoint?: boolean;
  /** A read-only token (a fork's `pull_request` run): every write answers 403. */
  readOnly?: boolean;
}

export interface StoredComment {
  owner: string;
  repo: string;
  issue: number;
  id: number;
  body: string;
  user: GhUser;
  createdAt: string;
  updatedAt: string;
}

export interface StoredPull {
  owner: string;
  repo: string;
  number: number;
  state: 'open' | 'closed';
  headRef: string;
  headSha: string;
  /** Owner of the head repository (a fork's owner for fork PRs). Defaults to `owner`. */
  headOwner?: string;
  baseRef?: string;
}

export interface Fault {
  method?: string;
  /** Matches the path (without query): exact string or a RegExp. */
  path: string | RegExp;
  /** How many matching requests get the fault (default 1). */
  times?: number;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  authorization: string | undefined;
  status: number;
  body: string;
}

export interface GithubServer {
  /** The base URL to use as GITHUB_API_URL (no trailing slash; includes the path prefix if any). */
  url: string;
  port: number;
  requests: RecordedRequest[];
  tokens: Map<string, TokenInfo>;
  comments: StoredComment[];
  pulls: StoredPull[];
  /** Adds a comment directly (someone else's, or a stale one of ours). */
  addComment(c: { owner: string; repo: string; issue: number; body: string; user: GhUser; createdAt?: string }): StoredComment;
  commentsOn(owner: string, repo: string, issue: number): StoredComment[];
  addPull(p: StoredPull): void;
  /** The next `times` requests matching get this response instead. */
  fault(f: Fault): void;
  /** Adds a handler consulted before the built-in routes (after earlier ones). */
  use(handler: RouteHandler): void;
  close(): Promise<void>;
}

export const GITHUB_ACTIONS_BOT: GhUser = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' };

// ───────────────────────────── payload shapes ─────────────────────────────

interface Examples {
  name: string;
  examples: Record<string, unknown>[];
}
let examplesCache: Examples[] | undefined;
function webhookExamples(): Examples[] {
  examplesCache ??= require('@octokit/webhooks-examples') as Examples[];
  return examplesCache;
}

/** A real webhook payload from @octokit/webhooks-examples (deep copy). */
export function webhookPayload(event: string, pick: (p: Record<string, unknown>) => boolean = () => true): Record<string, unknown> {
  const group = webhookExamples().find((e) => e.name === event);
  const found = group?.examples.find(pick);
  if (!found) throw new Error(`no @octokit/webhooks-examples payload for ${event}`);
  return structuredClone(found);
}

interface FixtureRecord {
  path: string;
  response: unknown;
}
let userTemplate: Record<string, unknown> | undefined;
/** A user object in the shape of @octokit/fixtures (paginate-issues), for another login. */
export function userShape(user: GhUser, apiBase = 'https://api.github.com'): Record<string, unknown> {
  if (!userTemplate) {
    const records = require('@octokit/fixtures/scenarios/api.github.com/paginate-issues/normalized-fixture.json') as FixtureRecord[];
    const first = (records[0]?.response as Array<{ user: Record<string, unknown> }>)[0];
    if (!first) throw new Error('@octokit/fixtures paginate-issues has no issue');
    userTemplate = first.user;
  }
  const templateLogin = userTemplate.login as string;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(userTemplate)) {
    out[k] = typeof v === 'string' ? v.split(templateLogin).join(user.login).replace('https://api.github.com', apiBase) : v;
  }
  out.login = user.login;
  out.id = user.id;
  out.node_id = Buffer.from(`04:User${user.id}`).toString('base64');
  out.avatar_url = `https://avatars.githubusercontent.com/u/${user.id}?v=4`;
  out.type = user.type;
  return out;
}

let commentTemplate: Record<string, unknown> | undefined;
function commentShape(c: StoredComment, apiBase: string): Record<string, unknown> {
  commentTemplate ??= webhookPayload('issue_comment').comment as Record<string, unknown>;
  return {
    ...commentTemplate,
    url: `${apiBase}/repos/${c.owner}/${c.repo}/issues/comments/${c.id}`,
    html_url: `https://github.com/${c.owner}/${c.repo}/pull/${c.issue}#issuecomment-${c.id}`,
    issue_url: `${apiBase}/repos/${c.owner}/${c.repo}/issues/${c.issue}`,
    id: c.id,
    node_id: Buffer.from(`012:IssueComment${c.id}`).toString('base64'),
    user: userShape(c.user, apiBase),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: c.user.type === 'Bot' ? 'NONE' : 'MEMBER',
    body: c.body,
    performed_via_github_app: c.user.type === 'Bot' ? { id: 15368, slug: 'github-actions', name: 'GitHub Actions' } : null,
  };
}

let pullTemplate: Record<string, unknown> | undefined;
function pullShape(p: StoredPull, apiBase: string): Record<string, unknown> {
  pullTemplate ??= webhookPayload('pull_request', (x) => x.action === 'opened').pull_request as Record<string, unknown>;
  const t = pullTemplate as { head: Record<string, unknown>; base: Record<string, unknown> };
  const headOwner = p.headOwner ?? p.owner;
  return {
    ...pullTemplate,
    url: `${apiBase}/repos/${p.owner}/${p.repo}/pulls/${p.number}`,
    html_url: `https://github.com/${p.owner}/${p.repo}/pull/${p.number}`,
    number: p.number,
    state: p.state,
    head: {
      ...t.head,
      label: `${headOwner}:${p.headRef}`,
      ref: p.headRef,
      sha: p.headSha,
      repo: { ...(t.head.repo as object), full_name: `${headOwner}/${p.repo}`, fork: headOwner !== p.owner },
    },
    base: {
      ...t.base,
      label: `${p.owner}:${p.baseRef ?? 'main'}`,
      ref: p.baseRef ?? 'main',
      repo: { ...(t.base.repo as object), full_name: `${p.owner}/${p.repo}` },
    },
  };
}

// ───────────────────────────── server ─────────────────────────────

const GITHUB_HEADERS: Record<string, string> = {
  'content-type': 'application/json; charset=utf-8',
  'x-github-media-type': 'github.v3; format=json',
  'x-ratelimit-limit': '5000',
  'x-ratelimit-remaining': '4999',
  'x-ratelimit-resource': 'core',
  'x-github-request-id': '0000:00000:0000000:0000000:00000000',
};

function notFound(): RouteResponse {
  return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' } };
}

export async function startGithubServer(opts: { handlers?: RouteHandler[]; /** GitHub Enterprise Server style API prefix, e.g. `/api/v3`. */ pathPrefix?: string } = {}): Promise<GithubServer> {
  const prefix = (opts.pathPrefix ?? '').replace(/\/+$/, '');
  const handlers: RouteHandler[] = [...(opts.handlers ?? [])];
  const faults: Array<Fault & { left: number }> = [];
  const requests: RecordedRequest[] = [];
  const tokens = new Map<string, TokenInfo>();
  const comments: StoredComment[] = [];
  const pulls: StoredPull[] = [];
  let nextId = 2_000_000_001;
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const now = () => new Date((clock += 1000)).toISOString().replace(/\.\d{3}Z$/, 'Z');
  let base = '';

  const addComment: GithubServer['addComment'] = (c) => {
    const at = c.createdAt ?? now();
    const stored: StoredComment = { ...c, id: nextId++, createdAt: at, updatedAt: at };
    comments.push(stored);
    return stored;
  };
  const commentsOn = (owner: string, repo: string, issue: number) =>
    comments.filter((c) => c.owner === owner && c.repo === repo && c.issue === issue);

  function identify(req: RouteRequest): TokenInfo | RouteResponse {
    const auth = req.headers.authorization ?? '';
    const m = /^(?:token|bearer)\s+(.+)$/i.exec(auth);
    const info = m ? tokens.get(m[1]!) : undefined;
    if (!info) return { status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' } };
    return info;
  }

  function forbiddenWrite(path: string): RouteResponse {
    return {
      status: 403,
      headers: { 'x-accepted-github-permissions': 'issues=write; pull_requests=write' },
      body: { message: 'Resource not accessible by integration', documentation_url: `https://docs.github.com/rest${path}`, status: '403' },
    };
  }

  function paginate(req: RouteRequest, items: unknown[]): RouteResponse {
    const perPage = Math.min(100, Math.max(1, Number(req.url.searchParams.get('per_page') ?? 30) || 30));
    const page = Math.max(1, Number(req.url.searchParams.get('page') ?? 1) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (p: number) => {
      const u = new URL(`${prefix}${req.url.pathname}`, base);
      req.url.searchParams.forEach((v, k) => u.searchParams.set(k, v));
      u.searchParams.set('per_page', String(perPage));
      u.searchParams.set('page', String(p));
      return `<${u.toString()}>`;
    };
    const rels: string[] = [];
    if (page > 1) rels.push(`${link(page - 1)}; rel="prev"`);
    if (page < last) rels.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
    if (page > 1) rels.push(`${link(1)}; rel="first"`);
    return {
      status: 200,
      headers: rels.length ? { link: rels.join(', ') } : {},
      body: items.slice((page - 1) * perPage, page * perPage),
    };
  }

  async function builtIn(req: RouteRequest): Promise<RouteResponse> {
    const who = identify(req);
    if ('status' in who) return who;
    const p = req.url.pathname;
    const method = req.method;
    let m: RegExpExecArray | null;

    if (method === 'GET' && p === '/user') {
      if (who.userEndpoint === false) {
        return { status: 403, body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user', status: '403' } };
      }
      return { status: 200, body: { ...userShape(who.user, base + prefix), name: who.user.login, public_repos: 2, followers: 0, following: 0 } };
    }

    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(p))) {
      const [, owner, repo, num] = m as unknown as [string, string, string, string];
      if (method === 'GET') {
        const list = commentsOn(owner, repo, Number(num)).sort((a, b) => a.id - b.id);
        return paginate(req, list.map((c) => commentShape(c, base + prefix)));
      }
      if (method === 'POST') {
        if (who.readOnly) return forbiddenWrite('/issues/comments#create-an-issue-comment');
        const body = (JSON.parse(req.body || '{}') as { body?: string }).body;
        if (typeof body !== 'string' || body.length === 0) {
          return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'IssueComment', code: 'missing_field', field: 'body' }] } };
        }
        if (body.length > 65536) {
          return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'IssueComment', code: 'custom', field: 'body', message: 'body is too long (maximum is 65536 characters)' }] } };
        }
        const c = addComment({ owner, repo, issue: Number(num), body, user: who.user });
        return { status: 201, headers: { location: `${base}${prefix}/repos/${owner}/${repo}/issues/comments/${c.id}` }, body: commentShape(c, base + prefix) };
      }
    }

    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(p))) {
      const [, owner, repo, id] = m as unknown as [string, string, string, string];
      const c = comments.find((x) => x.owner === owner && x.repo === repo && x.id === Number(id));
      if (!c) return notFound();
      if (method === 'GET') return { status: 200, body: commentShape(c, base + prefix) };
      if (who.readOnly) return forbiddenWrite('/issues/comments');
      if (method === 'PATCH') {
        const body = (JSON.parse(req.body || '{}') as { body?: string }).body;
        if (typeof body !== 'string' || body.length > 65536) {
          return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'IssueComment', code: 'custom', field: 'body' }] } };
        }
        c.body = body;
        c.updatedAt = now();
        return { status: 200, body: commentShape(c, base + prefix) };
      }
      if (method === 'DELETE') {
        comments.splice(comments.indexOf(c), 1);
        return { status: 204 };
      }
    }

    if (method === 'GET' && (m = /^\/repos\/([^/]+)\/([^/]+)\/pulls$/.exec(p))) {
      const [, owner, repo] = m as unknown as [string, string, string];
      const state = req.url.searchParams.get('state') ?? 'open';
      const head = req.url.searchParams.get('head');
      const baseRef = req.url.searchParams.get('base');
      const list = pulls.filter(
        (x) =>
          x.owner === owner &&
          x.repo === repo &&
          (state === 'all' || x.state === state) &&
          (!head || `${x.headOwner ?? x.owner}:${x.headRef}` === head) &&
          (!baseRef || (x.baseRef ?? 'main') === baseRef),
      );
      return paginate(req, list.map((x) => pullShape(x, base + prefix)));
    }

    if (method === 'GET' && (m = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/.exec(p))) {
      const [, owner, repo, num] = m as unknown as [string, string, string, string];
      const pr = pulls.find((x) => x.owner === owner && x.repo === repo && x.number === Number(num));
      return pr ? { status: 200, body: pullShape(pr, base + prefix) } : notFound();
    }

    if (method === 'GET' && (m = /^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/pulls$/.exec(p))) {
      const [, owner, repo, sha] = m as unknown as [string, string, string, string];
      // GitHub lists PRs whose head is this commit in this repository (open ones first); fork heads are not found here.
      const list = pulls.filter((x) => x.owner === owner && x.repo === repo && x.headSha === sha && (x.headOwner ?? x.owner) === owner);
      return paginate(req, list.map((x) => pullShape(x, base + prefix)));
    }

    return notFound();
  }

  async function dispatch(req: RouteRequest): Promise<RouteResponse> {
    const path = req.url.pathname;
    const fault = faults.find(
      (f) => f.left > 0 && (!f.method || f.method.toUpperCase() === req.method) && (typeof f.path === 'string' ? f.path === path : f.path.test(path)),
    );
    if (fault) {
      fault.left--;
      return { status: fault.status, headers: fault.headers ?? {}, body: fault.body };
    }
    for (const h of handlers) {
      const r = await h(req);
      if (r) return r;
    }
    return builtIn(req);
  }

  const server: Server = createServer((inReq, res) => {
    const chunks: Buffer[] = [];
    inReq.on('data', (c: Buffer) => chunks.push(c));
    inReq.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(inReq.url ?? '/', base);
      if (prefix && url.pathname.startsWith(`${prefix}/`)) url.pathname = url.pathname.slice(prefix.length);
      const req: RouteRequest = { method: (inReq.method ?? 'GET').toUpperCase(), url, headers: inReq.headers, body };
      dispatch(req)
        .catch((e: unknown): RouteResponse => ({ status: 500, body: { message: `test server error: ${String(e)}` } }))
        .then((r) => {
          requests.push({
            method: req.method,
            path: url.pathname,
            query: url.search,
            authorization: inReq.headers.authorization,
            status: r.status,
            body,
          });
          const headers: Record<string, string> = { ...GITHUB_HEADERS, ...(r.headers ?? {}) };
          let payload: string | Buffer = '';
          if (r.body instanceof Uint8Array) {
            payload = Buffer.from(r.body);
            if (!r.headers?.['content-type']) headers['content-type'] = 'application/octet-stream';
          } else if (typeof r.body === 'string') {
            payload = r.body;
          } else if (r.body !== undefined) {
            payload = JSON.stringify(r.body);
          }
          if (r.status === 204 || r.status === 304) {
            delete headers['content-type'];
            payload = '';
          }
          res.writeHead(r.status, headers);
          res.end(payload);
        })
        .catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;

  return {
    url: `${base}${prefix}`,
    port,
    requests,
    tokens,
    comments,
    pulls,
    addComment,
    commentsOn,
    addPull: (p) => void pulls.push(p),
    fault: (f) => void faults.push({ ...f, left: f.times ?? 1 }),
    use: (h) => void handlers.push(h),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

/** GitHub's answer to too many requests in a short time (`retry-after` in seconds). */
export function secondaryRateLimit(retryAfterSeconds = 1): Omit<Fault, 'path'> {
  return {
    status: 403,
    headers: { 'retry-after': String(retryAfterSeconds), 'x-ratelimit-remaining': '4990' },
    body: {
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
      status: '403',
    },
  };
}
