// Stand-in for `k6/http`: records each request and answers from recorder.respond().
import { recorder } from './recorder.mjs';

export function request(method, url, body, params) {
  const answer = recorder.respond(method, url, body, params);
  recorder.requests.push({ method, url, body: body ?? null, params: params ?? {} });
  return {
    status: answer.status,
    headers: answer.headers ?? {},
    body: answer.body ?? '{}',
    url,
    timings: { duration: answer.duration ?? 10, waiting: answer.duration ?? 10 },
    request: { method, url, body },
  };
}

export function get(url, params) {
  return request('GET', url, null, params);
}

export function post(url, body, params) {
  return request('POST', url, body, params);
}

export function put(url, body, params) {
  return request('PUT', url, body, params);
}

export function del(url, body, params) {
  return request('DELETE', url, body, params);
}

export default { request, get, post, put, del };
