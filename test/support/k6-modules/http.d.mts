export interface StandInResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  url: string;
  timings: { duration: number; waiting: number };
}
export declare function request(method: string, url: string, body?: unknown, params?: unknown): StandInResponse;
export declare function get(url: string, params?: unknown): StandInResponse;
export declare function post(url: string, body?: unknown, params?: unknown): StandInResponse;
export declare function put(url: string, body?: unknown, params?: unknown): StandInResponse;
export declare function del(url: string, body?: unknown, params?: unknown): StandInResponse;
declare const _default: { request: typeof request; get: typeof get; post: typeof post; put: typeof put; del: typeof del };
export default _default;
