export interface RecordedRequest {
  method: string;
  url: string;
  body: string | null;
  params: Record<string, any>;
}
export interface RecordedSample {
  metric: string;
  type?: string;
  value: number;
  tags: Record<string, string>;
}
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  duration?: number;
}
export declare const recorder: {
  requests: RecordedRequest[];
  checks: { name: string; ok: boolean; tags: Record<string, string> }[];
  samples: RecordedSample[];
  sleeps: number[];
  respond: (method: string, url: string, body: unknown, params: unknown) => Answer;
  reset(): void;
};
