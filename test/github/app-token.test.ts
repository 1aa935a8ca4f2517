// The sticky comment with a GitHub App's installation token: `GET /user` answers 403, and the App's
// comments are authored by `<app>[bot]`, not `github-actions[bot]`.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClient, type GitHubClient } from '../../src/github/client.js';
import { marker, upsertComment } from '../../src/github/comment.js';
import type { Logger } from '../../src/model.js';
import { startGithubServer, type GhUser, type GithubServer } from '../support/github-server.js';

const log: Logger = { info: () => {}, warning: () => {}, error: () => {}, debug: () => {}, group: (_n, fn) => fn() };
const APP: GhUser = { login: 'my-app[bot]', id: 135_001, type: 'Bot' };
const T = { owner: 'o', repo: 'r', issueNumber: 5 };

let server: GithubServer;
let octokit: GitHubClient;
beforeEach(async () => {
  server = await startGithubServer();
  server.tokens.set('ghs_app', { user: APP, userEndpoint: false });
  octokit = createClient({ token: 'ghs_app', baseUrl: server.url, log, writeSpacingMs: 0, retryBaseMs: 1 });
});
afterEach(async () => {
  await server.close();
});

const writes = () => server.requests.filter((q) => q.method !== 'GET').map((q) => `${q.method} ${q.path}`);

describe('sticky comment with a GitHub App installation token', () => {
  it('updates the App’s earlier comment in place: no new comment, nothing deleted', async () => {
    const old = server.addComment({ owner: 'o', repo: 'r', issue: 5, body: `${marker('k')}\nNOT_APPROVED (stale)`, user: APP });
    const r = await upsertComment(octokit, T, 'k', 'APPROVED', log);
    expect(server.requests.find((q) => q.path === '/user')?.status).toBe(403);
    expect(r).toMatchObject({ action: 'updated', id: old.id, deleted: [] });
    expect(server.commentsOn('o', 'r', 5).map((c) => [c.id, c.body])).toEqual([[old.id, `${marker('k')}\nAPPROVED`]]);
    expect(writes()).toEqual([`PATCH /repos/o/r/issues/comments/${old.id}`]);
  });

  it('an unchanged report on a re-run writes nothing (no post-and-delete notifications)', async () => {
    server.addComment({ owner: 'o', repo: 'r', issue: 5, body: `${marker('k')}\nsame`, user: APP });
    const r = await upsertComment(octokit, T, 'k', 'same', log);
    expect(r.action).toBe('unchanged');
    expect(writes()).toEqual([]);
  });

  it('does not take over a marker comment written by a person', async () => {
    const human = server.addComment({ owner: 'o', repo: 'r', issue: 5, body: `${marker('k')}\nall good, merge it`, user: { login: 'mallory', id: 66, type: 'User' } });
    const r = await upsertComment(octokit, T, 'k', 'NOT_APPROVED', log);
    expect(r.action).toBe('created');
    const all = server.commentsOn('o', 'r', 5);
    expect(all.find((c) => c.id === human.id)?.body).toBe(`${marker('k')}\nall good, merge it`);
    expect(all.filter((c) => c.user.login === APP.login).map((c) => c.body)).toEqual([`${marker('k')}\nNOT_APPROVED`]);
  });

  it('a known identity (a user token) still matches the exact login only', async () => {
    server.tokens.set('pat', { user: { login: 'perf-bot', id: 77, type: 'User' } });
    const pat = createClient({ token: 'pat', baseUrl: server.url, log, writeSpacingMs: 0, retryBaseMs: 1 });
    const app = server.addComment({ owner: 'o', repo: 'r', issue: 5, body: `${marker('k')}\nby the app`, user: APP });
    const r = await upsertComment(pat, T, 'k', 'by the user token', log);
    expect(r.action).toBe('created');
    expect(server.commentsOn('o', 'r', 5).find((c) => c.id === app.id)?.body).toBe(`${marker('k')}\nby the app`);
  });
});
