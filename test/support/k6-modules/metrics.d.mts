declare class Metric {
  constructor(name: string, isTime?: boolean);
  readonly name: string;
  add(value: number | boolean, tags?: Record<string, string>): void;
}
export declare class Trend extends Metric {}
export declare class Rate extends Metric {}
export declare class Counter extends Metric {}
export declare class Gauge extends Metric {}
declare const _default: { Trend: typeof Trend; Rate: typeof Rate; Counter: typeof Counter; Gauge: typeof Gauge };
export default _default;
