export declare function check<T>(value: T, sets: Record<string, (v: T) => boolean>, tags?: Record<string, string>): boolean;
export declare function sleep(seconds: number): void;
export declare function group<T>(name: string, fn: () => T): T;
export declare function fail(message?: string): never;
declare const _default: { check: typeof check; sleep: typeof sleep; group: typeof group; fail: typeof fail };
export default _default;
