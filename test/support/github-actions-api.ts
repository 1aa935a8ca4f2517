// GitHub Actions endpoints for the local GitHub API server (test/support/github-server.ts), in GitHub's
// response shapes: workflow runs of a workflow (filtered by branch and status, paginated, newest first),
// a run's artifacts, and the artifact download (a 302 redirect to a signed blob URL that serves the zip).
// Also the artifact upload protocol of @actions/artifact v2+: the results service's twirp endpoints
// (CreateArtifact → signed upload URL, FinalizeArtifact) and the Azure block-blob calls the client makes
// on that URL (Put Block, Put Block List), so an upload lands as an artifact the REST routes list.
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RouteHandler, RouteRequest, RouteResponse } from './github-server.js';
import { webhookPayload } from './github-server.js';

export interface StoredRun {
  id: number;
  owner: string;
  repo: string;
  workflowId: number;
  /** The workflow file, e.g. `.github/workflows/perf.yml` (the API also accepts `perf.yml` as the id). */
  workflowPath: string;
  branch: string;
  headSha: string;
  status: 'completed' | 'in_progress' | 'queued';
  conclusion: 'success' | 'failure' | 'cancelled' | null;
  runNumber: number;
  createdAt: string;
  /** The results service's id of the run (what ACTIONS_RUNTIME_TOKEN names), for uploads. */
  backendId?: string;
}

export interface StoredArtifact {
  id: number;
  runId: number;
  name: string;
  expired: boolean;
  /** The zip archive served on download. */
  zip: Uint8Array;
  /** `sha256:<hex>` as upload-artifact v4+ records it (FinalizeArtifact's hash), or null (older uploads). */
  digest: string | null;
  createdAt: string;
}

export interface BlobRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

export interface ActionsApi {
  /** Mount these in the GitHub API server (`startGithubServer({ handlers })`). */
  handlers: RouteHandler[];
  /** The blob store (its own origin, like GitHub's): signed download and upload URLs point here. */
  blobUrl: string;
  close(): Promise<void>;
  runs: StoredRun[];
  artifacts: StoredArtifact[];
  /** Requests that reached the blob store (downloads and uploads). */
  blobRequests: BlobRequest[];
  /** Twirp calls of the results service, in order (`CreateArtifact`, `FinalizeArtifact`) with their JSON bodies (protobuf field names). */
  twirpCalls: { method: string; body: Record<string, unknown>; authorization: string | undefined }[];
  addRun(r: Partial<StoredRun> & { branch: string }): StoredRun;
  /** `digest` defaults to the zip's own SHA-256 (an upload-artifact v4+ upload); null for an older upload. */
  addArtifact(a: { runId: number; name: string; zip: Uint8Array; expired?: boolean; digest?: string | null }): StoredArtifact;
}

export interface ActionsApiOptions {
  owner?: string;
  repo?: string;
  /** When set, REST routes answer 401 to any other `authorization` token. */
  token?: string;
  /** When set, the results service answers 401 to any other bearer token. */
  runtimeToken?: string;
  /** The API path prefix the GitHub server strips (GHES: `/api/v3`), for URLs in payloads and `link` headers. */
  apiPrefix?: string;
}

const TWIRP = '/twirp/github.actions.results.api.v1.ArtifactService/';

function notFound(): RouteResponse {
  return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' } };
}

/** An unsigned JWT in the shape the runner hands to actions (only `scp` is read by @actions/artifact). */
export function runtimeToken(runBackendId: string, jobBackendId: string): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ typ: 'JWT', alg: 'RS256' })}.${b64({ scp: `Actions.ExampleScope Actions.Results:${runBackendId}:${jobBackendId}`, exp: 4_102_444_800 })}.c2lnbmF0dXJl`;
}

let runTemplate: Record<string, unknown> | undefined;

interface BlobRequestIn {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export async function startActionsApi(opts: ActionsApiOptions = {}): Promise<ActionsApi> {
  const prefix = (opts.apiPrefix ?? '').replace(/\/+$/, '');
  const runs: StoredRun[] = [];
  const artifacts: StoredArtifact[] = [];
  const blobRequests: BlobRequest[] = [];
  const twirpCalls: ActionsApi['twirpCalls'] = [];
  let nextRunId = 7_000_000_001;
  let nextArtifactId = 900_000_001;
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const now = () => new Date((clock += 60_000)).toISOString().replace(/\.\d{3}Z$/, 'Z');
  // Uploads in progress: signed URL key → blocks and the artifact being created.
  const uploads = new Map<string, { runId: number; name: string; blocks: Map<string, Buffer>; committed?: Buffer }>();

  const addRun: ActionsApi['addRun'] = (r) => {
    const run: StoredRun = {
      id: r.id ?? nextRunId++,
      owner: r.owner ?? opts.owner ?? 'octo-org',
      repo: r.repo ?? opts.repo ?? 'octo-repo',
      workflowId: r.workflowId ?? 161335,
      workflowPath: r.workflowPath ?? '.github/workflows/perf.yml',
      branch: r.branch,
      headSha: r.headSha ?? Buffer.from(String(nextRunId)).toString('hex').padEnd(40, '0').slice(0, 40),
      status: r.status ?? 'completed',
      conclusion: r.conclusion === undefined ? 'success' : r.conclusion,
      runNumber: r.runNumber ?? runs.length + 1,
      createdAt: r.createdAt ?? now(),
      ...(r.backendId ? { backendId: r.backendId } : {}),
    };
    runs.push(run);
    return run;
  };
  const addArtifact: ActionsApi['addArtifact'] = (a) => {
    const digest = a.digest === undefined ? `sha256:${createHash('sha256').update(a.zip).digest('hex')}` : a.digest;
    const art: StoredArtifact = { id: nextArtifactId++, runId: a.runId, name: a.name, expired: a.expired ?? false, zip: a.zip, digest, createdAt: now() };
    artifacts.push(art);
    return art;
  };

  function runShape(run: StoredRun, api: string): Record<string, unknown> {
    runTemplate ??= webhookPayload('workflow_run', (p) => (p.workflow_run as { conclusion?: string }).conclusion === 'success').workflow_run as Record<string, unknown>;
    const repoApi = `${api}/repos/${run.owner}/${run.repo}`;
    const t = runTemplate as { head_commit: Record<string, unknown>; repository: Record<string, unknown>; head_repository: Record<string, unknown> };
    return {
      ...runTemplate,
      id: run.id,
      name: 'perf',
      node_id: Buffer.from(`010:WorkflowRun${run.id}`).toString('base64'),
      head_branch: run.branch,
      head_sha: run.headSha,
      path: run.workflowPath,
      display_title: `perf on ${run.branch}`,
      run_number: run.runNumber,
      run_attempt: 1,
      event: 'push',
      status: run.status,
      conclusion: run.conclusion,
      workflow_id: run.workflowId,
      url: `${repoApi}/actions/runs/${run.id}`,
      html_url: `https://github.com/${run.owner}/${run.repo}/actions/runs/${run.id}`,
      jobs_url: `${repoApi}/actions/runs/${run.id}/jobs`,
      logs_url: `${repoApi}/actions/runs/${run.id}/logs`,
      artifacts_url: `${repoApi}/actions/runs/${run.id}/artifacts`,
      cancel_url: `${repoApi}/actions/runs/${run.id}/cancel`,
      rerun_url: `${repoApi}/actions/runs/${run.id}/rerun`,
      workflow_url: `${repoApi}/actions/workflows/${run.workflowId}`,
      created_at: run.createdAt,
      updated_at: run.createdAt,
      run_started_at: run.createdAt,
      head_commit: { ...t.head_commit, id: run.headSha },
      repository: { ...t.repository, full_name: `${run.owner}/${run.repo}`, name: run.repo },
      head_repository: { ...t.head_repository, full_name: `${run.owner}/${run.repo}`, name: run.repo },
    };
  }

  function artifactShape(a: StoredArtifact, api: string): Record<string, unknown> {
    const run = runs.find((r) => r.id === a.runId)!;
    const repoApi = `${api}/repos/${run.owner}/${run.repo}`;
    const expires = new Date(Date.parse(a.createdAt) + 90 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return {
      id: a.id,
      node_id: Buffer.from(`08:Artifact${a.id}`).toString('base64'),
      name: a.name,
      size_in_bytes: a.zip.byteLength,
      url: `${repoApi}/actions/artifacts/${a.id}`,
      archive_download_url: `${repoApi}/actions/artifacts/${a.id}/zip`,
      expired: a.expired,
      digest: a.digest,
      created_at: a.createdAt,
      updated_at: a.createdAt,
      expires_at: expires,
      workflow_run: { id: run.id, repository_id: 1296269, head_repository_id: 1296269, head_branch: run.branch, head_sha: run.headSha },
    };
  }

  function page(req: RouteRequest): { perPage: number; page: number } {
    const perPage = Math.min(100, Math.max(1, Number(req.url.searchParams.get('per_page') ?? 30) || 30));
    const p = Math.max(1, Number(req.url.searchParams.get('page') ?? 1) || 1);
    return { perPage, page: p };
  }

  function linkHeader(req: RouteRequest, total: number, perPage: number, p: number): Record<string, string> {
    const last = Math.max(1, Math.ceil(total / perPage));
    const link = (n: number) => {
      const u = new URL(`${prefix}${req.url.pathname}${req.url.search}`, req.url.origin);
      u.searchParams.set('per_page', String(perPage));
      u.searchParams.set('page', String(n));
      return `<${u.toString()}>`;
    };
    const rels: string[] = [];
    if (p > 1) rels.push(`${link(p - 1)}; rel="prev"`);
    if (p < last) rels.push(`${link(p + 1)}; rel="next"`, `${link(last)}; rel="last"`);
    if (p > 1) rels.push(`${link(1)}; rel="first"`);
    return rels.length ? { link: rels.join(', ') } : {};
  }

  function authorised(req: RouteRequest): boolean {
    if (!opts.token) return true;
    const m = /^(?:token|bearer)\s+(.+)$/i.exec(req.headers.authorization ?? '');
    return m?.[1] === opts.token;
  }

  const rest: RouteHandler = async (req): Promise<RouteResponse | undefined> => {
    const p = req.url.pathname;
    if (!p.startsWith('/repos/') || !p.includes('/actions/')) return undefined;
    if (!authorised(req)) return { status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' } };
    // The request URL's origin is this server; the API base is the origin plus any prefix the server strips.
    const api = `${req.url.origin}${prefix}`;
    let m: RegExpExecArray | null;
    if (req.method === 'GET' && (m = /^\/repos\/([^/]+)\/([^/]+)\/actions\/workflows\/([^/]+)\/runs$/.exec(p))) {
      const [, owner, repo, wf] = m as unknown as [string, string, string, string];
      const id = decodeURIComponent(wf);
      const matching = runs.filter((r) => r.owner === owner && r.repo === repo);
      const ofWorkflow = matching.filter((r) => String(r.workflowId) === id || r.workflowPath === id || r.workflowPath.endsWith(`/${id}`));
      if (ofWorkflow.length === 0 && !/^\d+$/.test(id) && !matching.some((r) => r.workflowPath.endsWith(`/${id}`))) return notFound();
      const branch = req.url.searchParams.get('branch');
      const status = req.url.searchParams.get('status');
      const list = ofWorkflow
        .filter((r) => !branch || r.branch === branch)
        .filter((r) => !status || r.status === status || r.conclusion === status)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id);
      const { perPage, page: pg } = page(req);
      return {
        status: 200,
        headers: linkHeader(req, list.length, perPage, pg),
        body: { total_count: list.length, workflow_runs: list.slice((pg - 1) * perPage, pg * perPage).map((r) => runShape(r, api)) },
      };
    }
    if (req.method === 'GET' && (m = /^\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)\/artifacts$/.exec(p))) {
      const [, owner, repo, id] = m as unknown as [string, string, string, string];
      const run = runs.find((r) => r.owner === owner && r.repo === repo && r.id === Number(id));
      if (!run) return notFound();
      const name = req.url.searchParams.get('name');
      const list = artifacts.filter((a) => a.runId === run.id && (!name || a.name === name)).sort((a, b) => b.id - a.id);
      const { perPage, page: pg } = page(req);
      return {
        status: 200,
        headers: linkHeader(req, list.length, perPage, pg),
        body: { total_count: list.length, artifacts: list.slice((pg - 1) * perPage, pg * perPage).map((a) => artifactShape(a, api)) },
      };
    }
    if (req.method === 'GET' && (m = /^\/repos\/([^/]+)\/([^/]+)\/actions\/artifacts\/(\d+)\/zip$/.exec(p))) {
      const [, owner, repo, id] = m as unknown as [string, string, string, string];
      const art = artifacts.find((a) => a.id === Number(id));
      const run = art && runs.find((r) => r.id === art.runId && r.owner === owner && r.repo === repo);
      if (!art || !run) return notFound();
      if (art.expired) return { status: 410, body: { message: 'Artifact has expired', documentation_url: 'https://docs.github.com/rest/actions/artifacts#download-an-artifact', status: '410' } };
      // GitHub answers with a short-lived signed URL on its blob store.
      const location = `${blobUrl}/_blob/artifacts/${art.id}.zip?sv=2021-12-02&se=2099-01-01T00%3A00%3A00Z&sr=b&sp=r&sig=c2lnbmF0dXJl`;
      return { status: 302, headers: { location, 'content-type': 'text/html;charset=utf-8' }, body: '' };
    }
    return undefined;
  };

  const blob = (req: BlobRequestIn): RouteResponse => {
    const p = req.url.pathname;
    let m: RegExpExecArray | null;
    if ((m = /^\/_blob\/artifacts\/(\d+)\.zip$/.exec(p))) {
      blobRequests.push({ method: req.method, path: p, authorization: req.headers.authorization });
      if (!req.url.searchParams.get('sig')) return { status: 403, headers: { 'content-type': 'application/xml' }, body: '<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code></Error>' };
      const art = artifacts.find((a) => a.id === Number(m![1]));
      if (!art) return { status: 404, headers: { 'content-type': 'application/xml' }, body: '<?xml version="1.0" encoding="utf-8"?><Error><Code>BlobNotFound</Code></Error>' };
      return { status: 200, headers: { 'content-type': 'application/zip', 'x-ms-blob-type': 'BlockBlob' }, body: art.zip };
    }
    if ((m = /^\/_upload\/results\/([^/]+)$/.exec(p))) {
      blobRequests.push({ method: req.method, path: p, authorization: req.headers.authorization });
      const up = uploads.get(m[1]!);
      if (!up || req.url.searchParams.get('sig') !== 'upload') return { status: 403, headers: { 'content-type': 'application/xml' }, body: '<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code></Error>' };
      const comp = req.url.searchParams.get('comp');
      const ms = { 'x-ms-request-id': '00000000-0000-0000-0000-000000000000', 'x-ms-version': '2025-01-05', date: new Date().toUTCString() };
      if (req.method === 'PUT' && comp === 'block') {
        const blockId = req.url.searchParams.get('blockid') ?? '';
        up.blocks.set(blockId, req.body);
        return { status: 201, headers: { ...ms, 'x-ms-request-server-encrypted': 'true' }, body: '' };
      }
      if (req.method === 'PUT' && comp === 'blocklist') {
        const ids = [...req.body.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\/(?:Latest|Uncommitted|Committed)>/g)].map((x) => x[1]!);
        const parts = ids.map((id) => up.blocks.get(id));
        if (parts.some((x) => x === undefined)) return { status: 400, headers: { 'content-type': 'application/xml' }, body: '<?xml version="1.0" encoding="utf-8"?><Error><Code>InvalidBlockList</Code></Error>' };
        up.committed = Buffer.concat(parts as Buffer[]);
        return { status: 201, headers: { ...ms, etag: '"0x8DC0000000000"', 'last-modified': new Date().toUTCString(), 'x-ms-request-server-encrypted': 'true' }, body: '' };
      }
      if (req.method === 'PUT') {
        up.committed = req.body;
        return { status: 201, headers: { ...ms, etag: '"0x8DC0000000000"' }, body: '' };
      }
      return { status: 400, body: '' };
    }
    return { status: 404, headers: { 'content-type': 'application/xml' }, body: '<?xml version="1.0" encoding="utf-8"?><Error><Code>ResourceNotFound</Code></Error>' };
  };

  const server = createServer((inReq, res) => {
    const chunks: Buffer[] = [];
    inReq.on('data', (c: Buffer) => chunks.push(c));
    inReq.on('end', () => {
      const r = blob({ method: (inReq.method ?? 'GET').toUpperCase(), url: new URL(inReq.url ?? '/', blobUrl), headers: inReq.headers, body: Buffer.concat(chunks) });
      const payload = r.body instanceof Uint8Array ? Buffer.from(r.body) : typeof r.body === 'string' ? r.body : '';
      res.writeHead(r.status, { ...(r.headers ?? {}), 'content-length': String(Buffer.byteLength(payload)) });
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const blobUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const twirp: RouteHandler = async (req): Promise<RouteResponse | undefined> => {
    if (!req.url.pathname.startsWith(TWIRP) || req.method !== 'POST') return undefined;
    const method = req.url.pathname.slice(TWIRP.length);
    const body = JSON.parse(req.body || '{}') as Record<string, unknown>;
    twirpCalls.push({ method, body, authorization: req.headers.authorization });
    if (opts.runtimeToken && req.headers.authorization !== `Bearer ${opts.runtimeToken}`) {
      return { status: 401, body: { code: 'unauthenticated', msg: 'invalid token' } };
    }
    const run = runs.find((r) => r.backendId !== undefined && r.backendId === body.workflow_run_backend_id);
    if (!run) return { status: 404, body: { code: 'not_found', msg: 'workflow run not found' } };
    const name = String(body.name ?? '');
    const key = `${run.id}-${name}`;
    if (method === 'CreateArtifact') {
      if (artifacts.some((a) => a.runId === run.id && a.name === name)) {
        return { status: 409, body: { code: 'already_exists', msg: 'an artifact with this name already exists on the workflow run' } };
      }
      uploads.set(encodeURIComponent(key), { runId: run.id, name, blocks: new Map() });
      return { status: 200, body: { ok: true, signed_upload_url: `${blobUrl}/_upload/results/${encodeURIComponent(key)}?sig=upload&sv=2021-12-02&sr=b&sp=cw` } };
    }
    if (method === 'FinalizeArtifact') {
      const up = uploads.get(encodeURIComponent(key));
      if (!up?.committed) return { status: 404, body: { code: 'not_found', msg: 'no upload for this artifact' } };
      uploads.delete(encodeURIComponent(key));
      // the digest is what the client sent (FinalizeArtifact's hash), as the service records it
      const art = addArtifact({ runId: run.id, name, zip: new Uint8Array(up.committed), digest: typeof body.hash === 'string' ? body.hash : null });
      return { status: 200, body: { ok: true, artifact_id: String(art.id) } };
    }
    return { status: 404, body: { code: 'bad_route', msg: `no handler for ${method}` } };
  };

  return {
    handlers: [twirp, rest],
    blobUrl,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
    runs,
    artifacts,
    blobRequests,
    twirpCalls,
    addRun,
    addArtifact,
  };
}
