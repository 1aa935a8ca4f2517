// The API client: GHES base path, bounded retries, per-request timeout, masked credentials.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, describeApiError, maskUrl } from '../../src/github/client.js';
import type { Logger } from '../../src/model.js';
import { GITHUB_ACTIONS_BOT, startGithubServer, type GithubServer } from '../support/github-server.js';

function memoryLog() {
  const lines: string[] = [];
  const log: Logger = {
    info: (m) => void lines.push(`info ${m}`),
    warning: (m) => void lines.push(`warning ${m}`),
    error: (m) => void lines.push(`error ${m}`),
    debug: (m) => void lines.push(`debug ${m}`),
    group: (_n, fn) => fn(),
  };
  return { log, lines };
}

let server: GithubServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('maskUrl', () => {
  it('hides user info and secret query parameters, keeps the rest', () => {
    expect(maskUrl('https://user:s3cret@preview.example.com/path?x=1')).toBe('https://***@preview.example.com/path?x=1');
    expect(maskUrl('https://x-access-token:ghs_abcdef@github.com/o/r.git')).toBe('https://***@github.com/o/r.git');
    expect(maskUrl('https://h/p?token=abc&page=2&sig=zzz')).toBe('https://h/p?token=***&page=2&sig=***');
    expect(maskUrl('https://preview.example.com/a')).toBe('https://preview.example.com/a');
  });
  it('describeApiError drops token-like strings', () => {
    expect(describeApiError(Object.assign(new Error('bad ghp_abcdefghijklmnopqrstuvwxyz0123 here'), { status: 401 }))).toBe('HTTP 401: bad *** here');
  });
});

describe('createClient', () => {
  it('talks to a GitHub Enterprise Server API under /api/v3', async () => {
    server = await startGithubServer({ pathPrefix: '/api/v3' });
    server.tokens.set('t', { user: { login: 'ghe-user', id: 3, type: 'User' } });
    const { log } = memoryLog();
    const octokit = createClient({ token: 't', baseUrl: server.url, log, retryBaseMs: 1 });
    expect(server.url).toMatch(/\/api\/v3$/);
    const { data } = await octokit.rest.users.getAuthenticated();
    expect(data.login).toBe('ghe-user');
    server.addComment({ owner: 'o', repo: 'r', issue: 1, body: 'a', user: GITHUB_ACTIONS_BOT });
    server.addComment({ owner: 'o', repo: 'r', issue: 1, body: 'b', user: GITHUB_ACTIONS_BOT });
    const all = await octokit.paginate(octokit.rest.issues.listComments, { owner: 'o', repo: 'r', issue_number: 1, per_page: 1 });
    expect(all.map((c) => c.body)).toEqual(['a', 'b']);
  });

  it('retries 5xx a bounded number of times, then gives up with the status', async () => {
    server = await startGithubServer();
    server.tokens.set('t', { user: GITHUB_ACTIONS_BOT, userEndpoint: false });
    server.fault({ path: '/repos/o/r/pulls/1', status: 500, times: 10, body: { message: 'boom' } });
    const octokit = createClient({ token: 't', baseUrl: server.url, log: memoryLog().log, retries: 2, retryBaseMs: 1 });
    await expect(octokit.rest.pulls.get({ owner: 'o', repo: 'r', pull_number: 1 })).rejects.toMatchObject({ status: 500 });
    expect(server.requests.filter((q) => q.path === '/repos/o/r/pulls/1')).toHaveLength(3);
  });

  it('does not retry a 404 or a plain 403', async () => {
    server = await startGithubServer();
    server.tokens.set('t', { user: GITHUB_ACTIONS_BOT, userEndpoint: false, readOnly: true });
    const octokit = createClient({ token: 't', baseUrl: server.url, log: memoryLog().log, retryBaseMs: 1 });
    await expect(octokit.rest.pulls.get({ owner: 'o', repo: 'r', pull_number: 1 })).rejects.toMatchObject({ status: 404 });
    await expect(octokit.rest.issues.createComment({ owner: 'o', repo: 'r', issue_number: 1, body: 'x' })).rejects.toMatchObject({ status: 403 });
    expect(server.requests).toHaveLength(2);
  });

  it('a request that hangs times out instead of hanging the job', async () => {
    server = await startGithubServer({ handlers: [async (req) => (req.url.pathname === '/hang' ? new Promise(() => {}) : undefined)] });
    server.tokens.set('t', { user: GITHUB_ACTIONS_BOT, userEndpoint: false });
    const octokit = createClient({ token: 't', baseUrl: server.url, log: memoryLog().log, retries: 0, timeoutMs: 200 });
    await expect(octokit.request('GET /hang')).rejects.toThrow(/abort|timeout/i);
  });

  it('never logs the token', async () => {
    server = await startGithubServer();
    server.tokens.set('ghp_supersecrettoken0123456789abcdef', { user: GITHUB_ACTIONS_BOT });
    server.fault({ path: '/user', status: 502, body: { message: 'bad gateway' } });
    const { log, lines } = memoryLog();
    const octokit = createClient({ token: 'ghp_supersecrettoken0123456789abcdef', baseUrl: server.url, log, retryBaseMs: 1 });
    await octokit.rest.users.getAuthenticated();
    expect(server.requests[0]!.authorization).toBe('token ghp_supersecrettoken0123456789abcdef');
    expect(lines.join('\n')).not.toContain('supersecret');
  });
});
